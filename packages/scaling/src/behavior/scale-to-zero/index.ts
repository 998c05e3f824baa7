/**
 * Scale to zero with KEDA's semantics: an activation threshold for 0 <-> 1, separate from the
 * scaling target for 1 <-> N, and a cooldown after the last active sample.
 */
export {
  ScaleToZeroConfigSchema,
  initialScaleToZeroState,
  parseScaleToZeroConfig,
  scaleToZeroStep,
} from './scale-to-zero.js';
export type {
  ScaleToZeroAction,
  ScaleToZeroConfig,
  ScaleToZeroConfigInput,
  ScaleToZeroDecision,
  ScaleToZeroInput,
  ScaleToZeroReason,
  ScaleToZeroState,
} from './scale-to-zero.js';
