/** Evaluation: prediction, classification and financial metrics (as Qlib computes them) and the A-share backtest engine. */
export {};
