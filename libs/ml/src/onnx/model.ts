/**
 * ONNX ModelProto as plain data plus its encoder. Field numbers follow the public onnx.proto
 * (IR version 8): only the fields our exporters use are written, always in the same order, so the
 * bytes are a pure function of the model description.
 */
import { ProtoWriter } from './protobuf';

/** TensorProto.DataType values used here. */
export const ONNX_DTYPE = { float: 1, int64: 7, bool: 9, double: 11 } as const;
export type OnnxDataType = keyof typeof ONNX_DTYPE;

export interface OnnxTensor {
  name: string;
  dataType: 'float' | 'double' | 'int64';
  dims: number[];
  data: ArrayLike<number>;
}

export type OnnxAttribute =
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'tensor'; value: OnnxTensor }
  | { name: string; type: 'floats'; value: ArrayLike<number> }
  | { name: string; type: 'ints'; value: ArrayLike<number> }
  | { name: string; type: 'strings'; value: readonly string[] };

export interface OnnxNode {
  opType: string;
  /** '' (default) for ai.onnx, 'ai.onnx.ml' for the classic ML operators. */
  domain?: string;
  name?: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

/** A tensor graph input/output; a string dim is symbolic (dim_param), a number is fixed (dim_value). */
export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: OnnxGraph;
  /** Stored as metadata_props, sorted by key for determinism. */
  metadata?: Record<string, string>;
}

/** Versions our exporters target: ai.onnx 17 (IR 8) and ai.onnx.ml 3 (tensor-valued tree attributes). */
export const DEFAULT_IR_VERSION = 8;
export const DEFAULT_OPSETS = [
  { domain: '', version: 17 },
  { domain: 'ai.onnx.ml', version: 3 },
];
export const PRODUCER_NAME = 'quant-ml';
export const PRODUCER_VERSION = '0.1.0';

// AttributeProto.AttributeType
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) {
    throw new RangeError(`ONNX tensor ${t.name}: dims [${t.dims.join(', ')}] hold ${count} values, data has ${t.data.length}`);
  }
  // TensorProto: dims=1, data_type=2, float_data=4, int64_data=7, name=8, double_data=10
  w.packedInt64s(1, t.dims);
  w.int64(2, ONNX_DTYPE[t.dataType]);
  if (t.dataType === 'float') w.packedFloats(4, t.data);
  else if (t.dataType === 'int64') w.packedInt64s(7, t.data);
  else w.packedDoubles(10, t.data);
  if (t.name) w.string(8, t.name);
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  // AttributeProto: name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, strings=9, type=20
  w.string(1, a.name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int64(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, (s) => writeTensor(s, a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInt64s(8, a.value);
      break;
    case 'strings':
      for (const s of a.value) w.string(9, s);
      break;
  }
  w.int64(20, ATTR_TYPE[a.type]);
}

function writeNode(w: ProtoWriter, n: OnnxNode, index: number): void {
  // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5, domain=7
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.opType}_${index}`);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, (s) => writeAttribute(s, a));
  if (n.domain) w.string(7, n.domain);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  // ValueInfoProto: name=1, type=2; TypeProto.tensor_type=1; Tensor: elem_type=1, shape=2;
  // TensorShapeProto.dim=1; Dimension: dim_value=1, dim_param=2
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int64(1, ONNX_DTYPE[v.elemType]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int64(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  // GraphProto: node=1, name=2, initializer=5, input=11, output=12
  g.nodes.forEach((n, i) => w.message(1, (s) => writeNode(s, n, i)));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (s) => writeTensor(s, t));
  for (const v of g.inputs) w.message(11, (s) => writeValueInfo(s, v));
  for (const v of g.outputs) w.message(12, (s) => writeValueInfo(s, v));
}

/** Encodes a ModelProto. Same description, same bytes. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  // ModelProto: ir_version=1, producer_name=2, producer_version=3, doc_string=6, graph=7,
  // opset_import=8 (OperatorSetIdProto: domain=1, version=2), metadata_props=14 (key=1, value=2)
  w.int64(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, (g) => writeGraph(g, m.graph));
  for (const o of m.opsets) {
    w.message(8, (s) => {
      s.string(1, o.domain);
      s.int64(2, o.version);
    });
  }
  const meta = m.metadata ?? {};
  for (const key of Object.keys(meta).sort()) {
    w.message(14, (s) => {
      s.string(1, key);
      s.string(2, meta[key] as string);
    });
  }
  return w.finish();
}

/** The standard scoring signature every exported model has: `features` float [N, F] -> `score` float [N, 1]. */
export const FEATURES_INPUT = 'features';
export const SCORE_OUTPUT = 'score';

export function scoringModel(
  featureCount: number,
  nodes: OnnxNode[],
  initializers: OnnxTensor[],
  options: { graphName: string; docString?: string; metadata?: Record<string, string> },
): Uint8Array {
  return encodeOnnxModel({
    irVersion: DEFAULT_IR_VERSION,
    opsets: DEFAULT_OPSETS,
    producerName: PRODUCER_NAME,
    producerVersion: PRODUCER_VERSION,
    ...(options.docString ? { docString: options.docString } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
    graph: {
      name: options.graphName,
      nodes,
      initializers,
      inputs: [{ name: FEATURES_INPUT, elemType: 'float', shape: ['N', featureCount] }],
      outputs: [{ name: SCORE_OUTPUT, elemType: 'float', shape: ['N', 1] }],
    },
  });
}
