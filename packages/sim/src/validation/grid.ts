import {
  measureBatchingAdmission,
  measureBatchingServiceTime,
  validateBatchingPoint,
  validateMgcPoint,
  type CapacityValidationPoint,
} from './capacity-validation.js';

/** The loads of the validation grid: utilization 0.5 to 0.9. */
export const VALIDATION_LOADS: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.9];

/** The replica counts of the validation grid (servers, for setup (a)). */
export const VALIDATION_REPLICAS: readonly number[] = [1, 2, 4, 8];

/**
 * Below this simulated wait, ms, errors are measured against the floor instead of relative to the
 * simulated value (a relative error on a wait of a few ms says nothing).
 */
export const VALIDATION_FLOOR_MS = 50;

/** Options of the validation grids. */
export interface ValidationGridOptions {
  /** Requests per grid point, in expectation. @defaultValue 40_000 (setup a), 20_000 (setup b) */
  readonly requests?: number;
  /** Seed of every point. @defaultValue 1 */
  readonly seed?: number;
}

/**
 * Setup (a) over the grid: c servers, Poisson arrivals, gamma service times of mean 100 ms with
 * coefficient of variation `cv`, one shared queue or one queue per replica.
 */
export function mgcGrid(
  cv: number,
  queue: 'shared' | 'per-replica',
  options: ValidationGridOptions = {},
): CapacityValidationPoint[] {
  const out: CapacityValidationPoint[] = [];
  for (const replicas of VALIDATION_REPLICAS) {
    for (const rho of VALIDATION_LOADS) {
      out.push(
        validateMgcPoint({
          rho,
          replicas,
          queue,
          service: { meanMs: 100, cv },
          requests: options.requests ?? 40_000,
          seed: options.seed ?? 1,
          floorMs: VALIDATION_FLOOR_MS,
        }),
      );
    }
  }
  return out;
}

/**
 * Setup (b) over the grid: the Splitwise llama2-70b / H100 model with `slots` sequences per batch,
 * the service time measured at full concurrency, predicted with the admission term (step and
 * prefill times from {@link measureBatchingAdmission}) and without it.
 */
export function batchingGrid(
  slots: number,
  options: ValidationGridOptions = {},
): CapacityValidationPoint[] {
  const seed = options.seed ?? 1;
  const service = measureBatchingServiceTime(slots, seed);
  const admission = measureBatchingAdmission(slots, seed);
  const out: CapacityValidationPoint[] = [];
  for (const replicas of VALIDATION_REPLICAS) {
    for (const rho of VALIDATION_LOADS) {
      out.push(
        validateBatchingPoint({
          rho,
          replicas,
          slots,
          service,
          admission,
          requests: options.requests ?? 20_000,
          seed,
          floorMs: VALIDATION_FLOOR_MS,
        }),
      );
    }
  }
  return out;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function pct(error: number, relative: boolean): string {
  const v = `${error >= 0 ? '+' : ''}${(error * 100).toFixed(1)}%`;
  return relative ? v : `${v}*`;
}

/**
 * The grid as a fixed-width text table: load, replicas, servers, predicted and simulated P95 and
 * P99 queue wait, and the error (`*`: measured against the floor, the simulated value being below
 * it); for setup (b) also the P99 predicted without the admission term and its error.
 */
export function formatValidationTable(points: readonly CapacityValidationPoint[]): string {
  const head = [
    'rho',
    'repl',
    'servers',
    'req/s',
    'pred p95',
    'sim p95',
    'err p95',
    'pred p99',
    'sim p99',
    'err p99',
  ];
  const widths = [5, 5, 8, 9, 10, 10, 9, 10, 10, 9];
  const baseline = points.some((p) => p.withoutAdmission !== undefined);
  if (baseline) {
    head.push('no-adm p99', 'err');
    widths.push(11, 9);
  }
  const lines = [head.map((h, i) => pad(h, widths[i] as number)).join(' ')];
  for (const p of points) {
    const row = [
      p.rho.toFixed(1),
      String(p.replicas),
      String(p.servers),
      p.arrivalRatePerS.toFixed(2),
      p.predictedMs.p95.toFixed(1),
      p.simulatedMs.p95.toFixed(1),
      pct(p.error.p95, p.relative.p95),
      p.predictedMs.p99.toFixed(1),
      p.simulatedMs.p99.toFixed(1),
      pct(p.error.p99, p.relative.p99),
    ];
    if (baseline) {
      const b = p.withoutAdmission;
      row.push(
        b === undefined ? '-' : b.predictedMs.p99.toFixed(1),
        b === undefined ? '-' : pct(b.error.p99, p.relative.p99),
      );
    }
    lines.push(row.map((c, i) => pad(c, widths[i] as number)).join(' '));
  }
  return lines.join('\n');
}
