/**
 * Evaluation: signal, classification, regression and financial metrics (as Qlib computes them, see
 * METRICS.md), the score calibration used by recommendations, and the A-share backtest engine.
 */
export { mean, sampleStd, pearsonCorrelation, spearmanCorrelation, averageRank, binomialTestHalf } from './statistics';
export { crossSectionalPercentiles } from './cross-section';
export { signalMetrics, monthlySignalMetrics, groupByDate } from './signal-metrics';
export type { SignalRow, SignalMetrics, DailySignalMetric } from './signal-metrics';
export { classificationMetrics, signalClassificationMetrics, rocAuc } from './classification-metrics';
export type { ScoredExample, ClassificationMetrics, SignalClassificationMode } from './classification-metrics';
export { regressionMetrics } from './regression-metrics';
export type { RegressionMetrics } from './regression-metrics';
export { riskAnalysis, maxDrawdownOfSum, cumulativeCurves, portfolioMetrics, TRADING_DAYS_PER_YEAR } from './risk-metrics';
export type { RiskAnalysis, DailyPortfolioReturn, PortfolioMetrics, PortfolioMetricsOptions } from './risk-metrics';
export { fitScoreCalibration, applyCalibration, poolAdjacentViolators } from './score-calibration';
export type { ScoreCalibration, CalibrationRow, CalibrationOptions, CalibratedScore } from './score-calibration';
export { runBacktest } from './backtest.engine';
export { inMemoryBacktestMarket } from './backtest-market.port';
export type { BacktestMarket, DayQuote, MarketBar } from './backtest-market.port';
export type {
  BacktestOptions,
  BacktestStrategy,
  BacktestSignal,
  BacktestResult,
  BacktestDay,
  BacktestSummary,
  BacktestTrade,
  BacktestPosition,
  BlockedOrder,
  BlockReason,
} from './backtest.types';
export { aShareCosts, qlibCosts } from './cost-models';
export type { CostModel } from './cost-models';
export { checkOrder, isTradedQuote } from './order-checks';
export type { OrderContext, OrderCheck } from './order-checks';
export { topkDropoutPlan, topkPlan } from './topk-plan';
export type { TradePlan, Ranked } from './topk-plan';
export { metricsRecord } from './metrics-record';
export type { MetricsRecord } from './metrics-record';
