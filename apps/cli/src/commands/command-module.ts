import type { Command } from 'commander';
import type { InfraRunner } from '../infra/infra-runner';

/** Where command output goes; tests capture it, the real CLI writes to stdout/stderr. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** What commands may use. Each external effect sits behind a field so tests can swap it. */
export interface CliContext {
  io: CliIo;
  infra: InfraRunner;
}

/**
 * One top-level `quant <name>` command. Each lives in `commands/<name>.command.ts` and is listed
 * once in `commands/index.ts`; it registers itself with `program.command(name)` so it inherits the
 * program's output and exit handling.
 */
export interface CommandModule {
  readonly name: string;
  register(program: Command, context: CliContext): void;
}
