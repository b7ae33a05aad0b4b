import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QuantError } from '@quant/errors';
import type { Migration, Store } from '@quant/storage';

/**
 * The model registry table, in the DDL subset shared by ClickHouse 18.16 and chdb (plain types, no
 * CODECs, no LowCardinality, no DateTime64). One row per (name, version); a stage change inserts the
 * row again with a larger `revision`, and ReplacingMergeTree(revision) keeps the newest (reads use
 * FINAL). `revision` is an integer, not a DateTime: two promotions in the same second must still order.
 * Parameters and metrics are JSON text: their keys differ per model kind.
 */
export const MODEL_REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    id: 3001,
    name: 'training: model registry',
    statements: [
      `CREATE TABLE IF NOT EXISTS models (
         name String, version UInt32, kind String, stage String,
         feature_set String, feature_set_version String, label String,
         train_from Date, train_to Date, valid_from Date, valid_to Date,
         params String, seed UInt32, data_hash String, metrics String,
         artefact_path String, onnx_path String, created_at DateTime, revision UInt64)
       ENGINE = ReplacingMergeTree(revision) ORDER BY (name, version)`,
    ],
  },
];

export type ModelStage = 'candidate' | 'production' | 'archived';
export const MODEL_STAGES: readonly ModelStage[] = ['candidate', 'production', 'archived'];

/** What a model is and what it was trained on: shared by a registration and its registry entry. */
export interface ModelLineage {
  name: string;
  kind: string;
  featureSet: string;
  featureSetVersion: string;
  label: string;
  trainFrom: string;
  trainTo: string;
  validFrom: string;
  validTo: string;
  params: Record<string, unknown>;
  seed: number;
  /** sha256 (hex) of the training matrix bytes. */
  dataHash: string;
  metrics: Record<string, number | null>;
}

/** What a trainer registers; the registry assigns the version and writes the artefacts. */
export interface ModelRegistration extends ModelLineage {
  /** Model.save() bytes. */
  artefact: Uint8Array;
  /** Model.toOnnx() bytes. */
  onnx: Uint8Array;
  /** Written as metadata.json beside the artefacts (the model's metadata plus lineage). */
  metadata: Record<string, unknown>;
}

export interface RegisteredModel extends ModelLineage {
  version: number;
  stage: ModelStage;
  artefactPath: string;
  onnxPath: string;
  /** YYYY-MM-DD hh:mm:ss UTC. */
  createdAt: string;
}

interface ModelRow {
  name: string;
  version: number | string;
  kind: string;
  stage: string;
  feature_set: string;
  feature_set_version: string;
  label: string;
  train_from: string;
  train_to: string;
  valid_from: string;
  valid_to: string;
  params: string;
  seed: number | string;
  data_hash: string;
  metrics: string;
  artefact_path: string;
  onnx_path: string;
  created_at: string;
  revision: number | string;
}

/** Model names become directory names: keep them to a safe, portable alphabet. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

const SELECT = `SELECT name, version, kind, stage, feature_set, feature_set_version, label,
  toString(train_from) AS train_from, toString(train_to) AS train_to, toString(valid_from) AS valid_from, toString(valid_to) AS valid_to,
  params, seed, data_hash, metrics, artefact_path, onnx_path, toString(created_at) AS created_at, revision FROM models FINAL`;

function invalid(message: string, details: Record<string, string | number> = {}): never {
  throw new QuantError('MODEL_REGISTRY_INVALID', message, { details });
}

export function assertModelName(name: string): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) invalid(`model name "${String(name)}" must be 1-128 characters of letters, digits, "_", "." or "-", starting with a letter or digit`, { name: String(name) });
  return name;
}

function toDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function fromRow(r: ModelRow): RegisteredModel {
  return {
    name: r.name,
    version: Number(r.version),
    kind: r.kind,
    stage: r.stage as ModelStage,
    featureSet: r.feature_set,
    featureSetVersion: r.feature_set_version,
    label: r.label,
    trainFrom: r.train_from,
    trainTo: r.train_to,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    params: JSON.parse(r.params) as Record<string, unknown>,
    seed: Number(r.seed),
    dataHash: r.data_hash,
    metrics: JSON.parse(r.metrics) as Record<string, number | null>,
    artefactPath: r.artefact_path,
    onnxPath: r.onnx_path,
    createdAt: r.created_at,
  };
}

/**
 * Versions, lineage, metrics and stage of trained models (the `models` table), and their files under
 * `artefactDir/<name>/<version>/` (model.bin, model.onnx, metadata.json). One writer per store is
 * assumed: the next version is read then written, which two concurrent trainers of the same name
 * could race (the training service serialises its jobs).
 */
export class ModelRegistry {
  constructor(
    private readonly store: Store,
    private readonly artefactDir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies the registry's migrations (its own block of ids, 3001+, in the shared ledger). */
  async migrate(): Promise<void> {
    await this.store.migrate(MODEL_REGISTRY_MIGRATIONS);
  }

  private async row(name: string, version: number): Promise<ModelRow | undefined> {
    const rows = await this.store.query<ModelRow>(`${SELECT} WHERE name = {name:String} AND version = {version:UInt32}`, { name, version });
    return rows[0];
  }

  private revisionAfter(row: ModelRow | undefined): number {
    // Microseconds of the clock, but always above the row's current revision (clock steps, same-ms calls).
    return Math.max(this.now() * 1000, row === undefined ? 0 : Number(row.revision) + 1);
  }

  /** Stores the artefacts and a candidate row under the next version of `name` (1 for a new name). */
  async register(model: ModelRegistration): Promise<RegisteredModel> {
    const name = assertModelName(model.name);
    for (const key of ['trainFrom', 'trainTo', 'validFrom', 'validTo'] as const) {
      if (!DATE_RE.test(model[key])) invalid(`model ${name}: ${key} "${model[key]}" is not a YYYY-MM-DD date`, { name, field: key });
    }
    if (!Number.isInteger(model.seed) || model.seed < 0 || model.seed > 0xffffffff) invalid(`model ${name}: seed must be an integer in 0..2^32-1, got ${model.seed}`, { name });
    const [last] = await this.store.query<{ v: number | string }>('SELECT max(version) AS v FROM models FINAL WHERE name = {name:String}', { name });
    const version = Number(last?.v ?? 0) + 1;
    const dir = join(this.artefactDir, name, String(version));
    const artefactPath = join(dir, 'model.bin');
    const onnxPath = join(dir, 'model.onnx');
    await mkdir(dir, { recursive: true });
    // Files first, row last: a row never points at files that are not there.
    await writeAtomic(artefactPath, model.artefact);
    await writeAtomic(onnxPath, model.onnx);
    const createdAt = toDateTime(this.now());
    await writeAtomic(join(dir, 'metadata.json'), `${JSON.stringify({ name, version, createdAt, ...model.metadata }, null, 2)}\n`);
    const row: ModelRow = {
      name,
      version,
      kind: model.kind,
      stage: 'candidate',
      feature_set: model.featureSet,
      feature_set_version: model.featureSetVersion,
      label: model.label,
      train_from: model.trainFrom,
      train_to: model.trainTo,
      valid_from: model.validFrom,
      valid_to: model.validTo,
      params: JSON.stringify(model.params),
      seed: model.seed,
      data_hash: model.dataHash,
      metrics: JSON.stringify(model.metrics),
      artefact_path: artefactPath,
      onnx_path: onnxPath,
      created_at: createdAt,
      revision: this.revisionAfter(undefined),
    };
    await this.store.insert('models', [row]);
    return fromRow(row);
  }

  /**
   * Moves a version to a stage. At most one production version per name: promoting one to production
   * archives the version that held it. Unknown name/version or stage is a QuantError.
   */
  async promote(name: string, version: number, stage: ModelStage): Promise<RegisteredModel> {
    if (!MODEL_STAGES.includes(stage)) invalid(`stage "${String(stage)}" is not one of ${MODEL_STAGES.join(', ')}`, { stage: String(stage) });
    const target = await this.row(assertModelName(name), version);
    if (target === undefined) throw new QuantError('MODEL_NOT_FOUND', `no model ${name} version ${version} in the registry`, { details: { name, version } });
    const updates: ModelRow[] = [];
    if (stage === 'production') {
      const current = await this.store.query<ModelRow>(`${SELECT} WHERE name = {name:String} AND stage = 'production'`, { name });
      for (const r of current) if (Number(r.version) !== version) updates.push({ ...r, stage: 'archived', revision: this.revisionAfter(r) });
    }
    const moved: ModelRow = { ...target, stage, revision: this.revisionAfter(target) };
    updates.push(moved);
    await this.store.insert('models', updates);
    return fromRow(moved);
  }

  async get(name: string, version: number): Promise<RegisteredModel | null> {
    const row = await this.row(name, version);
    return row === undefined ? null : fromRow(row);
  }

  /** Every version (of one name when given), by name then version. */
  async list(name?: string): Promise<RegisteredModel[]> {
    const rows =
      name === undefined
        ? await this.store.query<ModelRow>(`${SELECT} ORDER BY name, version`)
        : await this.store.query<ModelRow>(`${SELECT} WHERE name = {name:String} ORDER BY version`, { name });
    return rows.map(fromRow);
  }

  /** The production version of a name, or null. */
  async production(name: string): Promise<RegisteredModel | null> {
    const rows = await this.store.query<ModelRow>(`${SELECT} WHERE name = {name:String} AND stage = 'production' ORDER BY version DESC`, { name });
    return rows[0] === undefined ? null : fromRow(rows[0]);
  }

  /** The artefact bytes of a registered version (for ModelFactory.load). */
  async artefact(name: string, version: number): Promise<Uint8Array> {
    const model = await this.get(name, version);
    if (model === null) throw new QuantError('MODEL_NOT_FOUND', `no model ${name} version ${version} in the registry`, { details: { name, version } });
    return new Uint8Array(await readFile(model.artefactPath));
  }
}

/** Write to a temporary name then rename, so a crash never leaves a truncated artefact under the real name. */
async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const partial = `${path}.partial-${process.pid}`;
  await writeFile(partial, data);
  await rename(partial, path);
}
