import { QuantError } from '@quant/errors';

/** Exchanges of mainland China. BJ is the Beijing Stock Exchange (BSE). */
export type Exchange = 'SH' | 'SZ' | 'BJ';

/**
 * Trading boards. The board decides price limits, lot sizes and listing rules.
 * `index` covers exchange indices (SH000300, SZ399006): they are not tradable.
 */
export type Board = 'sse-main' | 'szse-main' | 'chinext' | 'star' | 'bse' | 'b-share' | 'index';

export interface InstrumentCode {
  /** Canonical form used everywhere in the platform: exchange prefix + 6 digits, e.g. `SH600000`. */
  canonical: string;
  exchange: Exchange;
  symbol: string;
}

const EXCHANGE_ALIASES: Record<string, Exchange> = {
  SH: 'SH', SS: 'SH', SSE: 'SH', XSHG: 'SH',
  SZ: 'SZ', SZSE: 'SZ', XSHE: 'SZ',
  BJ: 'BJ', BSE: 'BJ', BJSE: 'BJ',
};

// One pattern per common spelling; the named groups carry the parts.
const SPELLINGS: RegExp[] = [
  /^(?<ex>[A-Za-z]{2,4})[.]?(?<sym>\d{6})$/, // SH600000, sh600000, sh.600000 (baostock)
  /^(?<sym>\d{6})[.](?<ex>[A-Za-z]{2,4})$/, // 600000.SH (TuShare), 600000.XSHG (JoinQuant)
];

/**
 * Parses an instrument code in any common spelling (`SH600000`, `600000.SH`, `sh.600000`, `600000.XSHG`).
 * A bare 6-digit symbol is rejected: the same digits name different instruments on two exchanges
 * (SH000001 is the SSE Composite index, SZ000001 is Ping An Bank).
 */
export function parseInstrumentCode(input: string): InstrumentCode {
  const text = input.trim();
  for (const pattern of SPELLINGS) {
    const m = pattern.exec(text);
    if (!m?.groups) continue;
    const exchange = EXCHANGE_ALIASES[m.groups['ex']!.toUpperCase()];
    const symbol = m.groups['sym']!;
    if (!exchange) break;
    return { canonical: `${exchange}${symbol}`, exchange, symbol };
  }
  throw new QuantError('INSTRUMENT_CODE_INVALID', `not an instrument code: "${input}" (expected e.g. SH600000, 600000.SH or sh.600000)`, {
    details: { input },
  });
}

/** Canonical form (`SH600000`) of a code in any spelling. */
export function canonicalCode(input: string): string {
  return parseInstrumentCode(input).canonical;
}

/** TuShare's spelling, `600000.SH`. */
export function toTushareCode(input: string): string {
  const { exchange, symbol } = parseInstrumentCode(input);
  return `${symbol}.${exchange}`;
}

/** baostock's spelling, `sh.600000` (baostock has no BSE codes but the form is kept regular). */
export function toBaostockCode(input: string): string {
  const { exchange, symbol } = parseInstrumentCode(input);
  return `${exchange.toLowerCase()}.${symbol}`;
}

/**
 * The board of an instrument, from its code prefix. Prefix rules as published by SSE, SZSE and BSE;
 * SZSE's SME board (002xxx) merged into the main board in 2021 and is treated as main board throughout,
 * since its trading rules were the main board's.
 */
export function boardOf(input: string): Board {
  const { exchange, symbol } = parseInstrumentCode(input);
  const p3 = symbol.slice(0, 3);
  if (exchange === 'SH') {
    if (p3 === '000') return 'index';
    if (p3 === '688' || p3 === '689') return 'star';
    if (p3 === '900') return 'b-share';
    if (symbol[0] === '6') return 'sse-main';
  } else if (exchange === 'SZ') {
    if (p3 === '399') return 'index';
    if (p3 === '300' || p3 === '301' || p3 === '302') return 'chinext';
    if (p3 === '200') return 'b-share';
    if (symbol[0] === '0') return 'szse-main';
  } else {
    if (/^(4[0-9]|8[0-9]|92)/.test(symbol)) return 'bse';
  }
  throw new QuantError('INSTRUMENT_BOARD_UNKNOWN', `no known board for ${exchange}${symbol}`, { details: { code: `${exchange}${symbol}` } });
}

export function isIndex(input: string): boolean {
  return boardOf(input) === 'index';
}
