import { describe, expect, it } from 'vitest';
import { weekdays } from '@quant/testing';
import { sessionMembers } from '../src/feature-panel';
import type { TrainingMarket } from '../src/feature-panel';

const SPANS = [
  { code: 'B', start: '2024-01-03', end: '2024-01-09' },
  { code: 'A', start: '2023-06-01', end: '2024-01-04' },
  { code: 'A', start: '2024-01-10', end: '2024-03-01' },
  { code: 'C', start: '2024-01-06', end: '2024-01-07' }, // a weekend only: never a member on a session
  { code: 'D', start: '2024-02-01', end: '2024-02-10' }, // after the range
];

function market(withSpans: boolean): TrainingMarket & { reads: number } {
  const m = {
    reads: 0,
    calendar: async () => weekdays('2024-01-01', 30),
    bars: async () => [],
    universeOn: async (_u: string, day: string) => {
      m.reads++;
      return [...new Set(SPANS.filter((s) => s.start <= day && day <= s.end).map((s) => s.code))].sort();
    },
    ...(withSpans
      ? {
          universeSpans: async (_u: string, from: string, to: string) => {
            m.reads++;
            return SPANS.filter((s) => s.start <= to && s.end >= from);
          },
        }
      : {}),
  };
  return m;
}

describe('sessionMembers: point-in-time membership per session', () => {
  const sessions = weekdays('2024-01-02', 9); // 2024-01-02 .. 2024-01-12

  it('reads the spans once and gives the same members on every session as one universeOn per session', async () => {
    const perDay = market(false);
    const spans = market(true);
    const a = await sessionMembers(perDay, 'idx', undefined, sessions);
    const b = await sessionMembers(spans, 'idx', undefined, sessions);
    expect(perDay.reads).toBe(sessions.length);
    expect(spans.reads).toBe(1);
    expect(b.codes).toEqual(['A', 'B']);
    expect(b.codes).toEqual(a.codes);
    for (const [d, day] of sessions.entries()) {
      for (const code of ['A', 'B', 'C', 'D']) expect(b.member(d, code), `${code} on ${day}`).toBe(a.member(d, code));
    }
    // A leaves after 2024-01-04 and comes back on 2024-01-10.
    expect(sessions.filter((_, d) => b.member(d, 'A'))).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-10', '2024-01-11', '2024-01-12']);
  });
});
