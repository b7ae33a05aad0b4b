import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { QuantError, describeError } from '@quant/errors';
import type { InferenceEngine } from '@quant/inference';
import type { ProtoPredictRequest, ProtoRecommendRequest } from './inference.mapping';
import { checkHorizon, predictInput, predictResponse, recommendInput, recommendResponse, recommendationList, withoutNulls } from './inference.mapping';

const PROTO = fileURLToPath(new URL('../../../proto/grpc/quant/inference/v1/inference.proto', import.meta.url));

type ServiceClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
interface InferencePackage {
  quant: { inference: { v1: { Inference: grpc.ServiceClientConstructor } } };
}

/** The versioned contract, loaded at run time (no code generation): lower camel case fields, enums as names, int64 as numbers. */
export function inferenceGrpcDefinition(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(PROTO, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  return (grpc.loadPackageDefinition(definition) as unknown as InferencePackage).quant.inference.v1.Inference;
}

/** QuantError codes to gRPC status codes, so clients can tell bad input from a missing model from an outage. */
export function grpcStatusOf(code: string): grpc.status {
  switch (code) {
    case 'INFERENCE_BAD_REQUEST':
    case 'RECOMMEND_INVALID':
      return grpc.status.INVALID_ARGUMENT;
    case 'MODEL_NOT_FOUND':
    case 'INFERENCE_MODEL_NOT_SERVED':
    case 'INFERENCE_NO_FEATURES':
      return grpc.status.NOT_FOUND;
    case 'INFERENCE_NO_MODEL':
    case 'INFERENCE_SET_RETIRED':
    case 'INFERENCE_WORKER_FAILED':
      return grpc.status.UNAVAILABLE;
    default:
      return grpc.status.INTERNAL;
  }
}

function toServiceError(error: unknown): grpc.ServiceError {
  const { code, message } = describeError(error);
  const metadata = new grpc.Metadata();
  metadata.set('quant-error-code', code);
  return Object.assign(new Error(`${code}: ${message}`), { code: grpcStatusOf(code), details: `${code}: ${message}`, metadata });
}

export interface GrpcServerOptions {
  host: string;
  port: number;
  now?: () => number;
}

export interface RunningGrpcServer {
  readonly port: number;
  close(): Promise<void>;
}

/** quant.inference.v1.Inference on grpc-js, answering from the engine. */
export async function startInferenceGrpcServer(engine: InferenceEngine, options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const now = options.now ?? Date.now;
  const server = new grpc.Server();
  server.addService(inferenceGrpcDefinition().service, {
    Predict: (call: grpc.ServerUnaryCall<ProtoPredictRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const run = async () => {
        const { input, horizonDays } = predictInput(call.request);
        const out = await engine.predict(input);
        checkHorizon(horizonDays, out);
        return withoutNulls(predictResponse(out, now()));
      };
      run().then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error)),
      );
    },
    Recommend: (call: grpc.ServerUnaryCall<ProtoRecommendRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const run = async () => {
        const out = await engine.recommend(recommendInput(call.request));
        return withoutNulls(recommendResponse(recommendationList(out, `rec:${out.listId}:${out.requestId}`)));
      };
      run().then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error)),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(new QuantError('INFERENCE_GRPC_BIND_FAILED', `gRPC cannot listen on ${options.host}:${options.port}: ${error.message}`, { cause: error })) : resolve(bound),
    ),
  );
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        // In-flight calls finish; a client that hangs is cut after a grace period.
        const force = setTimeout(() => server.forceShutdown(), 5_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      })),
  };
}

/** A promise-based client of the service (tests, bench, other services). */
export interface InferenceClient {
  predict(request: ProtoPredictRequest): Promise<Record<string, unknown>>;
  recommend(request: ProtoRecommendRequest): Promise<Record<string, unknown>>;
  close(): void;
}

export function createInferenceClient(address: string): InferenceClient {
  const Client = inferenceGrpcDefinition();
  const client = new Client(address, grpc.credentials.createInsecure()) as ServiceClient;
  const unary = (method: 'Predict' | 'Recommend') => (request: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      (client[method] as (r: unknown, cb: (e: grpc.ServiceError | null, v: Record<string, unknown>) => void) => void).call(client, request, (error, value) =>
        error ? reject(error) : resolve(value),
      );
    });
  return { predict: unary('Predict'), recommend: unary('Recommend'), close: () => client.close() };
}
