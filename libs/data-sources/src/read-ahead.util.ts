/**
 * Runs up to `ahead` tasks concurrently and yields their results in task order, so a consumer that
 * processes one result while the next ones load keeps both the disk and the CPU busy without
 * loading everything at once.
 */
export async function* readAhead<T>(tasks: readonly (() => Promise<T>)[], ahead: number): AsyncGenerator<T> {
  const inflight: Promise<T>[] = [];
  let next = 0;
  const start = (): void => {
    const p = tasks[next++]!();
    // Marks the promise handled so a failure of a task not yet awaited is not reported as an
    // unhandled rejection; awaiting it below still throws the error in order.
    p.catch(() => undefined);
    inflight.push(p);
  };
  while (next < tasks.length && inflight.length < Math.max(1, ahead)) start();
  while (inflight.length > 0) {
    const result = await inflight.shift()!;
    if (next < tasks.length) start();
    yield result;
  }
}

/** Maps with at most `limit` calls in flight (file handles are a finite resource). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
