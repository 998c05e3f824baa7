// A property-tested policy experiment: fast-check generates short traffic shapes (a Poisson base
// with one burst, or a linear ramp), the simulator replays each through headroom's scaling policy
// (llama2-70b on H100, TP 2, production cold starts, TTFT SLO 2 s), and the property is "the
// policy attains at least 99% of the SLO". When a shape breaks it, fast-check shrinks the shape
// to the smallest one that still breaks it; we then print that shape with the policy's and the
// oracle's figures on it. A counterexample is the expected outcome, not an error.
// Deterministic: a fixed fast-check seed, and each trace built from its shape with a fixed seed.
// Run: npm run build && npm run example -w @headroom/example-policy-experiment
import { createRandom } from '@headroom/core';
import {
  createPolicy,
  createServiceModel,
  runOracle,
  simulate,
  traceFromShape,
  type OracleSimBase,
  type PolicyRunResult,
  type TraceShape,
} from '@headroom/sim';
import fc from 'fast-check';

const TRACE_SEED = 7;
const SEARCH_SEED = 42;
const DURATION_MS = 240_000; // 4 minutes per generated trace

// The settings every run shares: the policy's and the oracle's.
const base: OracleSimBase = {
  service: createServiceModel({ model: 'llama2-70b', gpu: 'h100-80gb' }),
  sloTtftMs: 2_000,
  coldStart: 'production-bimodal',
  seed: 1,
  minReplicas: 1,
  maxReplicas: 64,
};

// Shapes within bounds: a Poisson base with one burst, or a ramp (rates in requests/s).
const burst = fc.record({
  kind: fc.constant('burst' as const),
  durationMs: fc.constant(DURATION_MS),
  baseRatePerSec: fc.integer({ min: 1, max: 6 }),
  bursts: fc.array(
    fc.record({
      atMs: fc.integer({ min: 0, max: 200 }).map((s) => s * 1_000),
      durationMs: fc.integer({ min: 5, max: 60 }).map((s) => s * 1_000),
      multiplier: fc.integer({ min: 1, max: 8 }),
    }),
    { minLength: 1, maxLength: 1 },
  ),
});
const ramp = fc.record({
  kind: fc.constant('ramp' as const),
  durationMs: fc.constant(DURATION_MS),
  fromRatePerSec: fc.integer({ min: 1, max: 6 }),
  toRatePerSec: fc.integer({ min: 1, max: 30 }),
  rampStartMs: fc.integer({ min: 0, max: 120 }).map((s) => s * 1_000),
  rampDurationMs: fc.integer({ min: 10, max: 120 }).map((s) => s * 1_000),
});
const shapes: fc.Arbitrary<TraceShape> = fc.oneof(burst, ramp);

function runHeadroom(shape: TraceShape): PolicyRunResult {
  const trace = traceFromShape(shape, createRandom(TRACE_SEED));
  return simulate({ ...base, trace, policy: createPolicy('headroom') });
}

const started = performance.now();
let runs = 0;
const details = fc.check(
  fc.property(shapes, (shape) => {
    runs += 1;
    return runHeadroom(shape).requests.sloAttainment >= 0.99;
  }),
  { seed: SEARCH_SEED, numRuns: 15 },
);

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
if (!details.failed || details.counterexample === null) {
  console.log(`no shape broke the property in ${details.numRuns} runs`);
} else {
  const [shape] = details.counterexample;
  console.log(
    `property "headroom attains >= 99% of the TTFT SLO" broken after ${details.numRuns} shapes; ` +
      `${details.numShrinks} shrink steps (${runs} simulations in all)`,
  );
  console.log('smallest breaking shape:');
  console.log(JSON.stringify(shape, null, 2));
  const trace = traceFromShape(shape, createRandom(TRACE_SEED));
  const policy = simulate({ ...base, trace, policy: createPolicy('headroom') });
  const oracle = runOracle(trace, base).result;
  console.log(`${trace.requests.length} requests over ${trace.durationMs / 1_000} s`);
  for (const r of [policy, oracle]) {
    console.log(
      `${r.policy.padEnd(9)} SLO ${pct(r.requests.sloAttainment).padStart(7)}  ` +
        `GPU-hours ${r.gpuHours.total.toFixed(3)}  TTFT p99 ${Math.round(r.latencyMs.ttft.p99)} ms  ` +
        `cold starts ${r.coldStarts}  dropped ${r.requests.dropped}`,
    );
  }
}
console.log(`done in ${((performance.now() - started) / 1_000).toFixed(1)} s`);
