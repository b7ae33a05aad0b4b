import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '@quant/bus';
import { DEFAULT_DEAD_LETTER_TOPIC } from '@quant/bus';
import { Topics, deadLetterCodec, serdeFor } from '@quant/contracts';
import type { ImportReport } from '@quant/market-data';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';
import { ingestionService } from '../src/ingestion.module';
import { MarketDataStoreWriter } from '../src/market-data.store-writer';
import { writeBin } from './qlib-bin.fixture';

const dir = mkdtempSync(join(tmpdir(), 'quant-ingestion-qlib-'));
const CAL = ['2021-01-04', '2021-01-05', '2021-01-06', '2021-01-07'];

describe('ingestion service', () => {
  let harness: TestService;

  beforeAll(async () => {
    writeBin.layout(dir, CAL, 'SH600000', [10, 10.5, Number.NaN, 10.2]);
    harness = await bootServiceForTest(ingestionService);
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers GET /health with 200 and the bus and store up', async () => {
    const response = await fetch(`${harness.service.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      service: 'ingestion',
      checks: { bus: { status: 'up' }, store: { status: 'up' } },
    });
  });

  it('POST /imports publishes valid bars as Avro keyed by code, rejects as dead letters, and stores the bars', async () => {
    const bars: BusMessage[] = [];
    const dead: BusMessage[] = [];
    const reader = await harness.service.bus.subscribe({
      groupId: 'test.ingestion-reader',
      topics: [Topics.dailyBar.name, DEFAULT_DEAD_LETTER_TOPIC],
      handler: async (messages) => {
        for (const m of messages) (m.topic === DEFAULT_DEAD_LETTER_TOPIC ? dead : bars).push(m);
      },
    });
    const response = await fetch(`${harness.service.url}/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'qlib', dir }),
    });
    expect(response.status).toBe(202);
    const report = (await response.json()) as ImportReport;
    expect(report).toMatchObject({ bars: 3, rejected: 1, rejectedByReason: { BIN_NAN_CLOSE: 1 }, from: '2021-01-04', to: '2021-01-07' });

    await waitUntil(() => bars.length === 3 && dead.length === 1, 'the events reached a reader');
    await reader.stop();
    expect(bars.map((m) => m.key)).toEqual(['SH600000', 'SH600000', 'SH600000']);
    expect(serdeFor(Topics.dailyBar).decode(bars[0]!.value)).toMatchObject({ code: 'SH600000', date: '2021-01-04', close: 10, traded: true });
    expect(deadLetterCodec.decode(dead[0]!.value)).toMatchObject({ errorCode: 'BIN_NAN_CLOSE', sourceTopic: Topics.dailyBar.name });

    const writer = harness.service.app.get(MarketDataStoreWriter);
    await waitUntil(() => writer.storedForRun(report.runId) === 3, 'the store writer stored the bars');
    const coverage = await writer.repository.coverage();
    expect(coverage).toEqual([{ code: 'SH600000', bars: 3, traded: 3, from: '2021-01-04', to: '2021-01-07' }]);
  });

  it('POST /imports refuses a bad request with a message naming the field', async () => {
    const response = await fetch(`${harness.service.url}/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'bloomberg', dir }),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/source: Invalid option/);
    const noDir = await fetch(`${harness.service.url}/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'qlib' }),
    });
    expect(noDir.status).toBe(400);
    expect(JSON.stringify(await noDir.json())).toMatch(/--dir is required/);
  });

  it('shuts down gracefully', async () => {
    const report = await harness.close();
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => s.step)).toEqual(['close app', 'close bus', 'close store', 'shut down telemetry']);
  });
});
