/**
 * A histogram helper thread: sleeps on the generation word, claims chunks of each published job
 * until none is left, and exits when told to stop. Failures are reported through the shared control
 * words (the training thread blocks in Atomics.wait and would never see a message).
 */
import { workerData } from 'node:worker_threads';
import { CTL, ERROR_BYTES, CTL_WORDS, HistWork, claimChunk, type HistShared } from './hist-work';

const work = new HistWork(workerData as HistShared);
const ctl = work.ctl;

function fail(error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  new TextEncoder().encodeInto(text.slice(0, ERROR_BYTES / 4), new Uint8Array(work.shared.ctl, CTL_WORDS * 4, ERROR_BYTES));
  Atomics.store(ctl, CTL.error, 1);
}

Atomics.add(ctl, CTL.ready, 1);
for (;;) {
  const gen = Atomics.load(ctl, CTL.gen);
  if (Atomics.load(ctl, CTL.stop) !== 0) break;
  for (let c = claimChunk(ctl); c >= 0; c = claimChunk(ctl)) {
    try {
      work.runChunk(c);
    } catch (error) {
      fail(error);
    }
    Atomics.add(ctl, CTL.workerChunks, 1);
    // Counted even after a failure, so the training thread wakes, sees the error and throws.
    Atomics.add(ctl, CTL.done, 1);
    Atomics.notify(ctl, CTL.done);
  }
  Atomics.wait(ctl, CTL.gen, gen);
}
