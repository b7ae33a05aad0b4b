// Entry of one scoring worker thread: owns onnxruntime sessions and runs them off the main event loop.
import { parentPort } from 'node:worker_threads';
import { describeError } from '@quant/errors';
import { InThreadScorer } from './in-thread.scorer';
import type { WorkerReply, WorkerRequest } from './scoring.protocol';

const port = parentPort;
if (port === null) throw new Error('scoring.worker.ts must run in a worker thread');
const scorer = new InThreadScorer();

async function handle(m: WorkerRequest): Promise<WorkerReply> {
  switch (m.op) {
    case 'load':
      await scorer.load(m.key, m.onnx);
      return { id: m.id, ok: true };
    case 'score':
      // A copy the worker owns, so it can be transferred instead of cloned back.
      return { id: m.id, ok: true, y: Float32Array.from(await scorer.score(m.key, m.x, m.rows)) };
    case 'unload':
      await scorer.unload(m.key);
      return { id: m.id, ok: true };
  }
}

port.on('message', (m: WorkerRequest) => {
  handle(m).then(
    (reply) => port.postMessage(reply, reply.ok && reply.y ? [reply.y.buffer as ArrayBuffer] : []),
    (error: unknown) => {
      const { code, message } = describeError(error);
      port.postMessage({ id: m.id, ok: false, code, message } satisfies WorkerReply);
    },
  );
});
port.postMessage({ id: 0, ok: true } satisfies WorkerReply);
