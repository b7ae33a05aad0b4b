import type { BrokerTerms, Side, TradeCost } from '@quant/market';
import { DEFAULT_BROKER_TERMS, tradeCost } from '@quant/market';

/** Costs of one order (raw price, shares) on a day. */
export type CostModel = (order: { code: string; date: string; side: Side; shares: number; price: number }) => TradeCost;

/**
 * A-share costs at the rates in force on the trade day (@quant/market): commission with its minimum
 * per order on both sides, transfer fee, stamp duty on sells with its date history.
 */
export function aShareCosts(terms: BrokerTerms = DEFAULT_BROKER_TERMS): CostModel {
  return (order) => tradeCost(order, terms);
}

/**
 * Qlib's exchange costs, for runs that compare with Qlib's published tables: max(value * rate, min)
 * with one rate for buys (open_cost) and one for sells (close_cost, which folds in the stamp duty).
 * Qlib's CSI300 benchmarks use 0.0005 / 0.0015 / 5 CNY.
 */
export function qlibCosts(openCost = 0.0005, closeCost = 0.0015, minCost = 5): CostModel {
  return ({ side, shares, price }) => {
    const total = Math.max(shares * price * (side === 'buy' ? openCost : closeCost), minCost);
    return { commission: total, transferFee: 0, stampDuty: 0, total };
  };
}
