import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QuantError } from '@quant/errors';

/** Runs an `infra.sh` action; rejects when it fails. The script itself prints progress and errors. */
export interface InfraRunner {
  run(args: readonly string[]): Promise<void>;
}

/** The bash implementation in scripts/infra, shared with CI and usable without Node. */
export const INFRA_SCRIPT = fileURLToPath(new URL('../../../../scripts/infra/infra.sh', import.meta.url));

export function createInfraScriptRunner(options: { script?: string; env?: NodeJS.ProcessEnv } = {}): InfraRunner {
  const script = options.script ?? INFRA_SCRIPT;
  return {
    run(args) {
      return new Promise<void>((resolve, reject) => {
        const child = spawn('bash', [script, ...args], { stdio: 'inherit', env: options.env ?? process.env });
        child.on('error', (cause) => {
          reject(new QuantError('INFRA_SCRIPT_FAILED', `could not run ${script}: ${cause.message}`, { cause }));
        });
        child.on('exit', (code, signal) => {
          if (code === 0) {
            resolve();
            return;
          }
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          reject(
            new QuantError('INFRA_SCRIPT_FAILED', `infra ${args.join(' ')} failed: ${script} ${how} (see the messages above)`, {
              details: { script, args: args.join(' '), exitCode: code ?? null, signal: signal ?? null },
            }),
          );
        });
      });
    },
  };
}
