import { describe, expect, it } from 'vitest';
import { EventTally } from '../src/event.tally';

describe('EventTally', () => {
  it('counts deliveries and recognises redeliveries per topic', () => {
    const tally = new EventTally();
    expect(tally.record('a', 'e1')).toBe(true);
    expect(tally.record('a', 'e1')).toBe(false);
    expect(tally.record('b', 'e1')).toBe(true);
    expect(tally.of('a')).toEqual({ received: 2, distinct: 1, duplicates: 1 });
    expect(tally.snapshot()).toEqual({ a: { received: 2, distinct: 1, duplicates: 1 }, b: { received: 1, distinct: 1, duplicates: 0 } });
  });

  it('forgets the oldest ids past its capacity', () => {
    const tally = new EventTally(2);
    tally.record('t', 'e1');
    tally.record('t', 'e2');
    tally.record('t', 'e3');
    expect(tally.seen('t', 'e1')).toBe(false);
    expect(tally.seen('t', 'e3')).toBe(true);
    expect(() => new EventTally(0)).toThrow(RangeError);
  });
});
