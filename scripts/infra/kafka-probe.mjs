// Readiness probe for scripts/infra/kafka.sh: one metadata round trip with kafkajs, the client the
// platform uses, so "ready" means "our client can talk to it", not just "the port is open".
// Usage: node kafka-probe.mjs <host:port>. Exit 0: ready; 1: not ready; 3: kafkajs not installed.
const broker = process.argv[2];
if (!broker) {
  process.stderr.write('usage: node kafka-probe.mjs <host:port>\n');
  process.exit(2);
}

let Kafka;
let logLevel;
try {
  ({ Kafka, logLevel } = (await import('kafkajs')).default);
} catch (error) {
  process.stderr.write(`kafkajs not available: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
}

const admin = new Kafka({
  clientId: 'quant-infra-probe',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 5000,
  retry: { retries: 0 },
}).admin();

const timer = setTimeout(() => {
  process.stderr.write(`no metadata from ${broker} within 10s\n`);
  process.exit(1);
}, 10_000);

try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  const topics = await admin.listTopics();
  process.stdout.write(`${JSON.stringify({ clusterId: cluster.clusterId, brokers: cluster.brokers.length, controller: cluster.controller, topics: topics.length })}\n`);
  await admin.disconnect();
  clearTimeout(timer);
  process.exit(0);
} catch (error) {
  process.stderr.write(`metadata request to ${broker} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
