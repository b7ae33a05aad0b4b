/**
 * One parallel-fit worker: reads the shared datasets from workerData, then fits the jobs it is sent
 * one at a time and replies with each artefact (its buffer transferred, not copied) or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { QuantError } from '@quant/errors';
import { defaultModelLookup } from './model-lookup';
import type { FitJobMessage, FitReplyMessage, SharedDataset } from './parallel-fit';

const datasets = (workerData as { datasets: SharedDataset[] }).datasets;
const port = parentPort!;

port.on('message', (job: FitJobMessage) => {
  void (async () => {
    let reply: FitReplyMessage;
    const transfer: ArrayBuffer[] = [];
    try {
      const model = defaultModelLookup(job.kind).create({ ...job.params });
      const valid = job.valid === null ? undefined : datasets[job.valid];
      const report = await model.fit(datasets[job.train]!, { seed: job.seed, ...(valid ? { valid } : {}) });
      const artefact = model.save().slice();
      transfer.push(artefact.buffer);
      reply = { id: job.id, artefact, report };
    } catch (error) {
      reply = { id: job.id, error: { code: error instanceof QuantError ? error.code : null, message: error instanceof Error ? error.message : String(error) } };
    }
    port.postMessage(reply, transfer);
  })();
});
