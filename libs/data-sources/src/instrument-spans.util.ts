import type { InstrumentInfo, SourceBatch } from './data-source.port';

/** Each code's first and last day over every bar the batches hold (one full pass), sorted by code. */
export async function instrumentSpans(batches: AsyncIterable<SourceBatch>): Promise<InstrumentInfo[]> {
  const spans = new Map<string, InstrumentInfo>();
  for await (const batch of batches) {
    for (const b of batch.bars) {
      const s = spans.get(b.code);
      if (!s) spans.set(b.code, { code: b.code, firstDate: b.date, lastDate: b.date, name: null });
      else {
        if (b.date < s.firstDate) s.firstDate = b.date;
        if (b.date > s.lastDate) s.lastDate = b.date;
      }
    }
  }
  return [...spans.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
}
