export { OnnxScorer } from './onnx-scorer';
export type { OnnxScorerOptions } from './onnx-scorer';
