import { describe, expect, it } from 'vitest';
import { CsvRecordParser } from '../src/csv-record.parser';

function parseAll(text: string, chunk = text.length || 1) {
  const p = new CsvRecordParser();
  const out = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...p.push(text.slice(i, i + chunk)));
  out.push(...p.end());
  return out;
}

describe('CsvRecordParser', () => {
  const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\n2,"multi\nline",z\n\n3,,last';

  it('reads RFC 4180 quoting, CRLF, blank lines and a BOM, keeping lines and raw text', () => {
    const recs = parseAll(text);
    expect(recs.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'multi\nline', 'z'],
      ['3', '', 'last'],
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 6]);
    expect(recs[1]!.raw).toBe('1,"x, y","say ""hi"""');
    expect(recs[2]!.raw).toBe('2,"multi\nline",z');
  });

  it('gives the same records whatever the chunking', () => {
    const whole = parseAll(text);
    for (const size of [1, 2, 3, 5, 7]) expect(parseAll(text, size)).toEqual(whole);
  });

  it('flags broken quoting instead of guessing silently', () => {
    const [a, b] = parseAll('1,"ab"c,2\n3,"never closed\n');
    expect(a!.malformed).toMatch(/after a closing quote/);
    expect(a!.fields).toEqual(['1', 'abc', '2']);
    expect(b!.malformed).toMatch(/never closed/);
  });
});
