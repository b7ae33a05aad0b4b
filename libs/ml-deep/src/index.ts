/** Deep models on tfjs (MLP, LSTM, GRU, temporal CNN, Transformer) behind the @quant/ml model port, exported to ONNX. */
import { deepBackend } from './backend';

export { DeepModel, DEEP_FACTORIES } from './deep-model';
export { DEEP_KINDS, resolveDeepParams } from './deep-params';
export type { DeepKind, DeepParams, SequenceSpec, CommonParams } from './deep-params';
export { deepBackend, registerGradients, setDeepBackendLogger } from './backend';
export type { DeepBackend } from './backend';

// Start the backend at import: `predict` is synchronous and a model loaded from an artefact must be
// able to score without a prior fit. A failure surfaces later, with its cause, at fit or predict.
await deepBackend().catch(() => undefined);
