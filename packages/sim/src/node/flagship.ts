import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '@headroom/core';
import { createServiceModel } from '../service/service-model.js';
import { describeColdStart, resolveColdStart } from '../engine/cold-start.js';
import type { ColdStartPresetName } from '../engine/cold-start.js';
import { simulate } from '../engine/simulate.js';
import type { PolicyRunResult, SimReport } from '../engine/types.js';
import { POLICY_NAMES, createPolicy } from '../policies/index.js';
import type { PolicyName } from '../policies/index.js';
import { baselineTargets } from '../policies/targets.js';
import { runOracle } from '../oracle/index.js';
import { renderHtmlReport } from '../report/index.js';
import { scaleRate, scaleTime } from '../traces/index.js';
import type { Trace } from '../traces/index.js';
import { bundledTracePath, loadTrace } from './load-trace.js';
import type { BundledTraceName } from './load-trace.js';

/** Options of {@link runFlagship}: every flag of `headroom-sim`. */
export interface FlagshipOptions {
  /** Trace files, or the bundled names `azure-code` and `azure-conv`. @defaultValue both bundled traces */
  readonly traces?: readonly string[];
  /** Policies to compare; the oracle is always added. @defaultValue every named policy */
  readonly policies?: readonly PolicyName[];
  /** TTFT SLO, ms. @defaultValue 2000 */
  readonly sloTtftMs?: number;
  /** Cold-start preset. @defaultValue 'production-bimodal' */
  readonly coldStart?: ColdStartPresetName;
  /** Model of the service model (Splitwise-calibrated: llama2-70b, bloom-176b). @defaultValue 'llama2-70b' */
  readonly model?: string;
  /** GPU of the service model (h100-80gb, a100-80gb, or a catalog class for the roofline). @defaultValue 'h100-80gb' */
  readonly gpu?: string;
  /** Seed of every random draw. @defaultValue 1 */
  readonly seed?: number;
  /** Arrival-time factor (0.1 = ten times compressed). @defaultValue 1 */
  readonly timeScale?: number;
  /** Arrival-rate factor (thinning below 1, jittered copies above). @defaultValue 1 */
  readonly rateScale?: number;
  /** Called after each run with the number done and the total, for a progress bar. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

const BUNDLED: readonly string[] = ['azure-code', 'azure-conv'];

function readTrace(spec: string): Trace {
  return BUNDLED.includes(spec)
    ? loadTrace(bundledTracePath(spec as BundledTraceName), { name: spec })
    : loadTrace(spec);
}

/**
 * Runs the flagship comparison: each trace through each policy and the oracle bound, on the same
 * service model, SLO, cold starts and seed. Deterministic: the same options give the same report.
 *
 * @param options - see {@link FlagshipOptions}.
 * @returns the report, ready for `renderTable`, `renderHtmlReport` or JSON.
 * @throws `HeadroomError` for an unreadable trace, an unknown policy or an invalid setting.
 */
export function runFlagship(options: FlagshipOptions = {}): SimReport {
  const traces = options.traces ?? BUNDLED;
  const policies = options.policies ?? POLICY_NAMES;
  const sloTtftMs = options.sloTtftMs ?? 2_000;
  const coldStartName = options.coldStart ?? 'production-bimodal';
  const seed = options.seed ?? 1;
  const timeScale = options.timeScale ?? 1;
  const rateScale = options.rateScale ?? 1;
  const service = createServiceModel({
    model: options.model ?? 'llama2-70b',
    gpu: options.gpu ?? 'h100-80gb',
  });
  const total = traces.length * (policies.length + 1);
  let done = 0;
  const scenarios: SimReport['scenarios'][number][] = [];
  for (const spec of traces) {
    let trace = readTrace(spec);
    if (timeScale !== 1) trace = scaleTime(trace, timeScale);
    if (rateScale !== 1) trace = scaleRate(trace, rateScale, createRandom(seed));
    const base = {
      service,
      sloTtftMs,
      seed,
      coldStart: coldStartName,
      minReplicas: 1,
      maxReplicas: 200,
    };
    const results: PolicyRunResult[] = [];
    options.onProgress?.(done, total, `oracle on ${trace.name}`);
    const oracle = runOracle(trace, base, { windowCandidatesMs: [30_000, 'trace'] }).result;
    results.push(oracle);
    done += 1;
    const targets = baselineTargets({ service, trace, sloTtftMs });
    for (const name of policies) {
      options.onProgress?.(done, total, `${name} on ${trace.name}`);
      const policyOptions =
        name === 'knative' ? targets.knative : name === 'keda' ? targets.keda : {};
      results.push(simulate({ ...base, trace, policy: createPolicy(name, policyOptions) }));
      done += 1;
    }
    options.onProgress?.(done, total, `${trace.name} done`);
    scenarios.push({
      name: trace.name,
      trace: {
        name: trace.name,
        source: trace.source,
        requests: trace.requests.length,
        durationMs: trace.durationMs,
      },
      settings: {
        seed,
        gpuClass: `${service.model} on ${service.gpu} (${service.gpusPerReplica} GPUs per replica)`,
        sloTtftMs,
        coldStart: describeColdStart(resolveColdStart(coldStartName)),
        timeScale,
      },
      results,
    });
  }
  return {
    version: 1,
    title: 'headroom flagship: scaling policies on real Azure LLM inference traffic',
    scenarios,
  };
}

/**
 * Writes a report as `report.json` and `report.html` (self-contained, offline) into `dir`.
 *
 * @param report - from {@link runFlagship}.
 * @param dir - the output folder (created when missing).
 * @returns the two file paths.
 */
export function writeReport(report: SimReport, dir: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderHtmlReport(report));
  return { json, html };
}
