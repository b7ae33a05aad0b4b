/**
 * Group commit: handlers of many partition batches add their rows and wait; rows that arrive while
 * an insert is running are stored together by the next one. Each handler still returns only after
 * its own rows are stored, so offsets are committed after the write (at-least-once holds), while the
 * store sees a few large inserts instead of many small ones under load (ClickHouse makes a part per
 * insert and partition; small parts are what makes it slow). An idle writer inserts at once: a lone
 * consumer never waits for company.
 */
export class GroupCommitWriter<R> {
  private rows: R[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing = false;

  constructor(
    private readonly write: (rows: R[]) => Promise<void>,
    /** Rows per insert at most; a larger pile is written in several inserts. */
    private readonly maxRows: number,
  ) {}

  add(rows: readonly R[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    for (const r of rows) this.rows.push(r);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.rows.length > 0) {
        const rows = this.rows;
        const waiters = this.waiters;
        this.rows = [];
        this.waiters = [];
        try {
          for (let i = 0; i < rows.length; i += this.maxRows) await this.write(rows.slice(i, i + this.maxRows));
          for (const w of waiters) w.resolve();
        } catch (error) {
          for (const w of waiters) w.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
