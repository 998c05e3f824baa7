import { packageTestConfig } from '../../vitest.shared.js';

// Generous per-test time: property tests run 1,000 cases each, and CI runs packages side by side
// on 2 cores. No test waits on wall time; this only bounds a slow machine.
export default packageTestConfig({ testTimeoutMs: 120_000 });
