import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { Topics, defaultCatalog } from '../src';

// The gRPC contract mirrors the Avro events it returns; this keeps the two in step.
const PROTO = fileURLToPath(new URL('../../../proto/grpc/quant/inference/v1/inference.proto', import.meta.url));

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function avroFields(schemaName: string, nested?: string): Array<{ name: string; optional: boolean }> {
  let record = defaultCatalog().current(schemaName).schema as { fields: Array<{ name: string; type: unknown }> };
  if (nested) record = (record.fields.find((f) => f.name === nested)?.type as { items: typeof record }).items;
  return record.fields.map((f) => ({ name: f.name, optional: Array.isArray(f.type) && f.type[0] === 'null' }));
}

function protoFields(type: protobuf.Type): Array<{ name: string; optional: boolean }> {
  // protobufjs camel-cases field names by default; proto3 `optional` shows as a synthetic oneof.
  return type.fieldsArray.map((f) => ({ name: camel(f.name), optional: Boolean(f.options?.['proto3_optional']) }));
}

describe('proto/grpc quant.inference.v1', () => {
  const root = protobuf.loadSync(PROTO);
  root.resolveAll();

  it('declares the Inference service with Predict and Recommend', () => {
    const service = root.lookupService('quant.inference.v1.Inference');
    expect(Object.keys(service.methods).sort()).toEqual(['Predict', 'Recommend']);
    expect(service.methods['Predict']?.requestType).toBe('PredictRequest');
    expect(service.methods['Recommend']?.responseType).toBe('RecommendResponse');
  });

  it('Prediction mirrors the Avro Prediction field for field, nullability included', () => {
    expect(protoFields(root.lookupType('quant.inference.v1.Prediction'))).toEqual(avroFields(Topics.prediction.schemaName));
  });

  it('RecommendResponse and RecommendationItem mirror the Avro recommendation list', () => {
    expect(protoFields(root.lookupType('quant.inference.v1.RecommendResponse'))).toEqual(avroFields(Topics.recommendation.schemaName));
    expect(protoFields(root.lookupType('quant.inference.v1.RecommendationItem'))).toEqual(avroFields(Topics.recommendation.schemaName, 'items'));
    expect(protoFields(root.lookupType('quant.inference.v1.ExcludedCandidate'))).toEqual(avroFields(Topics.recommendation.schemaName, 'excluded'));
  });
});
