// Bars in, one new day of features stored, features-ready out: the service on the in-process bus and chdb.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DailyBar, FeaturesReady } from '@quant/contracts';
import { Topics, serdeFor } from '@quant/contracts';
import { FeatureRepository } from '@quant/feature-store';
import { MarketDataRepository } from '@quant/market-data';
import type { StoredBar } from '@quant/market-data';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';
import { QuantError } from '@quant/errors';
import type { FeaturesEnv } from '../src/features.config';
import { FeaturesEventsHandler } from '../src/features-events.handler';
import { createFeaturesService } from '../src/features.module';
import { standInFeatureSet as standInSet } from '@quant/testing';

const calendar = ['2021-01-04', '2021-01-05', '2021-01-06', '2021-01-07', '2021-01-08', '2021-01-11', '2021-01-12'];
const CODES = ['SH600000', 'SZ000001', 'SZ000002'];
const close = (code: string, i: number) => 10 + CODES.indexOf(code) * 5 + ((i * 3) % 4);

function storedBar(code: string, i: number): StoredBar {
  const c = close(code, i);
  const date = calendar[i] as string;
  return {
    code, date, open: c, high: c * 1.01, low: c * 0.99, close: c, volume: 1000, amount: null, factor: 1.5,
    traded: true, isST: false, flags: [], source: 'test', eventId: `bar:test:${code}:${date}`, ingestedAt: Date.UTC(2021, 0, 1),
  };
}

function barEvent(code: string, i: number, patch: Partial<DailyBar> = {}): DailyBar {
  const b = storedBar(code, i);
  return {
    eventId: b.eventId, code, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: 1000, amount: null,
    factor: 1.5, traded: true, source: 'test', ingestedAt: b.ingestedAt, isST: false, flags: [], ...patch,
  };
}

let harness: TestService<FeaturesEnv>;
const ready: FeaturesReady[] = [];

beforeAll(async () => {
  harness = await bootServiceForTest(createFeaturesService({ resolveSet: () => standInSet }), {
    env: { QUANT_FEATURE_SETS: 'stand-in', QUANT_FEATURES_READY_QUIET_MS: '300' },
  });
  const { store, bus } = harness.service;
  const market = new MarketDataRepository(store); // migrated by the service at boot
  await market.saveCalendar('CN', calendar, 'test');
  await market.saveInstruments(CODES.map((code) => ({ code, firstDate: calendar[0] as string, lastDate: calendar[5] as string })), 'test');
  // The store holds days 0..3; day 4 arrives as events.
  await market.insertBars(CODES.flatMap((code) => [0, 1, 2, 3].map((i) => storedBar(code, i))));
  const serde = serdeFor(Topics.featuresReady);
  await bus.subscribe({
    groupId: 'test.features-ready',
    topics: [Topics.featuresReady.name],
    fromBeginning: true,
    handler: async (messages) => {
      for (const m of messages) ready.push(serde.decode(m.value));
    },
  });
});

afterAll(async () => {
  await harness?.close();
});

/** Stand-in values from a full-history batch: CLOSE and MEAN3 of the adjusted close. */
function expected(code: string, i: number): number[] {
  const adjusted = (k: number) => close(code, k) * 1.5;
  const window = [i - 2, i - 1, i].filter((k) => k >= 0).map(adjusted);
  return [adjusted(i), window.reduce((a, b) => a + b, 0) / window.length];
}

describe('features service', () => {
  it('computes only the new day from warmed states, stores it and announces the complete day once', async () => {
    const { publisher, store } = harness.service;
    await publisher.publish(Topics.dailyBar, CODES.map((code) => barEvent(code, 4)));
    await waitUntil(() => ready.length >= 1, 'features-ready for day 4');
    expect(ready[0]).toMatchObject({ featureSet: 'stand-in', featureSetVersion: 'v1', date: calendar[4], instrumentCount: 3, featureNames: ['CLOSE', 'MEAN3'], location: 'feature_values' });
    const rows = await new FeatureRepository(store).read('stand-in', 'v1', CODES, calendar[0] as string, calendar[6] as string);
    expect(rows.map((r) => `${r.code}:${r.date}`)).toEqual(CODES.map((c) => `${c}:${calendar[4]}`));
    for (const r of rows) expect([...r.values]).toEqual(expected(r.code, 4).map(Math.fround));
    const handler = harness.service.app.get(FeaturesEventsHandler);
    expect(handler.pipelines[0]?.engine.size).toBe(3);
  });

  it('ignores a redelivery and adds the next day to the live state', async () => {
    const { publisher } = harness.service;
    const handler = harness.service.app.get(FeaturesEventsHandler);
    await publisher.publish(Topics.dailyBar, [barEvent('SH600000', 4)]);
    await waitUntil(() => handler.tally.of(Topics.dailyBar.name).duplicates === 1, 'the redelivery was seen');
    await publisher.publish(Topics.dailyBar, CODES.map((code) => barEvent(code, 5)));
    await waitUntil(() => ready.some((e) => e.date === calendar[5]), 'features-ready for day 5');
    const rows = await new FeatureRepository(harness.service.store).read('stand-in', 'v1', CODES, calendar[5] as string, calendar[5] as string);
    for (const r of rows) expect([...r.values]).toEqual(expected(r.code, 5).map(Math.fround));
    expect(ready.filter((e) => e.date === calendar[4])).toHaveLength(1);
  });

  it('announces an incomplete day after the quiet period, with the rows it has', async () => {
    // Day 6 is after the instruments' listed span: nothing is expected, only the quiet rule applies.
    const { publisher } = harness.service;
    await publisher.publish(Topics.dailyBar, [barEvent('SZ000001', 6)]);
    await waitUntil(() => ready.some((e) => e.date === calendar[6]), 'features-ready for day 6 after the quiet period');
    expect(ready.find((e) => e.date === calendar[6])?.instrumentCount).toBe(1);
  });

  it('refuses to boot with a bad QUANT_FEATURE_SETS', async () => {
    const error = await bootServiceForTest(createFeaturesService({ resolveSet: () => standInSet }), { env: { QUANT_FEATURE_SETS: 'Alpha 158' } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QuantError);
    expect((error as QuantError).message).toContain('QUANT_FEATURE_SETS');
  });
});
