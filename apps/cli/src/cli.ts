import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { describeError } from '@quant/errors';
import type { CliContext, CommandModule } from './commands/command-module';
import { commandModules } from './commands';
import { createInfraScriptRunner } from './infra/infra-runner';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export function defaultContext(): CliContext {
  return {
    io: { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
    infra: createInfraScriptRunner(),
  };
}

/**
 * The `quant` program with every command module registered (or the given ones: tests register one
 * module built with test doubles). Throws CommanderError instead of exiting.
 */
export function createProgram(context: CliContext, modules: readonly CommandModule[] = commandModules): Command {
  const program = new Command('quant')
    .description('Open TypeScript platform for stock prediction: data, features, training, serving')
    .version(version, '-V, --version')
    .showHelpAfterError('(run "quant --help" for the list of commands)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => context.io.out(text), writeErr: (text) => context.io.err(text) });
  // Settings set above are copied to each subcommand created with program.command().
  for (const module of modules) module.register(program, context);
  return program;
}

/**
 * Parses argv (node-style: [node, script, ...args]), runs the command and returns the exit code.
 * Never calls process.exit, so tests and embedding callers keep control.
 */
export async function runCli(
  argv: readonly string[],
  context: CliContext = defaultContext(),
  modules: readonly CommandModule[] = commandModules,
): Promise<number> {
  const program = createProgram(context, modules);
  if (argv.length <= 2) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    // Commander has already printed its own message (or the help/version text, with exit code 0).
    if (error instanceof CommanderError) return error.exitCode;
    const { code, message } = describeError(error);
    context.io.err(`quant: error [${code}]: ${message}\n`);
    return 1;
  }
}
