import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../src/index';

describe('partitioner', () => {
  it("matches the Java client's murmur2 test vectors (Kafka UtilsTest)", () => {
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of vectors) expect(murmur2(Buffer.from(key)), key).toBe(expected);
  });

  it("sends every key to the partition kafkajs's DefaultPartitioner picks", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const keys = ['', 'a', '600519.SH', '000001.SZ', '贵州茅台', ...Array.from({ length: 2000 }, (_, i) => randomBytes(1 + (i % 23)).toString('base64'))];
    for (const partitions of [1, 2, 3, 4, 7, 12, 64]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
      for (const key of keys) {
        const theirs = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionForKey(key, partitions), `${key} over ${partitions}`).toBe(theirs);
      }
    }
  });

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => partitionForKey('k', 0)).toThrow(/positive integer, got 0/);
    expect(() => partitionForKey('k', 1.5)).toThrow(/positive integer/);
  });
});
