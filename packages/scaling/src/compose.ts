/** The replica counts each layer proposes, for {@link composeReplicas}. */
export interface ComposeInput {
  /** Hard lower bound (the policy's minReplicas), integer >= 0. */
  readonly minReplicas: number;
  /** Hard upper bound (the policy's maxReplicas), integer >= minReplicas. */
  readonly maxReplicas: number;
  /** What the reactive policy (target tracking, step, HPA) decided, after its own behavior. */
  readonly reactiveReplicas: number;
  /** Floor and ceiling from the schedules active now (see `scheduledBounds`), if any. */
  readonly scheduled?: {
    readonly minReplicas: number | undefined;
    readonly maxReplicas: number | undefined;
  };
  /** Floor from the predictive policy in forecast-and-scale mode, if any. */
  readonly predictiveFloor?: number | undefined;
}

/** Which layer set the final count. */
export type ComposeLimit =
  | 'reactive'
  | 'static_min'
  | 'static_max'
  | 'schedule_floor'
  | 'schedule_ceiling'
  | 'predictive_floor';

/** The composed decision. */
export interface ComposedReplicas {
  /** The replicas to run. */
  readonly replicas: number;
  /** The floor in force (static, schedule and predictive combined). */
  readonly floor: number;
  /** The ceiling in force (static and schedule combined). */
  readonly ceiling: number;
  /** The layer that decided: `reactive` when the reactive count was inside [floor, ceiling]. */
  readonly limitedBy: ComposeLimit;
}

function finiteInt(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? Math.round(value) : undefined;
}

/**
 * Composes scheduled bounds, a predictive floor and the reactive decision into one count, by a
 * fixed rule:
 *
 * 1. The static bounds [minReplicas, maxReplicas] are hard: nothing goes outside them.
 * 2. Schedules narrow them: ceiling = min(maxReplicas, schedule ceiling); the schedule floor is
 *    raised into the band (a schedule cannot push past the hard bounds).
 * 3. The predictive floor raises the floor, never above the ceiling: capacity for the forecast is
 *    there before the ramp, and a forecast alone never lowers anything (it only raises a floor).
 * 4. The reactive count is taken as is inside [floor, ceiling], so spikes above the forecast are
 *    still served up to the ceiling; outside, it is clamped and `limitedBy` names the layer.
 *
 * Non-finite layer inputs are ignored (that layer is treated as absent).
 *
 * @example
 * ```ts
 * const { replicas, limitedBy } = composeReplicas({
 *   minReplicas: 2, maxReplicas: 40, reactiveReplicas: 6,
 *   scheduled: { minReplicas: 10, maxReplicas: undefined }, predictiveFloor: 14,
 * }); // 14, 'predictive_floor'
 * ```
 */
export function composeReplicas(input: ComposeInput): ComposedReplicas {
  const staticMin = Math.max(0, finiteInt(input.minReplicas) ?? 0);
  const staticMax = Math.max(staticMin, finiteInt(input.maxReplicas) ?? staticMin);
  const clampStatic = (v: number) => Math.min(staticMax, Math.max(staticMin, v));

  let ceiling = staticMax;
  let ceilingBy: ComposeLimit = 'static_max';
  const scheduleCeiling = finiteInt(input.scheduled?.maxReplicas);
  if (scheduleCeiling !== undefined && clampStatic(scheduleCeiling) < ceiling) {
    ceiling = clampStatic(scheduleCeiling);
    ceilingBy = 'schedule_ceiling';
  }
  let floor = staticMin;
  let floorBy: ComposeLimit = 'static_min';
  const scheduleFloor = finiteInt(input.scheduled?.minReplicas);
  if (scheduleFloor !== undefined && clampStatic(scheduleFloor) > floor) {
    floor = clampStatic(scheduleFloor);
    floorBy = 'schedule_floor';
  }
  if (floor > ceiling) {
    // A schedule floor above a schedule ceiling: the floor wins (capacity over cost), as scheduledBounds reports.
    ceiling = floor;
  }
  const predictive = finiteInt(input.predictiveFloor);
  if (predictive !== undefined && Math.min(predictive, ceiling) > floor) {
    floor = Math.min(predictive, ceiling);
    floorBy = 'predictive_floor';
  }
  const reactive = finiteInt(input.reactiveReplicas) ?? floor;
  if (reactive < floor) return { replicas: floor, floor, ceiling, limitedBy: floorBy };
  if (reactive > ceiling) return { replicas: ceiling, floor, ceiling, limitedBy: ceilingBy };
  return { replicas: reactive, floor, ceiling, limitedBy: 'reactive' };
}
