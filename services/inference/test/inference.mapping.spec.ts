import { Topics, serdeFor } from '@quant/contracts';
import type { RecommendOutput, RecommendedItem } from '@quant/inference';
import { VOLATILITY_WINDOW } from '@quant/inference';
import { describe, expect, it } from 'vitest';
import { recommendResponse, recommendationList, withoutNulls } from '../src/inference.mapping';

const item = (over: Partial<RecommendedItem>): RecommendedItem => ({
  code: 'SH600000',
  score: 0.01,
  rank: 1,
  percentile: 1,
  probabilityBeatBenchmark: 0.58,
  expectedReturn: 0.003,
  expectedExcessReturn: 0.002,
  action: 'BUY',
  targetWeight: 0.5,
  tradable: true,
  note: null,
  exclusionReason: null,
  volatility: 0.0125,
  flags: [],
  ...over,
});

const out: RecommendOutput = {
  requestId: 'r-1',
  listId: 'topk2@m@1:2024-01-02',
  strategy: 'topk',
  topK: 2,
  nDrop: 0,
  date: '2024-01-02',
  tradeDate: '2024-01-03',
  tradeDateEstimated: false,
  universe: null,
  universeSize: 3,
  model: { name: 'm', version: '1', featureSet: 'fs', featureSetVersion: 'v1', horizonDays: 1, members: [] },
  items: [
    item({}),
    item({
      code: 'SZ000001',
      rank: 0,
      score: NaN,
      percentile: null,
      probabilityBeatBenchmark: null,
      expectedReturn: null,
      expectedExcessReturn: null,
      action: 'HOLD',
      targetWeight: 0,
      tradable: false,
      note: 'to sell, but closed at the down-limit',
      exclusionReason: 'to sell, but closed at the down-limit',
      flags: ['down-limit'],
    }),
  ],
  excluded: [{ code: 'SH600001', rank: 1, score: 0.02, reasons: ['suspended on 2024-01-02 (no trade)', 'under risk warning (ST)'], flags: ['suspended', 'st'] }],
  generatedAt: Date.UTC(2024, 0, 2, 8),
};

describe('recommendation list mapping (Avro r2 and its gRPC mirror)', () => {
  it('carries the outlook, volatility and tradability as fields, the excluded candidates with one reason each', () => {
    const list = recommendationList(out, 'rec:1');
    expect(list.items[0]).toMatchObject({ percentile: 1, probabilityBeatBenchmark: 0.58, expectedReturn: 0.003, expectedExcessReturn: 0.002, volatility20d: 0.0125, flags: [], tradable: true, exclusionReason: null });
    // The note stays a readable summary of the same facts.
    expect(list.items[0]?.note).toBe('P(beat benchmark)=0.580; E[excess]=0.20%; vol20=1.25%');
    expect(list.items[1]).toMatchObject({ score: 0, tradable: false, flags: ['down-limit'], exclusionReason: 'to sell, but closed at the down-limit' });
    expect(list.excluded).toEqual([{ code: 'SH600001', rank: 1, score: 0.02, flags: ['suspended', 'st'], reason: 'suspended on 2024-01-02 (no trade); under risk warning (ST)' }]);
    // The excluded are no longer untradable items (r1): the items are the orders.
    expect(list.items.map((i) => i.code)).toEqual(['SH600000', 'SZ000001']);
  });

  it('encodes with the current Avro schema and decodes to the same list', () => {
    const list = recommendationList(out, 'rec:1');
    const serde = serdeFor(Topics.recommendation);
    expect(serde.decode(serde.encode(list))).toEqual(list);
  });

  it('gives gRPC the proto enum names and no nulls', () => {
    const rpc = withoutNulls(recommendResponse(recommendationList(out, 'rec:1')));
    expect(rpc.items[1]).not.toHaveProperty('percentile');
    expect(rpc.items[1]?.action).toBe('RECOMMENDATION_ACTION_HOLD');
    expect(rpc.excluded[0]?.flags).toEqual(['suspended', 'st']);
  });

  it('the volatility the engine measures is the 20-day one the field is named after', () => {
    expect(VOLATILITY_WINDOW).toBe(20);
  });
});
