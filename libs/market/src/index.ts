export {
  parseInstrumentCode,
  canonicalCode,
  toTushareCode,
  toBaostockCode,
  boardOf,
  isIndex,
} from './instrument-code';
export type { Exchange, Board, InstrumentCode } from './instrument-code';
export { TradingCalendar, assertIsoDate } from './trading-calendar';
export {
  priceLimitRule,
  limitPrices,
  isAtUpLimit,
  isAtDownLimit,
  exceedsPriceLimit,
  CHINEXT_REFORM_DATE,
  STAR_OPEN_DATE,
  IPO_FIRST_DAY_CAP_DATE,
  MAIN_REGISTRATION_DATE,
  MAIN_ST_10PCT_DATE,
} from './price-limit';
export type { LimitContext, PriceLimitRule } from './price-limit';
export { lotRule, roundBuyQuantity, isValidSellQuantity } from './lot-size';
export type { LotRule } from './lot-size';
export { tradeCost, stampDutyRate, transferFee, canSell, DEFAULT_BROKER_TERMS } from './cost-model';
export type { Side, BrokerTerms, TradeCost, Trade } from './cost-model';
export { sessionMembership } from './universe-membership';
export type { MembershipSpan } from './universe-membership';
