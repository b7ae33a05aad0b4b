import { QuantError } from '@quant/errors';
import { parseInstrumentCode } from './instrument-code';

export type Side = 'buy' | 'sell';

/** Broker terms: these vary by broker and client, so they are configuration, not history. */
export interface BrokerTerms {
  /** Commission as a fraction of value, charged on both sides. Typical: 0.00025. */
  commissionRate: number;
  /** Minimum commission per order in CNY. Typical: 5. */
  minCommission: number;
}

export const DEFAULT_BROKER_TERMS: BrokerTerms = { commissionRate: 0.00025, minCommission: 5 };

export interface TradeCost {
  commission: number;
  transferFee: number;
  stampDuty: number;
  total: number;
}

export interface Trade {
  code: string;
  /** Trade day, `YYYY-MM-DD`: levies are charged at the rate in force that day. */
  date: string;
  side: Side;
  shares: number;
  /** Raw price in CNY. */
  price: number;
}

/**
 * Stamp duty history (Ministry of Finance): 0.3% both sides from 2007-05-30, 0.1% both sides from
 * 2008-04-24, sells only from 2008-09-19, halved to 0.05% from 2023-08-28.
 */
export function stampDutyRate(date: string, side: Side): number {
  if (date >= '2023-08-28') return side === 'sell' ? 0.0005 : 0;
  if (date >= '2008-09-19') return side === 'sell' ? 0.001 : 0;
  if (date >= '2008-04-24') return 0.001;
  if (date >= '2007-05-30') return 0.003;
  return 0.001;
}

/**
 * Transfer fee history (China Clearing): Shanghai charged 0.6 CNY per 1,000 shares (min 1 CNY) until
 * 2015-07-31, Shenzhen none; from 2015-08-01 both 0.002% of value; from 2022-04-29 0.001%.
 */
export function transferFee(code: string, date: string, shares: number, value: number): number {
  if (date >= '2022-04-29') return value * 0.00001;
  if (date >= '2015-08-01') return value * 0.00002;
  return parseInstrumentCode(code).exchange === 'SH' ? Math.max(1, shares * 0.0006) : 0;
}

/** Every cost of one trade, in CNY, at the rates in force on its day. */
export function tradeCost(trade: Trade, terms: BrokerTerms = DEFAULT_BROKER_TERMS): TradeCost {
  if (!(trade.shares > 0) || !(trade.price > 0) || !Number.isFinite(trade.price)) {
    throw new QuantError('TRADE_INVALID', `trade needs positive shares and price, got ${trade.shares} @ ${trade.price}`, {
      details: { code: trade.code, date: trade.date },
    });
  }
  const value = trade.shares * trade.price;
  const commission = Math.max(terms.minCommission, value * terms.commissionRate);
  const transfer = transferFee(trade.code, trade.date, trade.shares, value);
  const stampDuty = value * stampDutyRate(trade.date, trade.side);
  return { commission, transferFee: transfer, stampDuty, total: commission + transfer + stampDuty };
}

/**
 * T+1: shares bought on a day can be sold from the next trading day on. Dates compare as text.
 */
export function canSell(boughtOn: string, sellOn: string): boolean {
  return sellOn > boughtOn;
}
