/**
 * Group commit: handlers of many partition batches add their rows and wait; one insert stores them
 * all once enough rows gathered or a short linger passed. Each handler still returns only after its
 * own rows are stored, so offsets are committed after the write (at-least-once holds), while the
 * store sees a few large inserts instead of many small ones (ClickHouse makes a part per insert and
 * partition, and small parts are what makes it slow).
 */
export class GroupCommitWriter<R> {
  private rows: R[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (rows: R[]) => Promise<void>,
    private readonly maxRows: number,
    private readonly lingerMs: number,
  ) {}

  add(rows: readonly R[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    for (const r of rows) this.rows.push(r);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.rows.length >= this.maxRows) this.flushNow();
    else this.timer ??= setTimeout(() => this.flushNow(), this.lingerMs);
    return done;
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.rows;
    const waiters = this.waiters;
    this.rows = [];
    this.waiters = [];
    // Writes stay in order: each flush starts after the previous one settled.
    this.flushing = this.flushing.then(async () => {
      try {
        await this.write(rows);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    });
  }
}
