import { QuantError } from '@quant/errors';
import { assertSessions } from './panel';

/** A segment by inclusive dates, e.g. { from: '2008-01-01', to: '2014-12-31' }. */
export interface SegmentDates {
  from: string;
  to: string;
}

/** Session indices `[start, end)` into the calendar, after purging. */
export interface SplitRange {
  start: number;
  end: number;
  /** First and last session kept (empty strings only when the range is empty, which is refused). */
  from: string;
  to: string;
  /** Sessions dropped from the end so no label reaches the next segment. */
  purged: number;
}

/**
 * Train/valid/test (or any named segments) as index ranges on the trading calendar, with an embargo: a
 * label at T reads up to T + horizon (its lookahead, e.g. 2 for Qlib's Ref($close,-2)/Ref($close,-1)-1),
 * so every segment followed by another keeps only sessions T with T + horizon < the next segment's first
 * session. With contiguous segments that drops the last `horizon` sessions; a gap already there counts.
 * The last segment is not purged: its labels run past the data only where prices exist (else NaN).
 */
export function purgedSplit<K extends string>(dates: readonly string[], segments: Readonly<Record<K, SegmentDates>>, horizon: number): Record<K, SplitRange> {
  assertSessions(dates);
  if (!Number.isInteger(horizon) || horizon < 0) throw new QuantError('SPLIT_INVALID', `horizon must be a non-negative integer (the label's lookahead), got ${horizon}`);
  const entries = (Object.keys(segments) as K[]).map((name) => {
    const seg = segments[name];
    if (!seg || !(seg.from <= seg.to)) throw new QuantError('SPLIT_INVALID', `segment ${name} needs from <= to, got ${JSON.stringify(seg)}`, { details: { segment: name } });
    let start = 0;
    while (start < dates.length && (dates[start] as string) < seg.from) start++;
    let end = start;
    while (end < dates.length && (dates[end] as string) <= seg.to) end++;
    return { name, start, end };
  });
  entries.sort((a, b) => a.start - b.start || a.end - b.end);
  const out = {} as Record<K, SplitRange>;
  entries.forEach((e, i) => {
    const next = entries[i + 1];
    if (e.end <= e.start) throw new QuantError('SPLIT_INVALID', `segment ${e.name} holds no session of the calendar`, { details: { segment: e.name } });
    if (next && next.start < e.end) {
      throw new QuantError('SPLIT_INVALID', `segments ${e.name} and ${next.name} overlap`, { details: { segment: e.name, next: next.name } });
    }
    const end = next ? Math.min(e.end, next.start - horizon) : e.end;
    if (end <= e.start) {
      throw new QuantError('SPLIT_INVALID', `segment ${e.name} is empty after purging ${horizon} sessions before ${next?.name}`, { details: { segment: e.name, horizon } });
    }
    out[e.name] = { start: e.start, end, from: dates[e.start] as string, to: dates[end - 1] as string, purged: e.end - end };
  });
  return out;
}
