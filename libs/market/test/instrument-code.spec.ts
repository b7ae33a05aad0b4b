import { describe, expect, it } from 'vitest';
import { boardOf, canonicalCode, isIndex, parseInstrumentCode, toBaostockCode, toTushareCode } from '../src';

describe('instrument codes', () => {
  it.each([
    ['SH600000', 'SH600000'],
    ['sh600000', 'SH600000'],
    ['600000.SH', 'SH600000'],
    ['sh.600000', 'SH600000'],
    ['600000.XSHG', 'SH600000'],
    ['000001.XSHE', 'SZ000001'],
    [' sz.300750 ', 'SZ300750'],
    ['430047.BJ', 'BJ430047'],
  ])('parses %s to %s', (input, canonical) => {
    expect(canonicalCode(input)).toBe(canonical);
  });

  it('writes vendor spellings', () => {
    expect(toTushareCode('sh.600000')).toBe('600000.SH');
    expect(toBaostockCode('SZ000001')).toBe('sz.000001');
    expect(parseInstrumentCode('688981.SH')).toEqual({ canonical: 'SH688981', exchange: 'SH', symbol: '688981' });
  });

  it.each(['600000', 'SH60000', 'XX600000', '600000.HK', '', 'SH6000001'])('rejects %j with a clear error', (bad) => {
    expect(() => parseInstrumentCode(bad)).toThrowError(/not an instrument code/);
  });

  it.each([
    ['SH600000', 'sse-main'],
    ['SH601318', 'sse-main'],
    ['SH605499', 'sse-main'],
    ['SH688981', 'star'],
    ['SH689009', 'star'],
    ['SZ000001', 'szse-main'],
    ['SZ002594', 'szse-main'],
    ['SZ003816', 'szse-main'],
    ['SZ300750', 'chinext'],
    ['SZ301269', 'chinext'],
    ['SH000300', 'index'],
    ['SZ399006', 'index'],
    ['BJ830799', 'bse'],
    ['SH900901', 'b-share'],
    ['SZ200002', 'b-share'],
  ])('board of %s is %s', (code, board) => {
    expect(boardOf(code)).toBe(board);
  });

  it('knows indices', () => {
    expect(isIndex('SH000300')).toBe(true);
    expect(isIndex('SZ000300')).toBe(false);
  });
});
