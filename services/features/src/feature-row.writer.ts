import type { FeatureRepository, FeatureRow } from '@quant/feature-store';

/**
 * Group commit of feature rows: handlers of concurrent partitions add their rows and wait; rows that
 * arrive while an insert runs go into the next one. Each handler returns only once its own row is
 * stored (its offset is committed after the write), while the store sees one insert per wave instead
 * of one per instrument. An idle writer inserts at once.
 */
export class FeatureRowWriter {
  private rows: FeatureRow[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing = false;

  constructor(
    private readonly repository: FeatureRepository,
    private readonly set: string,
    private readonly version: string,
    private readonly width: number,
  ) {}

  add(row: FeatureRow): Promise<void> {
    this.rows.push(row);
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
          await this.repository.write(this.set, this.version, this.width, rows);
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
