/** Inference: production models from the registry scored with onnxruntime-node, predictions and next-day recommendations. */
export {};
