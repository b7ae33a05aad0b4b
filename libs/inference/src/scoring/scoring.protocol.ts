/** Messages between the worker pool and its scoring workers (structured clone; outputs transferred). */
export type WorkerRequest =
  | { id: number; op: 'load'; key: string; onnx: Uint8Array }
  | { id: number; op: 'score'; key: string; x: Float32Array; rows: number }
  | { id: number; op: 'unload'; key: string };

export type WorkerReply = { id: number; ok: true; y?: Float32Array } | { id: number; ok: false; code: string; message: string };
