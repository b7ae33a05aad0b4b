import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { JsonLogger } from '../src/json.logger';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const logger = new JsonLogger({ service: 'features', level, sink: (l) => lines.push(l), clock: () => new Date(0) });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with time, level, service, msg and fields', () => {
    const { logger, lines, records } = capture();
    logger.info('bars stored', { rows: 3, code: 'SH600000' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(records()[0]).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      service: 'features',
      msg: 'bars stored',
      rows: 3,
      code: 'SH600000',
    });
  });

  it('understands Nest calls: trailing context, and stack then context for errors', () => {
    const { logger, records } = capture();
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.error('boom', 'Error: boom\n    at x', 'ExceptionHandler');
    const [log, error] = records();
    expect(log).toMatchObject({ level: 'info', msg: 'Mapped {/health, GET} route', context: 'RouterExplorer' });
    expect(error).toMatchObject({ level: 'error', msg: 'boom', context: 'ExceptionHandler', stack: 'Error: boom\n    at x' });
  });

  it('filters below its level and follows setLogLevels, children included', () => {
    const { logger, records } = capture('info');
    const child = logger.child('Child');
    logger.debug('hidden');
    child.verbose('hidden too');
    logger.setLogLevels(['debug', 'log', 'warn', 'error']);
    child.debug('now shown');
    expect(records().map((r) => r.msg)).toEqual(['now shown']);
    expect(records()[0]).toMatchObject({ context: 'Child', level: 'debug' });
  });

  it('describes errors with their code, and never throws on bigint, buffers or cycles', () => {
    const { logger, records } = capture();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    logger.warn('odd values', { big: 2n ** 70n, payload: Buffer.alloc(4), cyclic });
    logger.error('handler failed', new QuantError('EVENT_DECODE_FAILED', 'bad bytes', { details: { topic: 't' } }));
    const [warn, error] = records();
    expect(warn).toMatchObject({ big: '1180591620717411303424', payload: '<Buffer 4 bytes>', cyclic: { a: 1, self: '[Circular]' } });
    expect(error).toMatchObject({ msg: 'handler failed', err: { code: 'EVENT_DECODE_FAILED', message: 'bad bytes', details: { topic: 't' } } });
  });

  it('keeps its own keys when caller fields reuse them', () => {
    const { logger, records } = capture();
    logger.info('x', { level: 'fake', msg: 'fake', n: 1 });
    expect(records()[0]).toMatchObject({ level: 'info', msg: 'x', n: 1, fields: { level: 'fake', msg: 'fake' } });
  });
});
