import { describe, expect, it } from 'vitest';
import { createRunProgress } from '../../src/run/run-progress';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('run progress display', () => {
  it('writes plain lines when not on a terminal: stage start, details, done with elapsed and total', () => {
    const out: string[] = [];
    const c = clock();
    const p = createRunProgress({ write: (t) => out.push(t), tty: false, now: c.now });
    p.stage('data');
    c.advance(1500);
    p.done('already in the store');
    p.stage('train');
    p.detail('training m1 on 10 rows');
    c.advance(2000);
    p.stage('predict');
    c.advance(500);
    p.fail();
    expect(out.join('')).toBe(
      [
        'quant run: data ...',
        'quant run: data done in 1.5s (total 1.5s): already in the store',
        'quant run: train ...',
        'quant run: train: training m1 on 10 rows',
        'quant run: train done in 2.0s (total 3.5s)',
        'quant run: predict ...',
        'quant run: predict failed in 0.5s (total 4.0s)',
        '',
      ].join('\n'),
    );
    expect(out.join('')).not.toContain('\x1b');
  });

  it('on a terminal rewrites one line per stage in place and closes it with a mark and its time', () => {
    const out: string[] = [];
    const c = clock();
    const p = createRunProgress({ write: (t) => out.push(t), tty: true, now: c.now, tick: false, columns: 60 });
    p.stage('features');
    c.advance(1200);
    p.detail('building alpha158@1 for 300 instrument(s) over 2010-01-01..2020-08-01 and a long tail');
    c.advance(800);
    p.done('built for 300 instrument(s)');
    const text = out.join('');
    // Every redraw returns to the start of the line and clears it; one newline per finished stage.
    expect(out.every((t) => t.startsWith('\r\x1b[2K'))).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
    expect(out.at(-1)).toBe('\r\x1b[2K✓ features      2.0s  built for 300 instrument(s)\n');
    // Live lines are clipped to the terminal's width.
    expect(out[1]?.replace('\r\x1b[2K', '').length).toBeLessThanOrEqual(59);
    expect(out[1]).toContain('1.2s');
  });
});
