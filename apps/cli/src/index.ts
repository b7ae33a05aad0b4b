export { createProgram, runCli, defaultContext } from './cli';
export { commandModules } from './commands';
export type { CliContext, CliIo, CommandModule } from './commands/command-module';
export { createInfraScriptRunner, INFRA_SCRIPT } from './infra/infra-runner';
export type { InfraRunner } from './infra/infra-runner';
