import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { runCli } from '../src/cli';
import type { CliContext } from '../src/commands/command-module';

/** An in-process context: captured output and an infra runner that records its calls. */
function testContext(options: { infraFails?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const infraCalls: string[][] = [];
  const context: CliContext = {
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    infra: {
      async run(args) {
        infraCalls.push([...args]);
        if (options.infraFails) throw new QuantError('INFRA_SCRIPT_FAILED', 'infra up failed: exited with code 1');
      },
    },
  };
  return { context, infraCalls, out: () => out.join(''), err: () => err.join('') };
}

const quant = (...args: string[]) => ['node', 'quant', ...args];

describe('quant command wiring', () => {
  it('lists the infra command in --help and exits 0', async () => {
    const t = testContext();
    expect(await runCli(quant('--help'), t.context)).toBe(0);
    expect(t.out()).toMatch(/Usage: quant/);
    expect(t.out()).toMatch(/^\s+infra\s/m);
    expect(t.infraCalls).toEqual([]);
  });

  it('prints help and exits 0 when called without arguments', async () => {
    const t = testContext();
    expect(await runCli(quant(), t.context)).toBe(0);
    expect(t.out()).toMatch(/infra/);
  });

  it('lists up, down and status under infra --help', async () => {
    const t = testContext();
    expect(await runCli(quant('infra', '--help'), t.context)).toBe(0);
    for (const sub of ['up', 'down', 'status']) expect(t.out()).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
    expect(t.out()).toContain('QUANT_KAFKA_PORT');
  });

  it('fails with a message on stderr for an unknown command', async () => {
    const t = testContext();
    expect(await runCli(quant('nope'), t.context)).toBe(1);
    expect(t.err()).toContain("unknown command 'nope'");
    expect(t.infraCalls).toEqual([]);
  });

  it('fails for an unknown option of a subcommand', async () => {
    const t = testContext();
    expect(await runCli(quant('infra', 'status', '--bogus'), t.context)).toBe(1);
    expect(t.err()).toContain("unknown option '--bogus'");
    expect(t.infraCalls).toEqual([]);
  });

  it.each([
    [['infra', 'up'], ['up']],
    [['infra', 'down'], ['down']],
    [['infra', 'status'], ['status']],
    [['infra', 'status', '--json'], ['status', '--json']],
  ])('quant %j runs the infra script with %j', async (argv, expected) => {
    const t = testContext();
    expect(await runCli(quant(...argv), t.context)).toBe(0);
    expect(t.infraCalls).toEqual([expected]);
    expect(t.err()).toBe('');
  });

  it('turns a failed action into exit code 1 and one line on stderr with the error code', async () => {
    const t = testContext({ infraFails: true });
    expect(await runCli(quant('infra', 'up'), t.context)).toBe(1);
    expect(t.err()).toBe('quant: error [INFRA_SCRIPT_FAILED]: infra up failed: exited with code 1\n');
  });
});

describe('quant launcher (bin/quant.mjs, a real process)', () => {
  const bin = fileURLToPath(new URL('../bin/quant.mjs', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });

  it('prints help with exit code 0', () => {
    const result = run('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\s+infra\s/m);
  });

  it('exits non-zero with the error on stderr for an unknown command', () => {
    const result = run('definitely-not-a-command');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown command 'definitely-not-a-command'");
    expect(result.stdout).toBe('');
  });
});
