import { describe, expect, it } from 'vitest';
import { chunksBySize } from '../src/kafka-bus.adapter';

const m = (bytes: number, key: string | null = 'k') => ({ key, value: Buffer.alloc(bytes) });

describe('chunksBySize', () => {
  it('keeps order and cuts before the limit would be passed', () => {
    const messages = [m(100), m(100), m(100), m(100)];
    const chunks = chunksBySize(messages, 2 * (100 + 1 + 70));
    expect(chunks.map((c) => c.length)).toEqual([2, 2]);
    expect(chunks.flat()).toEqual(messages);
  });

  it('sends a message larger than the limit on its own (the broker then says why it refuses it)', () => {
    const chunks = chunksBySize([m(10), m(5000), m(10)], 1000);
    expect(chunks.map((c) => c.map((x) => x.value.length))).toEqual([[10], [5000], [10]]);
  });

  it('counts headers and returns nothing for nothing', () => {
    expect(chunksBySize([], 100)).toEqual([]);
    const withHeaders = [{ key: null, value: Buffer.alloc(10), headers: { h: 'x'.repeat(200) } }, m(10, null)];
    expect(chunksBySize(withHeaders, 250).map((c) => c.length)).toEqual([1, 1]);
  });
});
