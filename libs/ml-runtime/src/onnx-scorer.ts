/**
 * Scores exported models (`features` float32 [N, F] -> `score` float32 [N, 1]) with onnxruntime-node
 * on the CPU. This is the one serving path for every model kind (trees, linear, kernel approximations).
 *
 * Note: `InferenceSession.run` executes the graph on the calling thread's libuv pool slot and a
 * single-threaded session (intra-op threads 1, chosen so results and CPU use are predictable and several
 * sessions can share a machine) keeps that thread busy for the whole batch. Moving scoring off the event
 * loop (worker threads, batching) is the inference service's job, not this adapter's.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { QuantError } from '@quant/errors';

export interface OnnxScorerOptions {
  /** Intra-op threads (default 1). */
  intraOpThreads?: number;
}

export class OnnxScorer {
  private constructor(
    private readonly session: InferenceSession,
    /** Width of `features` declared by the model. */
    readonly featureCount: number,
    private readonly inputName: string,
    private readonly outputName: string,
  ) {}

  static async load(bytes: Uint8Array, options: OnnxScorerOptions = {}): Promise<OnnxScorer> {
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: options.intraOpThreads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (cause) {
      throw new QuantError('ML_ONNX_LOAD_FAILED', `onnxruntime could not load the model (${bytes.length} bytes): ${(cause as Error).message}`, {
        cause,
        details: { bytes: bytes.length },
      });
    }
    const input = session.inputMetadata[0];
    const inputName = session.inputNames[0];
    const outputName = session.outputNames[0];
    if (!input || !inputName || !outputName || session.inputNames.length !== 1) {
      throw new QuantError('ML_ONNX_SIGNATURE', `model must have exactly one input and an output; has inputs [${session.inputNames.join(', ')}]`, {});
    }
    const width = input.isTensor ? input.shape[1] : undefined;
    if (typeof width !== 'number' || !Number.isInteger(width) || width < 1) {
      throw new QuantError('ML_ONNX_SIGNATURE', `model input ${inputName} must be a tensor [N, F] with a fixed F; shape is [${input.isTensor ? input.shape.join(', ') : 'non-tensor'}]`, {
        details: { input: inputName },
      });
    }
    return new OnnxScorer(session, width, inputName, outputName);
  }

  /** Scores `rows` rows of `x` (row-major, rows x featureCount). NaN is passed through as missing. */
  async score(x: Float32Array, rows: number): Promise<Float32Array> {
    if (!Number.isInteger(rows) || rows < 0) {
      throw new QuantError('ML_BAD_INPUT', `OnnxScorer.score: rows must be a non-negative integer, got ${rows}`, { details: { rows } });
    }
    if (x.length !== rows * this.featureCount) {
      throw new QuantError(
        'ML_FEATURE_COUNT',
        `OnnxScorer.score: the model takes ${this.featureCount} features per row; got ${x.length} values for ${rows} rows` +
          (rows > 0 ? ` (${(x.length / rows).toFixed(2)} per row)` : ''),
        { details: { expected: this.featureCount, values: x.length, rows } },
      );
    }
    if (rows === 0) return new Float32Array(0);
    const feeds = { [this.inputName]: new Tensor('float32', x, [rows, this.featureCount]) };
    const out = await this.session.run(feeds);
    const y = out[this.outputName];
    if (!y || !(y.data instanceof Float32Array) || y.data.length !== rows) {
      throw new QuantError('ML_ONNX_SIGNATURE', `model output ${this.outputName} must be float32 [N, 1]; got ${y ? `${y.type} [${y.dims.join(', ')}]` : 'nothing'}`, {});
    }
    return y.data;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
