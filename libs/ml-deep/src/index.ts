/** Deep models on tfjs (MLP, LSTM, GRU, temporal CNN, Transformer) behind the @quant/ml model port, exported to ONNX. */
export {};
