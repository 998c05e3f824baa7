/**
 * Predictive scaling: forecast demand from history with daily and weekly seasonality, and set a
 * replica floor for the demand one cold start (plus a scheduling buffer) ahead.
 *
 * @module
 */

export type { DemandPoint } from './history.js';
export { forecastDemand } from './forecast.js';
export type {
  DemandForecast,
  ForecastMethod,
  ForecastOptions,
  ForecastRequest,
  ResolvedForecastOptions,
} from './forecast.js';
export { backtest } from './backtest.js';
export type { BacktestOptions, BacktestOutcome, BacktestResult } from './backtest.js';
export {
  PredictiveScalingConfigSchema,
  parsePredictiveScalingConfig,
  predictiveDecision,
} from './predictive-policy.js';
export type {
  MaxCapacityBehavior,
  PredictiveDecision,
  PredictiveDecisionInput,
  PredictiveMode,
  PredictiveReason,
  PredictiveScalingConfig,
  PredictiveScalingConfigInput,
} from './predictive-policy.js';
