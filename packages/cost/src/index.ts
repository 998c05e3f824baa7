/**
 * `@headroom/cost`: the cost math of a GPU fleet, as pure functions.
 *
 * - Catalog: {@link defaultCatalog} (GPU classes and AWS instance types with dated prices and
 *   sources) and {@link loadCatalog} (your own catalog or overrides, validated).
 * - MIG: {@link migGeometry}, {@link validateLayout} (says exactly why a layout is invalid),
 *   {@link packMig} (exact for small problems, pattern heuristic for large ones),
 *   {@link repackMig} (fewest GPUs reconfigured), {@link toMigPartedConfig} and
 *   {@link toKubernetesResources}.
 * - Whole-GPU packing with memory headroom: {@link packReplicas}.
 * - Right-sizing: {@link rightSize}, the cheapest GPU, MIG profile or instance type that fits and
 *   meets throughput, with every rejected candidate and its reason.
 * - Allocation: {@link allocateCost} (integer micro-dollars that sum exactly to the bill, three
 *   idle modes), {@link toFocusRows} (FinOps FOCUS rows), {@link accountIdle}.
 * - Anomalies: {@link createAnomalyDetector} (hour-of-week baseline plus a robust z-score).
 * - Planning: {@link planCapacity} (reserved, on-demand and spot tiers per region) and the
 *   break-even calculators.
 *
 * @packageDocumentation
 */

export * from './catalog/index.js';
export * from './mig/index.js';
export * from './packing/index.js';
export * from './rightsizing/index.js';
export * from './allocation/index.js';
export * from './anomaly/index.js';
export * from './planning/index.js';
export { MICRO_PER_USD, formatMicroUsd, microToUsd, roundUsd, usdToMicro } from './money.js';
