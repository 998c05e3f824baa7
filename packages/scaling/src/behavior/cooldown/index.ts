/**
 * Scale-down cooldown: no scale-down right after a scale-up or right after an instance became ready.
 */
export { SCALE_DOWN_COOLDOWN_DEFAULT_MS, scaleDownCooldown } from './scale-down-cooldown.js';
export type {
  ScaleDownCooldownConfig,
  ScaleDownCooldownInput,
  ScaleDownCooldownReason,
  ScaleDownCooldownResult,
} from './scale-down-cooldown.js';
