export { OracleOptionsSchema, oracleSchedule, oracleWindows } from './oracle.js';
export type {
  OracleNeed,
  OracleOptions,
  OracleResult,
  OracleWindow,
  OracleWindowPlan,
} from './oracle.js';
export { engineWindowMisses, runOracle } from './engine-oracle.js';
export type {
  EngineWindowMissesOptions,
  OracleRun,
  OracleSimBase,
  RunOracleOptions,
} from './engine-oracle.js';
