import { describe, expect, it } from 'vitest';
import { encodeTabSeparated, encodeTabSeparatedChunks } from '../src/tab-separated.encoder';

describe('encodeTabSeparated', () => {
  it('encodes by JS type, escaping what TabSeparated needs escaped', () => {
    const { columns, body, rows } = encodeTabSeparated('t', [
      { s: "a\tb\nc\\d'e", d: '2024-01-02', f: 1.5, i: '-9223372036854775808', b: true, n: null, a: ["x'y", 'z\\w', 'tab\there'], big: 2n ** 63n },
      { s: '', d: '2024-01-03', f: -0.25, i: 5, b: false, n: 'q', a: [], big: 0n },
    ]);
    expect(columns).toEqual(['s', 'd', 'f', 'i', 'b', 'n', 'a', 'big']);
    expect(rows).toBe(2);
    expect(body.toString('utf8')).toBe(
      "a\\tb\\nc\\\\d'e\t2024-01-02\t1.5\t-9223372036854775808\t1\t\\N\t['x\\'y','z\\\\w','tab\\there']\t9223372036854775808\n" +
        '\t2024-01-03\t-0.25\t5\t0\tq\t[]\t0\n',
    );
  });

  it('encodes nested and nullable arrays', () => {
    expect(encodeTabSeparated('t', [{ a: [[1, 2], [3]], b: [null, 'x'], c: [true, 2n] }]).body.toString()).toBe("[[1,2],[3]]\t[NULL,'x']\t[1,2]\n");
  });

  it('streams the same bytes in slices as the whole encoding', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ i, s: `row\t${i}`, a: [i, null] }));
    const streamed = encodeTabSeparatedChunks('t', rows, {}, 5);
    const parts: Buffer[] = [];
    for await (const chunk of streamed.chunks()) parts.push(chunk);
    expect(parts).toHaveLength(3);
    expect(Buffer.concat(parts).toString()).toBe(encodeTabSeparated('t', rows).body.toString());
    expect(streamed.columns).toEqual(['i', 's', 'a']);
  });

  it('returns nothing for no rows', () => {
    expect(encodeTabSeparated('t', []).rows).toBe(0);
  });

  it('refuses non-finite numbers unless allowed', () => {
    expect(() => encodeTabSeparated('bars', [{ close: 1 }, { close: Number.NaN }])).toThrow(/insert into bars: row 1 column 'close': NaN is not finite/);
    expect(() => encodeTabSeparatedChunks('bars', [{ close: 1 }, { close: Number.NaN }])).toThrow(/row 1 column 'close'/);
    expect(encodeTabSeparated('bars', [{ x: Number.NaN, y: -Infinity, z: [Infinity] }], { allowNonFiniteFloats: true }).body.toString()).toBe('nan\t-inf\t[inf]\n');
  });

  it.each([
    [[{ a: 1 }, { b: 1 }], /row 1 column 'a': value is undefined/],
    [[{ a: 1 }, { a: 1, b: 2 }], /row 1 has columns \["b"\] that row 0 lacks/],
    [[{ a: new Date() }], /a Date object/],
    [[{ a: { nested: 1 } }], /cannot encode an object/],
    [[{ a: ['\udc00'] }], /lone UTF-16 surrogate/],
    [[{ 'a b': 1 }], /column name "a b" is not a plain identifier/],
    [[{}], /row 0 has no columns/],
  ])('refuses bad rows with the row and column named (%#)', (rows, message) => {
    expect(() => encodeTabSeparated('t', rows as Record<string, unknown>[])).toThrow(message);
  });
});
