export { encodeOnnxModel, scoringModel, FEATURES_INPUT, SCORE_OUTPUT, ONNX_DTYPE, DEFAULT_IR_VERSION, DEFAULT_OPSETS } from './model';
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxAttribute, OnnxTensor, OnnxValueInfo, OnnxDataType } from './model';
export { ProtoWriter } from './protobuf';
export { treeEnsembleToOnnx } from './tree-ensemble';
export type { TreeEnsembleOnnxOptions } from './tree-ensemble';
export { linearToOnnx } from './linear';
export type { LinearOnnxSpec, RandomFourierMap } from './linear';
