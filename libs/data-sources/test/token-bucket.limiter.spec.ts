import { describe, expect, it } from 'vitest';
import type { Clock } from '../src/token-bucket.limiter';
import { TokenBucket } from '../src/token-bucket.limiter';

function fakeClock(): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

describe('TokenBucket', () => {
  it('spaces requests at the sustained rate after the burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perMinute: 120, burst: 2, clock });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await bucket.take();
      times.push(clock.t);
    }
    // 2 at once, then one every 500 ms
    expect(times).toEqual([0, 0, 500, 1000, 1500]);
  });

  it('serves concurrent callers in order without letting two through on one token', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perMinute: 60, clock });
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2]);
    expect(clock.t).toBe(2000);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket({ perMinute: 0 })).toThrow(/perMinute/);
  });
});
