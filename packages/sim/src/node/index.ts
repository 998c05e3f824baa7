/**
 * `@headroom/sim/node`: the simulator's Node edge: reading trace files, the flagship run and
 * writing its report. Everything else is in the pure `@headroom/sim` entry.
 *
 * @packageDocumentation
 */

export {
  BUNDLED_TRACES,
  TRACE_FORMATS,
  bundledTracePath,
  detectTraceFormat,
  loadTrace,
} from './load-trace.js';
export type { BundledTraceName, LoadTraceOptions, TraceFormat } from './load-trace.js';
export { runFlagship, writeReport } from './flagship.js';
export type { FlagshipOptions } from './flagship.js';
