// The production definition boots with its default set (QUANT_FEATURE_SETS unset: alpha158) and records its columns.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FeatureRepository } from '@quant/feature-store';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest } from '@quant/runtime';
import type { FeaturesEnv } from '../src/features.config';
import { FeaturesEventsHandler } from '../src/features-events.handler';
import { featuresService } from '../src/features.module';

let harness: TestService<FeaturesEnv>;
beforeAll(async () => {
  harness = await bootServiceForTest(featuresService);
});
afterAll(async () => {
  await harness?.close();
});

it('loads alpha158 by default and stores its Qlib column names under its version', async () => {
  const [pipeline] = harness.service.app.get(FeaturesEventsHandler).pipelines;
  expect(pipeline?.set.name).toBe('alpha158');
  const names = await new FeatureRepository(harness.service.store).columns('alpha158', pipeline?.set.version ?? '');
  expect(names).toHaveLength(158);
  expect(names?.slice(0, 2)).toEqual(['KMID', 'KLEN']);
});
