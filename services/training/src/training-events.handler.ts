import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Alert, ModelLifecycle, RetrainTrigger } from '@quant/contracts';
import { Topics } from '@quant/contracts';
import { describeError } from '@quant/errors';
import type { FeatureSet } from '@quant/features';
import { FeatureRepository, storeFeatureLoader } from '@quant/feature-store';
import { canonicalCode } from '@quant/market';
import { MarketDataRepository } from '@quant/market-data';
import type { EventContext, EventPublisher, HandlerRegistry, JsonLogger, ServiceConfig } from '@quant/runtime';
import { EVENT_PUBLISHER, EventTally, HANDLER_REGISTRY, RUNTIME_CONFIG, RUNTIME_LOGGER, STORE } from '@quant/runtime';
import type { Store } from '@quant/storage';
import type { ModelLookup, TrainWorkflowResult, TrainedModelSummary } from '@quant/training';
import { rollWorkflow, trainWorkflow } from '@quant/training';
import type { TrainingEnv } from './training.config';
import { TrainingJobRepository } from './training-jobs.repository';
import { resolveWorkflow } from './workflow-resolver';

/** What the service trains with; tests pass small stand-ins, production the catalogues. */
export interface TrainingDeps {
  /** Model factories by kind (default: @quant/ml's). */
  models?: ModelLookup;
  /** Feature sets by name (default: the catalogue of @quant/features). */
  featureSets?: (name: string) => FeatureSet;
}
export const TRAINING_DEPS = 'quant.training.deps';

const ACTOR = 'training-service';

/**
 * Retrain triggers in, trained candidate models and their lifecycle events out. The contracts have no
 * separate training request: a trigger with reason MANUAL is one.
 *
 * Acknowledgement: a trigger is acknowledged once its job is durably queued in the store
 * (`training_jobs`), not after the training. Training takes minutes and kafkajs heartbeats only between
 * messages, so awaiting it in the handler would outlive the consumer's session timeout (30 s), get the
 * member evicted and the trigger redelivered to train again. The job row is the at-least-once record
 * instead: jobs still `queued` at boot (a crash or shutdown mid-training) run again after a restart.
 * Dedup is durable too: a trigger id with a job row in any state is never trained again, redelivered
 * before or after a restart (a failed job needs a new trigger).
 *
 * One job runs at a time (a promise chain), in acceptance order. A failed job publishes a FIRING alert
 * on `Topics.alert` with the error code and message (ModelLifecycle has no failure stage) and is marked
 * failed; the trigger itself was valid, so nothing is dead-lettered.
 */
@Injectable()
export class TrainingEventsHandler implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  /** Deliveries per topic, redeliveries included (health, tests). */
  readonly tally = new EventTally();
  readonly jobs: TrainingJobRepository;
  private readonly log: JsonLogger;
  private readonly market: MarketDataRepository;
  /** Trigger ids queued by this process (the store is the durable record; this closes the gap between insert and read). */
  private readonly accepted = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    @Inject(HANDLER_REGISTRY) registry: HandlerRegistry,
    @Inject(RUNTIME_LOGGER) logger: JsonLogger,
    @Inject(RUNTIME_CONFIG) private readonly config: ServiceConfig<TrainingEnv>,
    @Inject(STORE) private readonly store: Store,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(TRAINING_DEPS) private readonly deps: TrainingDeps,
  ) {
    this.log = logger.child(TrainingEventsHandler.name);
    this.market = new MarketDataRepository(store);
    this.jobs = new TrainingJobRepository(store);
    registry.handle(Topics.retrainTrigger, (trigger, context) => this.onTrigger(trigger, context));
  }

  async onModuleInit(): Promise<void> {
    await this.market.migrate();
    await new FeatureRepository(this.store).migrate();
    await this.jobs.migrate();
  }

  /** Resumes jobs accepted before a restart and not finished. */
  async onApplicationBootstrap(): Promise<void> {
    for (const job of await this.jobs.pending()) {
      this.log.info('resuming a training job queued before the restart', { eventId: job.trigger.eventId, model: job.trigger.modelName });
      this.enqueue(job.trigger);
    }
  }

  /** Stops starting jobs and waits a bounded time for the running one; what is left stays queued for the next start. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((done) => (timer = setTimeout(done, Math.floor(this.config.shutdownTimeoutMs * 0.3))));
    await Promise.race([this.queue, bound]);
    clearTimeout(timer);
  }

  /** Resolves when every job queued so far has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async onTrigger(trigger: RetrainTrigger, context: EventContext): Promise<void> {
    const fields = { eventId: trigger.eventId, model: trigger.modelName, reason: trigger.reason, partition: context.partition, offset: context.offset };
    this.tally.record(context.topic, trigger.eventId);
    if (this.accepted.has(trigger.eventId) || (await this.jobs.get(trigger.eventId)) !== null) {
      this.log.info('duplicate retrain trigger ignored', fields);
      return;
    }
    await this.jobs.save(trigger, 'queued');
    this.accepted.add(trigger.eventId);
    this.log.info('retrain trigger queued', fields);
    this.enqueue(trigger);
  }

  private enqueue(trigger: RetrainTrigger): void {
    // run() never rejects, so one failed job cannot break the chain.
    this.queue = this.queue.then(() => this.run(trigger));
  }

  private async run(trigger: RetrainTrigger): Promise<void> {
    if (this.stopping) return;
    const started = Date.now();
    const fields = { eventId: trigger.eventId, model: trigger.modelName };
    try {
      const resolved = await resolveWorkflow(this.config.extra.QUANT_TRAINING_WORKFLOWS_DIR, trigger.modelName);
      const file = resolved.file;
      // A trigger that says how far the data goes rolls the workflow's windows up to that day.
      const workflow = trigger.dataUntil ? rollWorkflow(resolved.workflow, trigger.dataUntil) : resolved.workflow;
      this.log.info('training started', {
        ...fields,
        workflow: file,
        models: workflow.models.map((m) => m.name),
        train: `${workflow.segments.train.from}..${workflow.segments.train.to}`,
        valid: `${workflow.segments.valid.from}..${workflow.segments.valid.to}`,
        ...(trigger.newSampleCount === null ? {} : { newSamples: trigger.newSampleCount }),
      });
      const progress = (text: string) => this.log.debug(text, fields);
      const result = await trainWorkflow(workflow, {
        store: this.store,
        artefactDir: resolve(this.config.extra.QUANT_MODEL_ARTEFACTS_DIR),
        market: this.market,
        features: storeFeatureLoader(this.store, this.market, { indexCode: canonicalCode(workflow.benchmark), onProgress: progress }),
        ...(this.deps.models === undefined ? {} : { models: this.deps.models }),
        ...(this.deps.featureSets === undefined ? {} : { featureSets: this.deps.featureSets }),
        onProgress: progress,
      });
      const events = await Promise.all(result.models.map((m) => this.lifecycleOf(trigger, result, m)));
      await this.publisher.publish(Topics.modelLifecycle, events);
      await this.jobs.save(trigger, 'done', JSON.stringify({ workflow: file, models: result.models.map((m) => ({ name: m.name, version: m.version })) }));
      this.log.info('training finished', { ...fields, seconds: (Date.now() - started) / 1000, models: events.map((e) => `${e.modelName}@${e.modelVersion}`) });
    } catch (error) {
      await this.fail(trigger, error);
    }
  }

  private async fail(trigger: RetrainTrigger, error: unknown): Promise<void> {
    const { code, message } = describeError(error);
    const fields = { eventId: trigger.eventId, model: trigger.modelName, code };
    this.log.error('training failed', { ...fields, message });
    const alert: Alert = {
      eventId: `alert:training-failed:${trigger.eventId}`,
      alertKey: `training:${trigger.modelName}`,
      severity: 'CRITICAL',
      status: 'FIRING',
      source: ACTOR,
      title: `Training of ${trigger.modelName} failed`,
      message: `${code}: ${message}`,
      labels: { model: trigger.modelName, triggerId: trigger.eventId, reason: trigger.reason, code },
      value: null,
      threshold: null,
      firedAt: Date.now(),
      resolvedAt: null,
    };
    // Either may fail when the bus or store is down; the job then stays queued and runs again at the next start.
    try {
      await this.publisher.publish(Topics.alert, [alert]);
      await this.jobs.save(trigger, 'failed', `${code}: ${message}`);
    } catch (cause) {
      this.log.error('could not report the failed training; the job stays queued', { ...fields, message: describeError(cause).message });
    }
  }

  private async lifecycleOf(trigger: RetrainTrigger, result: TrainWorkflowResult, model: TrainedModelSummary): Promise<ModelLifecycle> {
    const onnx = await readFile(model.onnxPath);
    const metrics: Record<string, number> = {};
    for (const [name, value] of Object.entries({ ic: model.valid.ic, rankIc: model.valid.rankIc, icir: model.valid.icir, rankIcir: model.valid.rankIcir, mse: model.valid.mse })) {
      if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
    }
    // The trigger's current version is the parent of the model it names; other models of the workflow
    // (a whole-workflow request) descend from their previous version.
    const previous = model.version > 1 ? String(model.version - 1) : null;
    const parentVersion = model.name === trigger.modelName ? (trigger.currentVersion ?? previous) : previous;
    return {
      eventId: `lifecycle:${model.name}@${model.version}:CANDIDATE`,
      modelName: model.name,
      modelVersion: String(model.version),
      stage: 'CANDIDATE',
      previousStage: null,
      parentVersion,
      trainingRunId: `train:${trigger.eventId}`,
      algorithm: model.kind,
      featureSet: result.featureSet,
      featureSetVersion: result.featureSetVersion,
      label: result.label,
      trainStart: result.train.from,
      trainEnd: result.train.to,
      validStart: result.valid.from,
      validEnd: result.valid.to,
      datasetHash: `sha256:${model.dataHash}`,
      artifactUri: pathToFileURL(model.onnxPath).href,
      artifactSha256: createHash('sha256').update(onnx).digest('hex'),
      metrics,
      reason: `retrain ${trigger.reason}${trigger.detail === null ? '' : `: ${trigger.detail}`} (trigger ${trigger.eventId})`,
      actor: ACTOR,
      occurredAt: Date.now(),
    };
  }
}
