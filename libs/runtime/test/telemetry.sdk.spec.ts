import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { startTelemetry } from '../src/telemetry.sdk';
import { JsonLogger } from '../src/json.logger';

// A stand-in OTLP/HTTP collector: records what the exporter posts.
const received: Array<{ url: string; body: string }> = [];
const collector = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
let endpoint = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

describe('startTelemetry', () => {
  it('starts nothing with exporter none: spans stay non-recording', async () => {
    const telemetry = startTelemetry('features', { exporter: 'none', endpoint });
    expect(telemetry.exporter).toBe('none');
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
    await telemetry.shutdown();
  });

  it('exports spans to the OTLP endpoint on shutdown, and logs carry the active trace ids', async () => {
    const telemetry = startTelemetry('features', { exporter: 'otlp', endpoint });
    const lines: string[] = [];
    const logger = new JsonLogger({ service: 'features', sink: (l) => lines.push(l) });
    const ids = trace.getTracer('test').startActiveSpan('handle bar', (span) => {
      logger.info('inside span');
      span.end();
      return span.spanContext();
    });
    logger.info('outside span');
    await telemetry.shutdown();
    await telemetry.shutdown(); // idempotent

    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: 'inside span', traceId: ids.traceId, spanId: ids.spanId });
    expect(outside?.traceId).toBeUndefined();
    const traces = received.filter((r) => r.url === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    const body = traces.map((t) => t.body).join('\n');
    expect(body).toContain('handle bar');
    expect(body).toContain('features');
    expect(body).toContain(ids.traceId);
  });
});
