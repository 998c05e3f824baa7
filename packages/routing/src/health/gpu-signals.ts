/**
 * The graded health states of an endpoint, from best to worst.
 *
 * - `healthy`: serves at full weight.
 * - `degraded`: still serves, at a reduced weight (hot or clock-throttled GPU).
 * - `draining`: takes no new work; streams already on it may finish.
 * - `ejected`: takes no new work and its existing streams should move (a fatal GPU error, or a
 *   passive outlier ejection).
 */
export const HEALTH_STATES = ['healthy', 'degraded', 'draining', 'ejected'] as const;

/** One of {@link HEALTH_STATES}. */
export type HealthState = (typeof HEALTH_STATES)[number];

/**
 * The severity rank of a {@link HealthState}: 0 for `healthy` up to 3 for `ejected`.
 *
 * @param state - a health state.
 * @returns its index in {@link HEALTH_STATES}.
 */
export function healthRank(state: HealthState): number {
  switch (state) {
    case 'healthy':
      return 0;
    case 'degraded':
      return 1;
    case 'draining':
      return 2;
    case 'ejected':
      return 3;
  }
}

/** The state of a rank in 0..3 (clamped). */
export function stateOfRank(rank: number): HealthState {
  if (rank >= 3) return 'ejected';
  if (rank >= 2) return 'draining';
  if (rank >= 1) return 'degraded';
  return 'healthy';
}

/**
 * The XID codes treated as fatal by default: a GPU that logs one should stop receiving new work
 * and its existing streams should move, so it is `ejected`. The list follows NVIDIA's XID catalog
 * ("Xid Errors", docs.nvidia.com/deploy/xid-errors), keeping the codes whose recommended action is
 * a GPU reset, a node reboot or a hardware inspection rather than restarting the application:
 *
 * - 48: double-bit (uncorrectable) ECC error in device memory.
 * - 62: internal micro-controller halt.
 * - 64: page retirement or row-remapper recording failure (the bad memory could not be fenced off).
 * - 74: NVLink error (link down or fatal link error).
 * - 79: the GPU has fallen off the bus (no longer reachable over PCIe).
 * - 94: contained ECC error (the faulting application was killed; a reset is needed to clear it).
 * - 95: uncontained ECC error (other applications may be corrupted; a reset is required).
 * - 119: GSP RPC timeout (the GPU System Processor stopped answering the driver).
 * - 120: GSP error (a fault in the GSP firmware).
 *
 * Application-level XIDs (13 graphics engine exception, 31 memory page fault, 43 stopped channel,
 * 45 preemptive cleanup) are left out: they follow a crashed or killed process, not a broken GPU.
 * Override the list with the `fatalXids` option of the health configuration.
 */
export const DEFAULT_FATAL_XIDS: readonly number[] = Object.freeze([
  48, 62, 64, 74, 79, 94, 95, 119, 120,
]);

/**
 * What a GPU reports about its own health, as read by an adapter (nvidia-smi, DCGM exporter). All
 * fields are optional: a missing field means "no signal". A non-finite number is ignored as if it
 * were missing, so a broken exporter cannot eject or degrade a GPU on its own.
 */
export interface GpuHealthSignals {
  /** GPU core temperature, degrees Celsius. */
  readonly temperatureC?: number;
  /**
   * True when the clocks are held down for a thermal or power-brake reason (NVML clock event
   * reasons such as HW slowdown, HW thermal slowdown, SW thermal slowdown or HW power brake).
   * Running at the configured software power cap under full load is normal and should not be
   * reported here.
   */
  readonly throttled?: boolean;
  /**
   * Uncorrectable ECC errors in the volatile counter (since the last driver load), a count. Any
   * value above 0 is fatal.
   */
  readonly eccUncorrectable?: number;
  /** The XID codes the driver logged recently (the adapter chooses the window). */
  readonly xid?: readonly number[];
  /** True when the row remapper failed to remap a row (NVML's row remapping failure flag). */
  readonly rowRemapFailure?: boolean;
}

/**
 * Why GPU signals graded a GPU the way they did.
 *
 * - `none`: nothing wrong.
 * - `fatal_xid`: a fatal XID was reported (see {@link DEFAULT_FATAL_XIDS}).
 * - `ecc_uncorrectable`: the volatile uncorrectable ECC count is above 0.
 * - `row_remap_failure`: the row remapper failed.
 * - `temperature_drain`: temperature above the drain threshold.
 * - `temperature`: temperature above the degraded threshold.
 * - `throttled`: clocks are thermally or power-brake throttled.
 */
export type GpuHealthCause =
  | 'none'
  | 'fatal_xid'
  | 'ecc_uncorrectable'
  | 'row_remap_failure'
  | 'temperature_drain'
  | 'temperature'
  | 'throttled';

/** The thresholds {@link gradeGpuSignals} applies. */
export interface GpuGradeThresholds {
  /** Above this temperature, degrees Celsius, a GPU is `degraded`. */
  readonly degradedTempC: number;
  /** Above this temperature, degrees Celsius, a GPU is `draining`. */
  readonly drainTempC: number;
  /** The XID codes that eject a GPU. */
  readonly fatalXids: readonly number[];
}

/** The grade of one set of GPU signals. */
export interface GpuGrade {
  /** The state the signals call for. */
  readonly state: HealthState;
  /** The worst signal behind it. */
  readonly cause: GpuHealthCause;
}

const HEALTHY: GpuGrade = Object.freeze({ state: 'healthy', cause: 'none' });

/**
 * Grades one reading of GPU signals, worst signal first: a fatal XID, an uncorrectable ECC error
 * or a row-remap failure ejects; a temperature above `drainTempC - marginC` drains; a temperature
 * above `degradedTempC - marginC` or a throttled clock degrades; anything else is healthy.
 *
 * `marginC` is the hysteresis band: the health tracker grades each reading twice, with 0 (does
 * the reading make things worse?) and with its `hysteresisC` (is the reading clean enough to count
 * towards recovery?), so a temperature that hovers at a threshold neither worsens nor recovers.
 *
 * @param signals - one reading; non-finite numbers are ignored.
 * @param thresholds - the temperature thresholds and fatal XIDs.
 * @param marginC - degrees Celsius subtracted from both temperature thresholds, >= 0.
 * @defaultValue 0
 * @returns the graded state and the worst signal behind it.
 * @example
 * ```ts
 * gradeGpuSignals({ temperatureC: 88 }, { degradedTempC: 85, drainTempC: 92, fatalXids: [79] });
 * // { state: 'degraded', cause: 'temperature' }
 * ```
 */
export function gradeGpuSignals(
  signals: GpuHealthSignals,
  thresholds: GpuGradeThresholds,
  marginC = 0,
): GpuGrade {
  const xids = signals.xid;
  if (xids !== undefined) {
    for (const code of xids) {
      if (thresholds.fatalXids.includes(code)) return { state: 'ejected', cause: 'fatal_xid' };
    }
  }
  const ecc = signals.eccUncorrectable;
  if (typeof ecc === 'number' && Number.isFinite(ecc) && ecc > 0) {
    return { state: 'ejected', cause: 'ecc_uncorrectable' };
  }
  if (signals.rowRemapFailure === true) return { state: 'ejected', cause: 'row_remap_failure' };
  const temp = signals.temperatureC;
  const hasTemp = typeof temp === 'number' && Number.isFinite(temp);
  if (hasTemp && temp > thresholds.drainTempC - marginC) {
    return { state: 'draining', cause: 'temperature_drain' };
  }
  if (hasTemp && temp > thresholds.degradedTempC - marginC) {
    return { state: 'degraded', cause: 'temperature' };
  }
  if (signals.throttled === true) return { state: 'degraded', cause: 'throttled' };
  return HEALTHY;
}
