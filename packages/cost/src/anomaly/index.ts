/**
 * Cost anomaly detection on hourly spend: an hour-of-week seasonal median with a MAD-based robust
 * z-score, an EWMA fallback, streaming and batch forms.
 */
export {
  AnomalyConfigSchema,
  HOUR_MS,
  HOURS_PER_WEEK,
  MAD_Z_CONSTANT,
  createAnomalyDetector,
  detectAnomalies,
} from './detector.js';
export type {
  AnomalyBaseline,
  AnomalyConfig,
  AnomalyConfigInput,
  AnomalyDetector,
  AnomalyDetectorState,
  AnomalySeriesState,
  CostAnomaly,
  SpendPoint,
} from './detector.js';
