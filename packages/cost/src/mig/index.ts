/**
 * NVIDIA MIG: geometry, layout validation, packing, incremental re-packing and exports
 * (mig-parted config, Kubernetes mixed-strategy resources).
 */
export {
  MigGeometrySchema,
  MigProfileSchema,
  compareProfiles,
  migCapableGpus,
  migGeometry,
  migProfile,
  migSlotClasses,
  parseMigGeometry,
  resolveMigGeometry,
} from './geometry.js';
export type {
  MigGeometry,
  MigGeometryInput,
  MigGeometrySpec,
  MigProfile,
  MigSlotClass,
} from './geometry.js';
export { migFeasibleMultisets, migMaximalMultisets } from './multisets.js';
export type { MigClassMultiset, MigMultisetOptions } from './multisets.js';
export { assertValidLayout, validateLayout } from './validate.js';
export type {
  MigLayoutProblem,
  MigLayoutProblemCode,
  MigLayoutValidation,
  MigPlacement,
} from './validate.js';
export {
  MigDemandSchema,
  MigDemandsSchema,
  MigInventoryGpuSchema,
  MigInventorySchema,
  MigPlacementSchema,
  lowerBound,
  packFirstFitDecreasing,
  packMig,
  smallestFittingProfile,
} from './pack.js';
export type {
  MigAssignedPlacement,
  MigDemand,
  MigDemandInput,
  MigGpuLayout,
  MigInventoryInput,
  MigPackOptions,
  MigPackResult,
  MigUnplaced,
  MigUnplacedReason,
} from './pack.js';
export { MigCurrentGpuSchema, repackMig } from './repack.js';
export type {
  MigCurrentGpu,
  MigDrain,
  MigPlacementOnGpu,
  MigRepackOptions,
  MigRepackResult,
} from './repack.js';
export { MIG_CONFIG_LABEL, toKubernetesResources, toMigPartedConfig } from './output.js';
export type {
  MigExportLayout,
  MigGpuLocation,
  MigPartedConfig,
  MigPartedEntry,
  MigPartedOptions,
  MigPartedOutput,
} from './output.js';
