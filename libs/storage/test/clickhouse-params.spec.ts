import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { bindParams, formatParamValue, nativeParams, parseParamType, quoteString, renderParamType, scanPlaceholders } from '../src/clickhouse-params';
import type { ParamValue } from '../src/store.port';

function errorOf(fn: () => unknown): QuantError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantError);
    return e as QuantError;
  }
  throw new Error('expected an error');
}

describe('quoteString (ClickHouse string literal rules)', () => {
  // Golden: each hostile input and the exact literal ClickHouse must read back as the same string.
  const golden: Array<[string, string]> = [
    ['plain', "'plain'"],
    ['', "''"],
    ["O'Brien", "'O\\'Brien'"],
    ["'; DROP TABLE bars; --", "'\\'; DROP TABLE bars; --'"],
    ['back\\slash', "'back\\\\slash'"],
    ["\\'", "'\\\\\\''"],
    ["''", "'\\'\\''"],
    ['line\nbreak\r\ttab', "'line\\nbreak\\r\\ttab'"],
    ['nul\0byte', "'nul\\0byte'"],
    ['\b\f\x01\x1f\x7f', "'\\b\\f\\x01\\x1F\\x7F'"],
    ['中文 ünïcödé 📈', "'中文 ünïcödé 📈'"],
    ['{x:String}', "'{x:String}'"],
  ];
  it.each(golden)('quotes %j', (input, expected) => {
    expect(quoteString(input)).toBe(expected);
  });

  it('never leaves an unescaped quote or raw control character inside the literal', () => {
    for (const [input] of golden) {
      const body = quoteString(input).slice(1, -1);
      expect(body.replace(/\\./gs, '')).not.toMatch(/['\\\x00-\x1f\x7f]/);
    }
  });
});

describe('formatParamValue', () => {
  const golden: Array<[string, ParamValue, string]> = [
    ['String', "it's", "'it\\'s'"],
    ['FixedString(6)', 'SH6000', "'SH6000'"],
    ['LowCardinality(String)', 'SSE', "'SSE'"],
    ['UInt8', 255, 'CAST(255 AS UInt8)'],
    ['UInt8', true, 'CAST(1 AS UInt8)'],
    ['UInt8', false, 'CAST(0 AS UInt8)'],
    ['Int8', -128, 'CAST(-128 AS Int8)'],
    ['UInt32', 4294967295, 'CAST(4294967295 AS UInt32)'],
    ['Int64', -9223372036854775808n, 'CAST(-9223372036854775808 AS Int64)'],
    ['Int64', '9223372036854775807', 'CAST(9223372036854775807 AS Int64)'],
    ['UInt64', 18446744073709551615n, 'CAST(18446744073709551615 AS UInt64)'],
    ['Float64', 0.1, 'CAST(0.1 AS Float64)'],
    ['Float64', -1.5e-300, 'CAST(-1.5e-300 AS Float64)'],
    ['Float64', 1e308, 'CAST(1e+308 AS Float64)'],
    ['Float32', 3.25, 'CAST(3.25 AS Float32)'],
    ['Date', '2024-02-29', "CAST('2024-02-29' AS Date)"],
    ['Date', new Date(Date.UTC(2024, 0, 2, 23, 59)), "CAST('2024-01-02' AS Date)"],
    ['DateTime', '2024-01-02 03:04:05', "CAST('2024-01-02 03:04:05' AS DateTime)"],
    ['DateTime', 1704164645, 'CAST(1704164645 AS DateTime)'],
    ['DateTime', new Date(1704164645000), 'CAST(1704164645 AS DateTime)'],
    ["DateTime('Asia/Shanghai')", '2024-01-02 09:30:00', "CAST('2024-01-02 09:30:00' AS DateTime('Asia/Shanghai'))"],
    ['Nullable(String)', null, 'CAST(NULL AS Nullable(String))'],
    ['Nullable(String)', 'x', "CAST('x' AS Nullable(String))"],
    ['Nullable(Int64)', 5, 'CAST(5 AS Nullable(Int64))'],
    ['Array(String)', ["a'b", 'c\\'], "CAST(['a\\'b', 'c\\\\'] AS Array(String))"],
    ['Array(String)', [], 'CAST([] AS Array(String))'],
    ['Array(Nullable(Float64))', [1.5, null], 'CAST([1.5, NULL] AS Array(Nullable(Float64)))'],
    ['Array(Array(UInt32))', [[1], [2, 3]], 'CAST([[1], [2, 3]] AS Array(Array(UInt32)))'],
    ['Array(Date)', ['2024-01-02'], "CAST(['2024-01-02'] AS Array(Date))"],
    ['Identifier', 'daily_bars', '`daily_bars`'],
    ['Identifier', 'quant.daily_bars', '`quant`.`daily_bars`'],
    [' String ', 'spaces around the type', "'spaces around the type'"],
  ];
  it.each(golden)('%s %s -> %s', (type, value, expected) => {
    expect(formatParamValue('p', type, value)).toBe(expected);
  });

  it('formats NaN and infinities only when explicitly allowed', () => {
    expect(errorOf(() => formatParamValue('ratio', 'Float64', Number.NaN)).message).toMatch(/Parameter 'ratio' declared Float64: NaN is not finite/);
    expect(errorOf(() => formatParamValue('ratio', 'Float64', Infinity)).code).toBe('STORE_PARAM_INVALID');
    const allow = { allowNonFiniteFloats: true };
    expect(formatParamValue('r', 'Float64', Number.NaN, allow)).toBe('CAST(nan AS Float64)');
    expect(formatParamValue('r', 'Float64', Infinity, allow)).toBe('CAST(inf AS Float64)');
    expect(formatParamValue('r', 'Float32', -Infinity, allow)).toBe('CAST(-inf AS Float32)');
  });

  const rejected: Array<[string, ParamValue | undefined, RegExp]> = [
    ['String', 5, /expected a string, got number 5/],
    ['String', null, /got null for a type that is not Nullable/],
    ['String', '\ud800 lone', /lone UTF-16 surrogate/],
    ['String', undefined, /undefined/],
    ['UInt8', 256, /256 is out of range \[0, 255\]/],
    ['UInt8', -1, /out of range/],
    ['Int8', 128, /out of range \[-128, 127\]/],
    ['Int32', 1.5, /safe integer/],
    ['Int64', 2 ** 60, /safe integer/],
    ['Int64', '12abc', /an integer/],
    ['Int64', '9223372036854775808', /out of range/],
    ['UInt64', '-1', /out of range/],
    ['UInt32', true, /an integer/],
    ['Float64', '1.5', /expected a number/],
    ['Float32', 1e39, /overflows Float32/],
    ['Date', '2024-02-30', /real calendar date/],
    ['Date', '2024-1-2', /real calendar date/],
    ['Date', "2024-01-01' OR 1=1 --", /real calendar date/],
    ['Date', '1969-12-31', /outside \[1970-01-01, 2105-12-31\]/],
    ['Date', 20240102, /'YYYY-MM-DD'/],
    ['Date', new Date(Number.NaN), /valid date/],
    ['DateTime', '2024-01-02T03:04:05Z', /real date-time/],
    ['DateTime', '2024-01-02 24:00:00', /real date-time/],
    ['DateTime', 1.5, /whole epoch seconds/],
    ['DateTime', new Date(1704164645123), /whole epoch seconds/],
    ['DateTime', -1, /outside/],
    ['Nullable(UInt8)', 'x', /an integer/],
    ['Array(String)', 'not an array', /expected an array/],
    ['Array(UInt8)', [1, 300], /out of range/],
    ['Array(String)', ['ok', null], /got null/],
    ['Identifier', 'bars; DROP TABLE x', /identifier/],
    ['Identifier', 'a.b.c', /identifier/],
    ['Identifier', '`bars`', /identifier/],
  ];
  it.each(rejected)('rejects %s %j naming the parameter', (type, value, message) => {
    const e = errorOf(() => formatParamValue('code', type, value as ParamValue));
    expect(e.code).toBe('STORE_PARAM_INVALID');
    expect(e.message).toMatch(/^Parameter 'code/);
    expect(e.message).toMatch(message);
    expect(e.details.param).toMatch(/^code/);
  });

  it('names the array element that is wrong', () => {
    expect(errorOf(() => formatParamValue('codes', 'Array(String)', ['a', 'b', 7])).message).toMatch(/^Parameter 'codes\[2\]'/);
  });

  it.each(['Decimal(10,2)', 'UUID', 'Map(String, String)', 'Nullable(Array(String))', 'Array(Identifier)', "DateTime('Asia/Shang hai')", 'DateTime64(3)', 'Bool', 'string'])(
    'refuses the unsupported type %s',
    (type) => {
      const e = errorOf(() => formatParamValue('p', type, 'x'));
      expect(e.code).toBe('STORE_PARAM_TYPE_UNSUPPORTED');
      expect(e.message).toContain(`'${type}'`);
    },
  );

  it('renders parsed types canonically', () => {
    expect(renderParamType(parseParamType('Array( Nullable( Int64 ) )'))).toBe('Array(Nullable(Int64))');
    expect(renderParamType(parseParamType('LowCardinality(Nullable(String))'))).toBe('LowCardinality(Nullable(String))');
  });
});

describe('scanPlaceholders', () => {
  it('finds placeholders with nested and quoted types', () => {
    const sql = "SELECT {a:String}, { b : Array(Nullable(Int64)) }, {c:DateTime('Asia/Shanghai')}";
    expect(scanPlaceholders(sql).map((p) => [p.name, p.type, sql.slice(p.start, p.end)])).toEqual([
      ['a', 'String', '{a:String}'],
      ['b', 'Array(Nullable(Int64))', '{ b : Array(Nullable(Int64)) }'],
      ['c', "DateTime('Asia/Shanghai')", "{c:DateTime('Asia/Shanghai')}"],
    ]);
  });

  it('ignores braces inside string literals, quoted identifiers and comments', () => {
    const sql = [
      "SELECT '{a:String}', 'it\\'s {b:String}', 'doubled '' {c:String}'",
      ', "{d:String}", `{e:String}` -- {f:String}',
      "/* {g:String} */ , {'map': 1}, {real:UInt8}",
    ].join('\n');
    expect(scanPlaceholders(sql).map((p) => p.name)).toEqual(['real']);
  });

  it('reports an unterminated placeholder', () => {
    expect(errorOf(() => scanPlaceholders('SELECT {a:String')).code).toBe('STORE_PARAM_SYNTAX');
    expect(errorOf(() => scanPlaceholders('SELECT {a:}')).code).toBe('STORE_PARAM_SYNTAX');
  });
});

describe('bindParams (client-side substitution)', () => {
  it('substitutes every occurrence once and leaves the rest of the SQL untouched', () => {
    const sql = "SELECT * FROM bars WHERE code = {code:String} AND note != '{code:String}' AND date >= {from:Date} OR code = {code:String}";
    expect(bindParams(sql, { code: "x'); DROP TABLE bars; --", from: '2024-01-02' })).toBe(
      "SELECT * FROM bars WHERE code = 'x\\'); DROP TABLE bars; --' AND note != '{code:String}' AND date >= CAST('2024-01-02' AS Date) OR code = 'x\\'); DROP TABLE bars; --'",
    );
  });

  it('does not substitute placeholders that appear inside a substituted value', () => {
    expect(bindParams('SELECT {a:String}, {b:String}', { a: '{b:String}', b: 'B' })).toBe("SELECT '{b:String}', 'B'");
  });

  it('keeps bare numbers where the grammar wants them (LIMIT, OFFSET, TOP)', () => {
    expect(bindParams('SELECT {n:UInt32} FROM t LIMIT {n:UInt32}', { n: 10 })).toBe('SELECT CAST(10 AS UInt32) FROM t LIMIT 10');
    expect(bindParams('SELECT x FROM t LIMIT {o:UInt32}, {n:UInt32}', { o: 5, n: 10 })).toBe('SELECT x FROM t LIMIT 5, 10');
    expect(bindParams('SELECT x FROM t LIMIT 10 OFFSET {o:UInt64}', { o: 20 })).toBe('SELECT x FROM t LIMIT 10 OFFSET 20');
  });

  it('keeps a negative value from forming a -- comment', () => {
    expect(bindParams('SELECT 1-{n:Int32}', { n: -3 })).toBe('SELECT 1-CAST(-3 AS Int32)');
  });

  it('refuses missing, unused and inconsistently typed parameters', () => {
    const missing = errorOf(() => bindParams('SELECT {code:String}', {}));
    expect(missing.code).toBe('STORE_PARAM_MISSING');
    expect(missing.message).toContain("'code'");
    const unused = errorOf(() => bindParams('SELECT {code:String}', { code: 'a', cdoe: 'b' }));
    expect(unused.code).toBe('STORE_PARAM_UNUSED');
    expect(unused.message).toContain("'cdoe'");
    expect(errorOf(() => bindParams('SELECT {a:String}, {a:Int32}', { a: 'x' })).message).toMatch(/declared both as String and as Int32/);
  });

  it('returns SQL without placeholders unchanged', () => {
    const ddl = "CREATE TABLE t (s String DEFAULT '{x:String}') ENGINE = MergeTree() ORDER BY s";
    expect(bindParams(ddl)).toBe(ddl);
  });
});

describe('nativeParams (server-side binding)', () => {
  it('passes checked values in the form the native binders read', () => {
    expect(
      nativeParams('SELECT {s:String}, {i:Int64}, {big:UInt64}, {b:UInt8}, {d:Date}, {t:DateTime}, {f:Float64}, {n:Nullable(String)}, {a:Array(Int32)}', {
        s: "a'b",
        i: '42',
        big: 18446744073709551615n,
        b: true,
        d: new Date(Date.UTC(2024, 0, 2)),
        t: new Date(1704164645000),
        f: 0.5,
        n: null,
        a: [1, -2],
      }),
    ).toEqual({ s: "a'b", i: 42, big: 18446744073709551615n, b: 1, d: '2024-01-02', t: 1704164645, f: 0.5, n: null, a: [1, -2] });
  });

  it('applies the same checks as client-side binding', () => {
    expect(errorOf(() => nativeParams('SELECT {n:UInt8}', { n: 'x' })).code).toBe('STORE_PARAM_INVALID');
    expect(errorOf(() => nativeParams('SELECT 1', { n: 1 })).code).toBe('STORE_PARAM_UNUSED');
  });
});
