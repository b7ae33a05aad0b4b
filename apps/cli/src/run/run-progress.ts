/**
 * The stage display of `quant run`. On a terminal each stage owns one line, rewritten in place with
 * its latest detail and elapsed time (ticking every second) and closed with its total; elsewhere (a
 * log file, CI) each event is one plain line, so logs stay greppable and free of control codes.
 */
export interface RunProgress {
  /** Starts a stage (closing the previous one). */
  stage(name: string): void;
  /** A detail of the current stage (e.g. "training gbdt on 331,859 rows"). */
  detail(text: string): void;
  /** Closes the current stage; `note` is shown after its time (e.g. "skipped: the store has it"). */
  done(note?: string): void;
  /** Closes the current stage as failed and stops the clock. */
  fail(): void;
}

export interface RunProgressOptions {
  write: (text: string) => void;
  tty: boolean;
  /** Terminal width for clipping the live line; default 100. */
  columns?: number;
  now?: () => number;
  /** Ticks the live line; tests pass false. Default: true on a TTY. */
  tick?: boolean;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

export function createRunProgress(options: RunProgressOptions): RunProgress {
  const now = options.now ?? Date.now;
  const width = Math.max(40, options.columns ?? 100);
  const runStart = now();
  let current: { name: string; start: number; detail: string } | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  const line = (mark: string, note: string): string => {
    if (!current) return '';
    const text = `${mark} ${current.name.padEnd(10)} ${seconds(now() - current.start).padStart(7)}  ${note}`;
    return text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
  };
  const redraw = (): void => {
    if (current) options.write(`\r\x1b[2K${line('…', current.detail)}`);
  };
  const stopTimer = (): void => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const close = (mark: string, note: string): void => {
    if (!current) return;
    stopTimer();
    if (options.tty) options.write(`\r\x1b[2K${line(mark, note)}\n`);
    else options.write(`quant run: ${current.name} ${mark === '✓' ? 'done' : 'failed'} in ${seconds(now() - current.start)} (total ${seconds(now() - runStart)})${note ? `: ${note}` : ''}\n`);
    current = null;
  };

  return {
    stage(name) {
      close('✓', '');
      current = { name, start: now(), detail: '' };
      if (options.tty) {
        redraw();
        if (options.tick ?? true) {
          timer = setInterval(redraw, 1000);
          timer.unref?.();
        }
      } else options.write(`quant run: ${name} ...\n`);
    },
    detail(text) {
      if (!current) return;
      current.detail = text;
      if (options.tty) redraw();
      else options.write(`quant run: ${current.name}: ${text}\n`);
    },
    done(note = '') {
      close('✓', note);
    },
    fail() {
      close('✗', current?.detail ?? '');
    },
  };
}
