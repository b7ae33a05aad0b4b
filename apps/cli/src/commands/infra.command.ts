import type { CommandModule } from './command-module';

const SETTINGS_HELP = `
Servers listen on 127.0.0.1 only. Settings (environment variables):
  QUANT_INFRA_DIR               state: data, logs, pid files (default: <repo>/.infra)
  QUANT_KAFKA_PORT              Kafka broker port (default: 9092)
  QUANT_KAFKA_CONTROLLER_PORT   Kafka KRaft controller port (default: 9093)
  QUANT_CLICKHOUSE_HTTP_PORT    ClickHouse HTTP port (default: 8123)
  QUANT_CLICKHOUSE_TCP_PORT     ClickHouse native port (default: 9000)
Downloads are cached in <repo>/.cache/infra.`;

/** `quant infra up|down|status`: the real Kafka broker and ClickHouse server for development and CI. */
export const infraCommand: CommandModule = {
  name: 'infra',
  register(program, context) {
    const infra = program
      .command('infra')
      .description('start, stop and inspect the dev/CI servers (Kafka broker, ClickHouse server)')
      .addHelpText('after', SETTINGS_HELP);

    infra
      .command('up')
      .description('install when needed, start both servers and wait until they answer (no-op when running)')
      .action(async () => {
        await context.infra.run(['up']);
      });

    infra
      .command('down')
      .description('stop both servers (SIGTERM, then SIGKILL after a grace period); safe when nothing runs')
      .action(async () => {
        await context.infra.run(['down']);
      });

    infra
      .command('status')
      .description('show what runs, on which ports, with which versions')
      .option('--json', 'print one JSON object instead of text')
      .action(async (options: { json?: boolean }) => {
        await context.infra.run(options.json ? ['status', '--json'] : ['status']);
      });
  },
};
