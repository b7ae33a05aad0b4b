import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { describeError } from '@quant/errors';
import { FeatureRepository } from '@quant/feature-store';
import type { ApplyCalibration, Scorer } from '@quant/inference';
import { HybridScorer, InThreadScorer, InferenceEngine, WorkerPoolScorer } from '@quant/inference';
import { MarketDataRepository } from '@quant/market-data';
import type { JsonLogger, ServiceConfig } from '@quant/runtime';
import { RUNTIME_CONFIG, RUNTIME_LOGGER, STORE } from '@quant/runtime';
import type { Store } from '@quant/storage';
import { ModelRegistry } from '@quant/training';
import type { InferenceEnv } from './inference.config';
import type { RunningGrpcServer } from './inference.grpc';
import { startInferenceGrpcServer } from './inference.grpc';
import type { CachedFeatureReader } from './store.adapters';
import { registryModelSource, storeFeatureReader, storeMarketReader } from './store.adapters';

export const INFERENCE_OPTIONS = 'quant.inference.options';

export interface InferenceServiceOptions {
  /** Reads a model's stored calibration (default: @quant/evaluation's applyCalibration); tests replace it. */
  applyCalibration?: ApplyCalibration;
  /** Overrides QUANT_INFERENCE_GRPC_PORT (tests: 0, a free port). */
  grpcPort?: number;
}

/**
 * The engine and its gRPC listener, owned by the Nest app: built on init (migrations of what it reads,
 * scorer, first load of the production set, registry polling), closed on shutdown (gRPC drains first,
 * then the model sets and the scoring threads).
 */
@Injectable()
export class InferenceRuntime implements OnModuleInit, OnModuleDestroy {
  engine!: InferenceEngine;
  features!: CachedFeatureReader;
  private scorer: Scorer | undefined;
  private grpc: RunningGrpcServer | undefined;
  private poll: NodeJS.Timeout | undefined;
  /** The last reload failure, so polling does not repeat the same warning. */
  private lastFailure: string | undefined;
  private readonly log: JsonLogger;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: ServiceConfig<InferenceEnv>,
    @Inject(STORE) private readonly store: Store,
    @Inject(RUNTIME_LOGGER) logger: JsonLogger,
    @Inject(INFERENCE_OPTIONS) private readonly options: InferenceServiceOptions,
  ) {
    this.log = logger.child(InferenceRuntime.name);
  }

  /** Port of the gRPC listener. */
  get grpcPort(): number {
    return this.grpc?.port ?? 0;
  }

  async onModuleInit(): Promise<void> {
    const extra = this.config.extra;
    const registry = new ModelRegistry(this.store, extra.QUANT_INFERENCE_ARTEFACTS);
    const market = new MarketDataRepository(this.store);
    const featureRepository = new FeatureRepository(this.store);
    // Tables it reads must exist on a fresh store (each owner's block of migration ids).
    await registry.migrate();
    await market.migrate();
    await featureRepository.migrate();
    this.scorer =
      extra.QUANT_INFERENCE_WORKERS > 0
        ? new HybridScorer(new InThreadScorer(), await WorkerPoolScorer.start(extra.QUANT_INFERENCE_WORKERS), extra.QUANT_INFERENCE_POOL_MIN_ROWS)
        : new InThreadScorer();
    this.features = storeFeatureReader(featureRepository);
    this.engine = new InferenceEngine({
      models: registryModelSource(registry, extra.QUANT_INFERENCE_ARTEFACTS),
      features: this.features,
      market: storeMarketReader(market, extra.QUANT_INFERENCE_MARKET),
      scorer: this.scorer,
      defaultTopK: extra.QUANT_INFERENCE_TOP_K,
      defaultNDrop: extra.QUANT_INFERENCE_N_DROP,
      ...(this.options.applyCalibration ? { applyCalibration: this.options.applyCalibration } : {}),
    });
    await this.reload('boot');
    if (extra.QUANT_INFERENCE_POLL_MS > 0) {
      this.poll = setInterval(() => void this.reload('poll'), extra.QUANT_INFERENCE_POLL_MS);
      this.poll.unref();
    }
    this.grpc = await startInferenceGrpcServer(this.engine, { host: this.config.http.host, port: this.options.grpcPort ?? extra.QUANT_INFERENCE_GRPC_PORT });
    this.log.info('inference ready', { grpcPort: this.grpc.port, serving: this.engine.serving, scorer: this.scorer.kind });
  }

  /** Loads the production set if it changed; a failure is logged (once until it changes) and the served set stays. */
  async reload(reason: string): Promise<boolean> {
    try {
      const changed = await this.engine.reload();
      this.lastFailure = undefined;
      if (changed) this.log.info('model set swapped in', { reason, serving: this.engine.serving });
      return changed;
    } catch (error) {
      const { code, message } = describeError(error);
      if (`${code}: ${message}` !== this.lastFailure) this.log.warn('model set not (re)loaded', { reason, code, message, serving: this.engine.serving });
      this.lastFailure = `${code}: ${message}`;
      return false;
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.poll);
    await this.grpc?.close();
    await this.engine?.close();
    await this.scorer?.close();
  }
}
