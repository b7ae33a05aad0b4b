/**
 * Where ONNX sessions live and run. Sessions are loaded under a key (one per served model version and
 * model set generation) and scored by key; unloading releases them once no request uses them.
 */
export interface Scorer {
  readonly kind: 'in-thread' | 'worker-pool' | 'hybrid';
  load(key: string, onnx: Uint8Array): Promise<void>;
  /** Scores `rows` rows of `x` (row-major, rows x the model's feature count). */
  score(key: string, x: Float32Array, rows: number): Promise<Float32Array>;
  unload(key: string): Promise<void>;
  close(): Promise<void>;
}
