import { describe, expect, it } from 'vitest';
import { TradingCalendar, canSell, isValidSellQuantity, lotRule, roundBuyQuantity, stampDutyRate, tradeCost, transferFee } from '../src';

describe('trading calendar', () => {
  const cal = new TradingCalendar(['2020-01-06', '2020-01-02', '2020-01-03', '2020-01-07', '2020-01-03']);

  it('sorts, dedups and navigates sessions', () => {
    expect(cal.all()).toEqual(['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07']);
    expect(cal.next('2020-01-03')).toBe('2020-01-06'); // over the weekend
    expect(cal.next('2020-01-04')).toBe('2020-01-06'); // from a non-trading day
    expect(cal.previous('2020-01-06')).toBe('2020-01-03');
    expect(cal.previous('2020-01-02')).toBeUndefined();
    expect(cal.shift('2020-01-02', 2)).toBe('2020-01-06');
    expect(cal.shift('2020-01-07', -3)).toBe('2020-01-02');
    expect(cal.range('2020-01-03', '2020-01-06')).toEqual(['2020-01-03', '2020-01-06']);
    expect(cal.range('2020-01-04', '2020-01-05')).toEqual([]);
    expect(cal.sessionsBetween('2020-01-02', '2020-01-07')).toBe(3);
    expect(() => cal.shift('2020-01-04', 1)).toThrowError(/not a trading day/);
  });

  it('rejects malformed and impossible dates', () => {
    expect(() => new TradingCalendar(['2020-02-30'])).toThrowError(/not a calendar date/);
    expect(() => new TradingCalendar(['20200102'])).toThrowError(/YYYY-MM-DD/);
  });
});

describe('lots and T+1', () => {
  it('rounds buys to the board lot', () => {
    expect(lotRule('SH600000')).toEqual({ minBuy: 100, increment: 100 });
    expect(roundBuyQuantity('SH600000', 1999)).toBe(1900);
    expect(roundBuyQuantity('SZ300750', 99)).toBe(0);
    expect(roundBuyQuantity('SH688981', 199)).toBe(0);
    expect(roundBuyQuantity('SH688981', 201)).toBe(201);
    expect(() => lotRule('SH000300')).toThrowError(/index/);
  });

  it('allows odd lots only when selling out', () => {
    expect(isValidSellQuantity('SH600000', 150, 150)).toBe(true);
    expect(isValidSellQuantity('SH600000', 50, 150)).toBe(false);
    expect(isValidSellQuantity('SH600000', 100, 150)).toBe(true);
    expect(isValidSellQuantity('SH688981', 201, 350)).toBe(true);
    expect(isValidSellQuantity('SH688981', 150, 350)).toBe(false);
    expect(isValidSellQuantity('SH600000', 200, 150)).toBe(false);
  });

  it('enforces T+1', () => {
    expect(canSell('2020-01-02', '2020-01-02')).toBe(false);
    expect(canSell('2020-01-02', '2020-01-03')).toBe(true);
  });
});

describe('dated costs', () => {
  it('follows the stamp duty history', () => {
    expect(stampDutyRate('2008-04-23', 'buy')).toBe(0.003);
    expect(stampDutyRate('2008-04-24', 'buy')).toBe(0.001);
    expect(stampDutyRate('2008-09-18', 'buy')).toBe(0.001);
    expect(stampDutyRate('2008-09-19', 'buy')).toBe(0);
    expect(stampDutyRate('2008-09-19', 'sell')).toBe(0.001);
    expect(stampDutyRate('2023-08-25', 'sell')).toBe(0.001);
    expect(stampDutyRate('2023-08-28', 'sell')).toBe(0.0005);
  });

  it('follows the transfer fee history', () => {
    expect(transferFee('SH600000', '2015-07-31', 10_000, 100_000)).toBeCloseTo(6, 10);
    expect(transferFee('SH600000', '2015-07-31', 100, 1_000)).toBe(1);
    expect(transferFee('SZ000001', '2015-07-31', 10_000, 100_000)).toBe(0);
    expect(transferFee('SZ000001', '2015-08-01', 10_000, 100_000)).toBeCloseTo(2, 10);
    expect(transferFee('SH600000', '2022-04-29', 10_000, 100_000)).toBeCloseTo(1, 10);
  });

  it('charges minimum commission, transfer fee and stamp duty on sells', () => {
    // 1,000 shares at 10 CNY on 2024-01-02: commission max(5, 2.5) = 5; transfer 0.1; stamp 5 on the sell.
    const buy = tradeCost({ code: 'SH600000', date: '2024-01-02', side: 'buy', shares: 1000, price: 10 });
    expect(buy.commission).toBe(5);
    expect(buy.transferFee).toBeCloseTo(0.1, 10);
    expect(buy.stampDuty).toBe(0);
    expect(buy.total).toBeCloseTo(5.1, 10);
    const sell = tradeCost({ code: 'SH600000', date: '2024-01-02', side: 'sell', shares: 100_000, price: 10 });
    expect(sell.commission).toBeCloseTo(250, 10);
    expect(sell.stampDuty).toBeCloseTo(500, 10);
    expect(sell.total).toBeCloseTo(250 + 10 + 500, 10);
    expect(() => tradeCost({ code: 'SH600000', date: '2024-01-02', side: 'buy', shares: 0, price: 10 })).toThrowError(/positive/);
  });
});
