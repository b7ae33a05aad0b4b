import { describe, expect, it } from 'vitest';
import { QuantError, describeError, isRetriable } from '../src';

describe('QuantError', () => {
  it('carries code, retriable flag, details and cause', () => {
    const cause = new Error('socket closed');
    const e = new QuantError('BUS_UNAVAILABLE', 'broker down', { retriable: true, cause, details: { topic: 't' } });
    expect(e.code).toBe('BUS_UNAVAILABLE');
    expect(e.retriable).toBe(true);
    expect(e.details).toEqual({ topic: 't' });
    expect(e.cause).toBe(cause);
    expect(e).toBeInstanceOf(Error);
  });

  it('treats unknown errors as not retriable and describes them', () => {
    expect(isRetriable(new Error('x'))).toBe(false);
    expect(isRetriable({ retriable: true })).toBe(true);
    expect(isRetriable(new QuantError('A', 'b'))).toBe(false);
    expect(describeError(new QuantError('BAD_ROW', 'low > high'))).toEqual({ code: 'BAD_ROW', message: 'low > high' });
    expect(describeError(new TypeError('nope'))).toEqual({ code: 'TypeError', message: 'nope' });
    expect(describeError('str')).toEqual({ code: 'UNKNOWN', message: 'str' });
  });
});
