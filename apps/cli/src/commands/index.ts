import type { CommandModule } from './command-module';
import { dataCommand } from './data.command';
import { featuresCommand } from './features.command';
import { infraCommand } from './infra.command';
import { runCommand } from './run.command';
import { serveCommand } from './serve.command';
import { trainCommand } from './train.command';

/**
 * Every top-level command, in `quant --help` order. One module each.
 */
export const commandModules: readonly CommandModule[] = [infraCommand, dataCommand, featuresCommand, trainCommand, runCommand, serveCommand];
