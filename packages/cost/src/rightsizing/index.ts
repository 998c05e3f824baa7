/**
 * Right-sizing: the cheapest MIG profile, GPU group or instance type that holds a model with
 * memory headroom and carries its load, with every rejected candidate and its reason.
 */
export {
  RIGHT_SIZE_KINDS,
  RightSizeRequirementSchema,
  ThroughputProfileSchema,
  rightSize,
} from './right-size.js';
export type {
  AcceptedCandidate,
  MigPricing,
  RejectedCandidate,
  RejectionReason,
  RightSizeKind,
  RightSizeRequirement,
  RightSizeRequirementInput,
  RightSizeResult,
  ThroughputSource,
} from './right-size.js';
export { RooflineModelSchema, rooflineRequestsPerSecond, weightBytes } from './roofline.js';
export type { RooflineEstimate, RooflineHardware, RooflineModel } from './roofline.js';
