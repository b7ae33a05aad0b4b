import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { Topics, createSerde, defaultCatalog, eventExamples, readFingerprint, serdeFor } from '../src';
import type { DailyBar, RecommendationList } from '../src';

function catchError(fn: () => unknown): QuantError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(QuantError);
    return error as QuantError;
  }
  throw new Error('expected an error');
}

describe('Avro serde', () => {
  const bars = serdeFor(Topics.dailyBar);
  const bar = eventExamples().dailyBar;

  it('writes the single-object encoding: C3 01, the writer fingerprint, then the plain Avro body', () => {
    const bytes = bars.encode(bar);
    const version = defaultCatalog().current(Topics.dailyBar.schemaName);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('c301');
    expect(bytes.subarray(2, 10).toString('hex')).toBe(bars.fingerprint);
    expect(bytes.subarray(2, 10).equals(version.fingerprintBytes)).toBe(true);
    // The body is exactly what avsc writes on its own: nothing proprietary on the wire.
    expect(bytes.subarray(10).equals(version.type.toBuffer(bar))).toBe(true);
    expect(readFingerprint(bytes)).toBe(bars.fingerprint);
    expect(bars.schemaName).toBe('quant.market.v1.DailyBar');
  });

  it('caches one serde per schema', () => {
    expect(serdeFor(Topics.dailyBar)).toBe(bars);
  });

  it('does not share buffers between encoded events', () => {
    const a = bars.encode({ ...bar, code: 'SH600000' });
    const b = bars.encode({ ...bar, code: 'SZ000001' });
    expect(bars.decode(a).code).toBe('SH600000');
    expect(bars.decode(b).code).toBe('SZ000001');
  });

  it('encodes events larger than its scratch buffer', () => {
    const news = serdeFor(Topics.news);
    const long = { ...eventExamples().news, content: '沪'.repeat(300_000) };
    const bytes = news.encode(long);
    expect(bytes.length).toBeGreaterThan(900_000);
    expect(news.decode(bytes)).toEqual(long);
    expect(news.decode(news.encode(eventExamples().news))).toEqual(eventExamples().news);
  });

  describe('encode refuses events that break the schema, naming the field and the value', () => {
    it('wrong types', () => {
      const error = catchError(() => bars.encode({ ...bar, close: '6.62' as unknown as number, volume: 1.5 }));
      expect(error.code).toBe('CONTRACT_INVALID_EVENT');
      expect(error.retriable).toBe(false);
      expect(error.message).toBe(
        'invalid quant.market.v1.DailyBar event: close = "6.62" (expected double); volume = 1.5 (expected long)',
      );
      expect(error.details).toMatchObject({ schema: 'quant.market.v1.DailyBar', field: 'close', value: '"6.62"' });
    });

    it('missing fields and nulls where none is allowed', () => {
      const { source: _source, ...noSource } = bar;
      expect(catchError(() => bars.encode(noSource as DailyBar)).message).toMatch(/source = undefined \(expected string\)/);
      expect(catchError(() => bars.encode({ ...bar, traded: null as unknown as boolean })).message).toMatch(/traded = null \(expected boolean\)/);
      expect(catchError(() => bars.encode({ ...bar, amount: 'n/a' as unknown as number })).message).toMatch(/amount = "n\/a" \(expected null \| double\)/);
    });

    it('nested fields get a path, enums list their symbols', () => {
      const list = eventExamples().recommendation;
      const items = [list.items[0], { ...list.items[1], action: 'YOLO' }] as RecommendationList['items'];
      const error = catchError(() => serdeFor(Topics.recommendation).encode({ ...list, items }));
      expect(error.message).toMatch(/items\[1\]\.action = "YOLO" \(expected one of BUY\|HOLD\|SELL\)/);
      expect(error.details['field']).toBe('items[1].action');
    });

    it('an empty or missing eventId, and a non-object', () => {
      expect(catchError(() => bars.encode({ ...bar, eventId: '' })).message).toMatch(/eventId = "" \(expected a non-empty string\)/);
      expect(catchError(() => bars.encode(null as unknown as DailyBar)).code).toBe('CONTRACT_INVALID_EVENT');
    });

    it('unsafe integers in long fields', () => {
      expect(catchError(() => bars.encode({ ...bar, volume: 2 ** 60 })).message).toMatch(/volume = 1152921504606847000 \(expected long\)/);
    });
  });

  describe('decode errors are clear and not retriable', () => {
    const good = bars.encode(bar);

    it('wrong magic bytes (e.g. a JSON payload)', () => {
      const error = catchError(() => bars.decode(Buffer.from(JSON.stringify(bar))));
      expect(error.code).toBe('CONTRACT_BAD_MAGIC');
      expect(error.retriable).toBe(false);
      expect(error.message).toMatch(/not Avro single-object encoded: expected marker c301, got 7b22 \(first bytes: "\{\\"eventId\\":\\"bar:"\)/);
    });

    it('truncated header and truncated body', () => {
      expect(catchError(() => bars.decode(Buffer.alloc(0))).code).toBe('CONTRACT_TRUNCATED');
      expect(catchError(() => bars.decode(good.subarray(0, 6))).message).toMatch(/truncated .* 6 bytes, the single-object header alone is 10/);
      const cut = catchError(() => bars.decode(good.subarray(0, good.length - 3)));
      expect(cut.code).toBe('CONTRACT_TRUNCATED');
      expect(cut.message).toMatch(/body ends early/);
    });

    it('trailing bytes after the body', () => {
      const error = catchError(() => bars.decode(Buffer.concat([good, Buffer.from([1, 2])])));
      expect(error.code).toBe('CONTRACT_CORRUPT_PAYLOAD');
      expect(error.message).toMatch(/2 unexpected bytes after the body/);
    });

    it('an unknown writer fingerprint', () => {
      const foreign = Buffer.from(good);
      foreign[9] = (foreign[9] as number) ^ 0xff;
      const error = catchError(() => bars.decode(foreign));
      expect(error.code).toBe('CONTRACT_UNKNOWN_SCHEMA');
      expect(error.message).toContain(`unknown writer schema fingerprint ${foreign.toString('hex', 2, 10)} for quant.market.v1.DailyBar`);
      expect(error.message).toMatch(/known revisions: r1=[0-9a-f]{16}, r2=/);
      expect(error.message).toContain(`r2=${bars.fingerprint}`);
    });

    it('a message of another schema (wrong topic)', () => {
      const news = serdeFor(Topics.news).encode(eventExamples().news);
      const error = catchError(() => bars.decode(news));
      expect(error.code).toBe('CONTRACT_SCHEMA_MISMATCH');
      expect(error.message).toBe('message written with quant.news.v1.NewsItem cannot be read as quant.market.v1.DailyBar (wrong topic or wrong serde?)');
    });
  });

  it('createSerde names the known schemas when asked for an unknown one', () => {
    expect(() => createSerde('quant.market.v1.Nope')).toThrow(/no current Avro schema named quant\.market\.v1\.Nope; known: .*quant\.market\.v1\.DailyBar/);
  });
});
