import { describe, expect, it } from 'vitest';
import { GroupCommitWriter } from '../src/group-commit.writer';

describe('GroupCommitWriter', () => {
  it('writes at once when idle, then groups what arrives during a write', async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const writer = new GroupCommitWriter<number>(async (rows) => {
      writes.push(rows);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
    }, 100);
    const first = writer.add([1]);
    const second = writer.add([2, 3]);
    const third = writer.add([4]);
    await Promise.resolve();
    expect(writes).toEqual([[1]]);
    release();
    await Promise.all([first, second, third]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('resolves a caller only after its rows were written, and rejects all callers of a failed write', async () => {
    let fail = true;
    const written: number[] = [];
    const writer = new GroupCommitWriter<number>(async (rows) => {
      if (fail) throw new Error('server down');
      written.push(...rows);
    }, 100);
    await expect(writer.add([1, 2])).rejects.toThrow('server down');
    fail = false;
    await writer.add([3]);
    expect(written).toEqual([3]);
  });

  it('splits a pile larger than maxRows into several writes', async () => {
    const sizes: number[] = [];
    const writer = new GroupCommitWriter<number>(async (rows) => void sizes.push(rows.length), 2);
    await writer.add([1, 2, 3, 4, 5]);
    expect(sizes).toEqual([2, 2, 1]);
  });
});
