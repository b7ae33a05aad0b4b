// Vitest globalSetup of the `integration` project: the real Kafka broker and ClickHouse server must
// answer before any integration test runs. Prints the versions the tests talk to (the CI log shows
// them) and fails fast, with what to do, when a server is not reachable.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT_MS = 10_000;

interface ServerCheck {
  version: string;
  failure?: string;
}

/** Brokers and URL as the integration tests read them, derived from `infra up`'s port settings. */
export function integrationTargets(env: NodeJS.ProcessEnv = process.env): { brokers: string[]; clickhouseUrl: string } {
  const brokers = (env.QUANT_KAFKA_BROKERS ?? `127.0.0.1:${env.QUANT_KAFKA_PORT ?? '9092'}`)
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  const clickhouseUrl = env.QUANT_CLICKHOUSE_URL ?? `http://127.0.0.1:${env.QUANT_CLICKHOUSE_HTTP_PORT ?? '8123'}`;
  return { brokers, clickhouseUrl };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Kafka's protocol does not carry the broker version, so it comes from the state `infra up` wrote,
// and only when that broker is the one the tests use and it still runs.
async function kafkaVersionFromInfraState(brokers: string[]): Promise<string> {
  const stateDir = process.env.QUANT_INFRA_DIR ?? `${REPO_ROOT}.infra`;
  try {
    const info = JSON.parse(await readFile(`${stateDir}/kafka/broker.json`, 'utf8')) as { version?: string; brokers?: string; pid?: number };
    if (!info.version || !info.brokers || !brokers.includes(info.brokers)) return 'unknown';
    if (typeof info.pid === 'number') process.kill(info.pid, 0);
    return info.version;
  } catch {
    // No state file (servers started elsewhere) or a stale one: say so rather than guess.
    return 'unknown';
  }
}

async function checkKafka(brokers: string[]): Promise<ServerCheck> {
  const admin = new Kafka({
    clientId: 'quant-integration-setup',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: TIMEOUT_MS,
    retry: { retries: 2, initialRetryTime: 300 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return { version: await kafkaVersionFromInfraState(brokers) };
  } catch (error) {
    return { version: 'unknown', failure: `Kafka at ${brokers.join(',')}: ${reason(error)}` };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function checkClickHouse(url: string): Promise<ServerCheck> {
  try {
    // fetch refuses URLs with credentials: move them into ClickHouse's own headers.
    const target = new URL(url);
    const headers: Record<string, string> = {};
    if (target.username) headers['X-ClickHouse-User'] = decodeURIComponent(target.username);
    if (target.password) headers['X-ClickHouse-Key'] = decodeURIComponent(target.password);
    target.username = '';
    target.password = '';
    target.pathname = '/';
    target.search = '?query=SELECT%20version()';
    const response = await fetch(target, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await response.text()).trim();
    if (!response.ok) return { version: 'unknown', failure: `ClickHouse at ${url}: HTTP ${response.status} ${body.slice(0, 200)}` };
    return { version: body };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return { version: 'unknown', failure: `ClickHouse at ${url}: ${reason(error)}${cause}` };
  }
}

export default async function setup(): Promise<void> {
  const { brokers, clickhouseUrl } = integrationTargets();
  const [kafka, clickhouse] = await Promise.all([checkKafka(brokers), checkClickHouse(clickhouseUrl)]);
  const failures = [kafka.failure, clickhouse.failure].filter((f): f is string => f !== undefined);
  if (failures.length > 0) {
    throw new Error(`integration servers not reachable:\n  ${failures.join('\n  ')}\nrun "npx quant infra up" first`);
  }
  // Test workers are started after this setup and inherit the environment: pin what was checked.
  process.env.QUANT_KAFKA_BROKERS ??= brokers.join(',');
  process.env.QUANT_CLICKHOUSE_URL ??= clickhouseUrl;
  process.stdout.write(`integration servers: Kafka ${kafka.version} at ${brokers.join(',')}, ClickHouse ${clickhouse.version} at ${clickhouseUrl}\n`);
}
