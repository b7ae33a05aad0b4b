import type { RetrainTrigger } from '@quant/contracts';
import type { Migration, Store } from '@quant/storage';

/**
 * The training service's own block of migration ids (8001+; market data 1001+, feature store 2001+,
 * model registry 3001+).
 * One row per retrain trigger and state; a state change inserts the row again with a larger revision
 * and ReplacingMergeTree(revision) keeps the newest (reads use FINAL), the registry's pattern. The
 * trigger is kept as JSON so a job queued before a restart can run after it.
 */
export const TRAINING_JOB_MIGRATIONS: readonly Migration[] = [
  {
    id: 8001,
    name: 'training service: retrain jobs',
    statements: [
      `CREATE TABLE IF NOT EXISTS training_jobs (
         trigger_id String, model_name String, state String, trigger String, outcome String,
         updated_at DateTime, revision UInt64)
       ENGINE = ReplacingMergeTree(revision) ORDER BY trigger_id`,
    ],
  },
];

/** queued: accepted (the trigger's offset may be committed); done / failed: finished, with the outcome. */
export type JobState = 'queued' | 'done' | 'failed';

export interface TrainingJob {
  trigger: RetrainTrigger;
  state: JobState;
  outcome: string;
}

interface JobRow {
  trigger_id: string;
  model_name: string;
  state: string;
  trigger: string;
  outcome: string;
  updated_at: string;
  revision: number | string;
}

export class TrainingJobRepository {
  private lastRevision = 0;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async migrate(): Promise<void> {
    await this.store.migrate(TRAINING_JOB_MIGRATIONS);
  }

  /** The newest state of a trigger's job, or null when the trigger was never accepted. */
  async get(triggerId: string): Promise<TrainingJob | null> {
    const rows = await this.store.query<JobRow>('SELECT trigger_id, model_name, state, trigger, outcome, revision FROM training_jobs FINAL WHERE trigger_id = {id:String}', { id: triggerId });
    return rows[0] === undefined ? null : toJob(rows[0]);
  }

  /** Jobs accepted but not finished (a restart resumes them), oldest trigger first. */
  async pending(): Promise<TrainingJob[]> {
    const rows = await this.store.query<JobRow>("SELECT trigger_id, model_name, state, trigger, outcome, revision FROM training_jobs FINAL WHERE state = 'queued' ORDER BY revision");
    return rows.map(toJob).sort((a, b) => a.trigger.triggeredAt - b.trigger.triggeredAt);
  }

  async save(trigger: RetrainTrigger, state: JobState, outcome = ''): Promise<void> {
    // Microseconds of the clock, strictly increasing within this process (two states in one ms must order).
    this.lastRevision = Math.max(this.now() * 1000, this.lastRevision + 1);
    await this.store.insert('training_jobs', [
      {
        trigger_id: trigger.eventId,
        model_name: trigger.modelName,
        state,
        trigger: JSON.stringify(trigger),
        outcome,
        updated_at: new Date(this.now()).toISOString().slice(0, 19).replace('T', ' '),
        revision: this.lastRevision,
      },
    ]);
  }
}

function toJob(row: JobRow): TrainingJob {
  return { trigger: JSON.parse(row.trigger) as RetrainTrigger, state: row.state as JobState, outcome: row.outcome };
}
