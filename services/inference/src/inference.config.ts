import { z } from 'zod';

const integer = (min: number, max: number, expected: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: expected })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: expected });

/** Variables of the inference service, validated at boot with the runtime's (see README). */
export const inferenceEnv = {
  /** gRPC listener (quant.inference.v1.Inference); 0 picks a free port. */
  QUANT_INFERENCE_GRPC_PORT: integer(0, 65535, 'an integer port between 0 and 65535 (0 picks a free port)').default(50051),
  /** ONNX scoring threads for large batches; 0 scores everything on the main thread. */
  QUANT_INFERENCE_WORKERS: integer(0, 32, 'an integer between 0 and 32 (0: score on the main thread)').default(2),
  /** Batches of at least this many rows are scored in the worker threads, smaller ones on the main thread (a hop costs more than a few rows). */
  QUANT_INFERENCE_POOL_MIN_ROWS: integer(1, 1_000_000, 'an integer between 1 and 1000000').default(64),
  /** Fallback to ModelLifecycle events: how often the registry is polled for a new production set; 0 turns polling off. */
  QUANT_INFERENCE_POLL_MS: integer(0, 86_400_000, 'milliseconds, an integer from 0 to 86400000').default(30_000),
  /** Model artefact directory, for registry rows whose paths are relative (quant train writes absolute ones). */
  QUANT_INFERENCE_ARTEFACTS: z.string().trim().min(1).default('./.quant/models'),
  /** Market whose trading calendar dates T+1. */
  QUANT_INFERENCE_MARKET: z.string().trim().min(1).default('CN'),
  /** Universe ranked for the lists published on features-ready (default: each model's training universe). */
  QUANT_INFERENCE_UNIVERSE: z.string().trim().min(1).optional(),
  /** Strategy, size and daily replacements of the published lists. */
  QUANT_INFERENCE_STRATEGY: z.enum(['topk-dropout', 'topk'], { error: 'one of topk-dropout, topk' }).default('topk-dropout'),
  QUANT_INFERENCE_TOP_K: integer(1, 5000, 'an integer between 1 and 5000').default(50),
  QUANT_INFERENCE_N_DROP: integer(0, 5000, 'an integer between 0 and 5000').default(5),
};

export type InferenceEnv = typeof inferenceEnv;
