import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { openStore } from '@quant/storage';
import type { Store } from '@quant/storage';
import { MODEL_REGISTRY_MIGRATIONS, ModelRegistry } from '../src';
import type { ModelRegistration } from '../src';

let dir: string;
let store: Store;
let registry: ModelRegistry;
let clock = Date.UTC(2024, 0, 2, 3, 4, 5);

function registration(name: string, extra: Partial<ModelRegistration> = {}): ModelRegistration {
  return {
    name,
    kind: 'mean',
    featureSet: 'alpha158',
    featureSetVersion: 'v1',
    label: 'LABEL0',
    trainFrom: '2010-01-04',
    trainTo: '2014-12-29',
    validFrom: '2015-01-05',
    validTo: '2016-12-28',
    params: { alpha: 1 },
    seed: 42,
    dataHash: 'ab'.repeat(32),
    metrics: { ic: 0.05, rankIc: null, mse: 1.5 },
    artefact: Uint8Array.of(1, 2, 3),
    onnx: Uint8Array.of(8, 9),
    metadata: { kind: 'mean' },
    ...extra,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-registry-'));
  store = await openStore(join(dir, 'store'));
  // Same-millisecond calls on purpose: stage changes must still order by revision.
  registry = new ModelRegistry(store, join(dir, 'artefacts'), () => clock);
  await registry.migrate();
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ModelRegistry (chdb)', () => {
  it('migrates in its own block of ids, idempotently', async () => {
    expect(MODEL_REGISTRY_MIGRATIONS.every((m) => m.id >= 3001 && m.id < 4000)).toBe(true);
    const again = await store.migrate(MODEL_REGISTRY_MIGRATIONS);
    expect(again.applied).toEqual([]);
  });

  it('registers the next version per name as a candidate, with artefacts on disk', async () => {
    const a1 = await registry.register(registration('alpha'));
    const a2 = await registry.register(registration('alpha', { seed: 7 }));
    const b1 = await registry.register(registration('beta'));
    expect([a1.version, a2.version, b1.version]).toEqual([1, 2, 1]);
    expect(a1.stage).toBe('candidate');
    expect(a1.artefactPath).toBe(join(dir, 'artefacts', 'alpha', '1', 'model.bin'));
    expect([...readFileSync(a1.artefactPath)]).toEqual([1, 2, 3]);
    expect([...readFileSync(a1.onnxPath)]).toEqual([8, 9]);
    const meta = JSON.parse(readFileSync(join(dir, 'artefacts', 'alpha', '1', 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ name: 'alpha', version: 1, kind: 'mean', createdAt: '2024-01-02 03:04:05' });
    const got = await registry.get('alpha', 2);
    expect(got).toMatchObject({ name: 'alpha', version: 2, stage: 'candidate', seed: 7, trainFrom: '2010-01-04', validTo: '2016-12-28', params: { alpha: 1 } });
    expect(got?.metrics).toEqual({ ic: 0.05, rankIc: null, mse: 1.5 });
    expect(await registry.get('alpha', 9)).toBeNull();
    expect((await registry.list()).map((m) => `${m.name}@${m.version}`)).toEqual(['alpha@1', 'alpha@2', 'beta@1']);
    expect([...(await registry.artefact('alpha', 1))]).toEqual([1, 2, 3]);
  });

  it('keeps one production version per name: promoting archives the previous one', async () => {
    await registry.promote('alpha', 1, 'production');
    expect((await registry.production('alpha'))?.version).toBe(1);
    await registry.promote('alpha', 2, 'production');
    expect((await registry.production('alpha'))?.version).toBe(2);
    expect((await registry.list('alpha')).map((m) => m.stage)).toEqual(['archived', 'production']);
    // Another name is untouched.
    expect((await registry.get('beta', 1))?.stage).toBe('candidate');
    expect(await registry.production('beta')).toBeNull();
    // Back to candidate: no production left.
    clock += 1000;
    await registry.promote('alpha', 2, 'candidate');
    expect(await registry.production('alpha')).toBeNull();
  });

  it('refuses unknown versions, stages and bad names with clear errors', async () => {
    await expect(registry.promote('alpha', 99, 'production')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(registry.promote('alpha', 1, 'live' as never)).rejects.toThrow(/stage "live" is not one of candidate, production, archived/);
    await expect(registry.register(registration('../evil'))).rejects.toBeInstanceOf(QuantError);
    await expect(registry.register(registration('gamma', { trainFrom: '2010/01/01' }))).rejects.toThrow(/trainFrom "2010\/01\/01" is not a YYYY-MM-DD date/);
    expect(existsSync(join(dir, 'artefacts', 'gamma'))).toBe(false);
  });
});
