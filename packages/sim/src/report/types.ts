/**
 * The result shapes the report renderers read. They are the engine's own (`src/engine/types.ts`,
 * as the sim design fixes them); this module only adds a name for one scenario of a report.
 */
import type { SimReport } from '../engine/types.js';

export type { PolicyRunResult, Quantiles, SimReport } from '../engine/types.js';

/** One trace replayed under several policies with the same settings: an entry of `SimReport.scenarios`. */
export type SimScenario = SimReport['scenarios'][number];
