import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUDGET_CLASS_RANK,
  BUDGET_WORKLOAD_CLASSES,
  DEFAULT_BUDGET_CLASS_PRIORITY,
  arbitrateBudget,
  budgetBenefitFromSloAttainment,
  budgetPoolKey,
  type BudgetArbitration,
  type BudgetArbitrationInput,
  type BudgetGrant,
  type BudgetWorkloadInput,
} from './index.js';

const RUNS = { numRuns: 1000 };

const POOLS = [
  { region: 'us-east-1', gpuClass: 'H100-80GB' },
  { region: 'us-east-1', gpuClass: 'A10G' },
  { region: 'eu-west-1', gpuClass: 'H100-80GB' },
] as const;

interface Shape {
  readonly gpr1: boolean;
  readonly cap: boolean;
  readonly preemptibleAll: boolean;
}

function inputArb(shape: Partial<Shape> = {}): fc.Arbitrary<BudgetArbitrationInput> {
  const workload = fc
    .record({
      pool: fc.integer({ min: 0, max: 2 }),
      class: fc.constantFrom(...BUDGET_WORKLOAD_CLASSES),
      priority: fc.option(fc.constantFrom(0, 100, 200, 300), { nil: undefined }),
      gpusPerReplica: shape.gpr1 === true ? fc.constant(1) : fc.constantFrom(1, 1, 2, 4, 8),
      currentReplicas: fc.integer({ min: 0, max: 8 }),
      desiredReplicas: fc.integer({ min: 0, max: 8 }),
      minShare: fc.double({ min: 0, max: 1, noNaN: true }),
      preemptible:
        shape.preemptibleAll === true
          ? fc.constant(true)
          : fc.option(fc.boolean(), { nil: undefined }),
      benefit: fc.option(fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 8 }), {
        nil: undefined,
      }),
    })
    .map((w) => ({ ...w, minReplicas: Math.floor(w.minShare * (w.desiredReplicas + 0.999)) }));
  return fc
    .record({
      pools: fc.array(fc.integer({ min: 0, max: 24 }), { minLength: 3, maxLength: 3 }),
      cap:
        shape.cap === false
          ? fc.constant(undefined)
          : fc.option(fc.integer({ min: 0, max: 48 }), { nil: undefined }),
      workloads: fc.array(workload, { maxLength: 8 }),
      allowPreemptingRealtime: fc.boolean(),
    })
    .map((s): BudgetArbitrationInput => ({
      pools: s.pools.map((gpus, i) => ({ ...(POOLS[i] as (typeof POOLS)[number]), gpus })),
      ...(s.cap === undefined ? {} : { fleetGpuCap: s.cap }),
      workloads: s.workloads.map((w, i): BudgetWorkloadInput => ({
        id: `w${i}`,
        ...(POOLS[w.pool] as (typeof POOLS)[number]),
        class: w.class,
        ...(w.priority === undefined ? {} : { priority: w.priority }),
        gpusPerReplica: w.gpusPerReplica,
        currentReplicas: w.currentReplicas,
        desiredReplicas: w.desiredReplicas,
        minReplicas: Math.min(w.minReplicas, w.desiredReplicas),
        ...(w.preemptible === undefined ? {} : { preemptible: w.preemptible }),
        ...(w.benefit === undefined ? {} : { benefit: [...w.benefit].sort((a, b) => b - a) }),
      })),
      policy: { allowPreemptingRealtime: s.allowPreemptingRealtime },
    }));
}

/** Positive when `a` is on a strictly higher tier (priority, then class) than `b`. */
function tier(a: BudgetGrant, b: BudgetGrant): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  return BUDGET_CLASS_RANK[a.class] - BUDGET_CLASS_RANK[b.class];
}

/** The replicas a workload holds before priority order: its minimum, or its kept replicas. */
function floorOf(g: BudgetGrant, result: BudgetArbitration): number {
  return !result.allowPreemptingRealtime && !g.preemptible
    ? Math.max(g.minReplicas, Math.min(g.currentReplicas, g.desiredReplicas))
    : g.minReplicas;
}

function sumGpus(grants: readonly BudgetGrant[], replicas: (g: BudgetGrant) => number): number {
  return grants.reduce((sum, g) => sum + replicas(g) * g.gpusPerReplica, 0);
}

describe('arbitrateBudget properties', () => {
  it('never exceeds a pool budget or the fleet cap, and accounts for every GPU', () => {
    fc.assert(
      fc.property(inputArb(), (input) => {
        const result = arbitrateBudget(input);
        for (const pool of result.pools) {
          const members = result.workloads.filter((w) => w.pool === pool.pool);
          expect(pool.usedGpus).toBe(sumGpus(members, (g) => g.grantedReplicas));
          expect(pool.usedGpus).toBeLessThanOrEqual(pool.budgetGpus);
          expect(pool.freeGpus).toBe(pool.budgetGpus - pool.usedGpus);
        }
        expect(result.fleet.usedGpus).toBe(sumGpus(result.workloads, (g) => g.grantedReplicas));
        if (input.fleetGpuCap !== undefined) {
          expect(result.fleet.usedGpus).toBeLessThanOrEqual(input.fleetGpuCap);
        }
      }),
      RUNS,
    );
  });

  it('grants every minimum exactly when the minimums fit, and never more than desired', () => {
    fc.assert(
      fc.property(inputArb(), (input) => {
        const result = arbitrateBudget(input);
        const poolsFit = result.pools.every((p) => p.minimumGpus <= p.budgetGpus);
        const fleetFits =
          input.fleetGpuCap === undefined ||
          sumGpus(result.workloads, (g) => g.minReplicas) <= input.fleetGpuCap;
        expect(result.feasible).toBe(poolsFit && fleetFits);
        expect(result.infeasible.length === 0).toBe(result.feasible);
        for (const g of result.workloads) {
          expect(g.grantedReplicas).toBeGreaterThanOrEqual(0);
          expect(g.grantedReplicas).toBeLessThanOrEqual(g.desiredReplicas);
          expect(g.cutReplicas).toBe(g.desiredReplicas - g.grantedReplicas);
          expect(g.preemptedReplicas).toBe(
            Math.max(0, Math.min(g.currentReplicas, g.desiredReplicas) - g.grantedReplicas),
          );
          if (result.feasible) expect(g.grantedReplicas).toBeGreaterThanOrEqual(g.minReplicas);
        }
      }),
      RUNS,
    );
  });

  it('cuts a higher tier only when the lower tiers above their floors could not fund one replica', () => {
    // Precise statement: if H is cut, then in H's pool, the free GPUs plus every GPU granted to a
    // strictly lower tier above its floor are fewer than one replica of H; or the same holds
    // fleet-wide under the cap. Floor = minimum, or the kept replicas of a protected
    // non-preemptible workload.
    fc.assert(
      fc.property(inputArb(), (input) => {
        const result = arbitrateBudget(input);
        const extraGpus = (members: readonly BudgetGrant[], h: BudgetGrant): number =>
          members
            .filter((l) => tier(h, l) > 0)
            .reduce(
              (sum, l) =>
                sum + Math.max(0, l.grantedReplicas - floorOf(l, result)) * l.gpusPerReplica,
              0,
            );
        for (const h of result.workloads) {
          if (h.cutReplicas === 0) continue;
          const pool = result.pools.find((p) => p.pool === h.pool);
          if (pool === undefined) throw new Error('pool missing');
          const members = result.workloads.filter((w) => w.pool === h.pool);
          const poolBound = pool.freeGpus + extraGpus(members, h) < h.gpusPerReplica;
          const fleetBound =
            result.fleet.freeGpus !== undefined &&
            result.fleet.freeGpus + extraGpus(result.workloads, h) < h.gpusPerReplica;
          expect(poolBound || fleetBound).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('with one GPU per replica, all preemptible and no cap: a higher priority is never cut while a lower one keeps more than its minimum', () => {
    fc.assert(
      fc.property(inputArb({ gpr1: true, cap: false, preemptibleAll: true }), (input) => {
        const result = arbitrateBudget(input);
        for (const h of result.workloads) {
          if (h.cutReplicas === 0) continue;
          for (const l of result.workloads) {
            if (l.pool === h.pool && tier(h, l) > 0) {
              expect(l.grantedReplicas).toBeLessThanOrEqual(l.minReplicas);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('never preempts a non-preemptible workload while the kept replicas fit, unless the policy allows', () => {
    fc.assert(
      fc.property(inputArb(), (input) => {
        const result = arbitrateBudget(input);
        if (result.allowPreemptingRealtime) return;
        const floorsFit =
          result.pools.every(
            (p) =>
              sumGpus(
                result.workloads.filter((w) => w.pool === p.pool),
                (g) => floorOf(g, result),
              ) <= p.budgetGpus,
          ) &&
          (input.fleetGpuCap === undefined ||
            sumGpus(result.workloads, (g) => floorOf(g, result)) <= input.fleetGpuCap);
        for (const g of result.workloads) {
          if (!g.preemptible && floorsFit) expect(g.preemptedReplicas).toBe(0);
        }
      }),
      RUNS,
    );
  });

  it('explains every grant: full, or cut with a named reason; preemption with its own', () => {
    fc.assert(
      fc.property(inputArb(), (input) => {
        const result = arbitrateBudget(input);
        for (const g of result.workloads) {
          const codes = g.reasons.map((r) => r.code);
          expect(codes.length).toBeGreaterThan(0);
          expect(codes.includes('granted_full')).toBe(g.cutReplicas === 0);
          if (g.cutReplicas > 0) {
            expect(codes.some((c) => c === 'cut_budget' || c === 'cut_fleet_cap')).toBe(true);
          }
          expect(codes.some((c) => c === 'preempted_for' || c === 'preempted_budget')).toBe(
            g.preemptedReplicas > 0,
          );
          for (const r of g.reasons) {
            expect(r.message.length).toBeGreaterThan(0);
            expect(r.workloads).not.toContain(g.id);
          }
        }
      }),
      RUNS,
    );
  });

  it('is deterministic and independent of the order of pools and workloads', () => {
    fc.assert(
      fc.property(
        inputArb().chain((input) =>
          fc.tuple(
            fc.constant(input),
            fc.shuffledSubarray([...input.pools], {
              minLength: input.pools.length,
              maxLength: input.pools.length,
            }),
            fc.shuffledSubarray([...input.workloads], {
              minLength: input.workloads.length,
              maxLength: input.workloads.length,
            }),
          ),
        ),
        ([input, pools, workloads]) => {
          const a = arbitrateBudget(input);
          expect(arbitrateBudget(input)).toEqual(a);
          expect(arbitrateBudget({ ...input, pools, workloads })).toEqual(a);
        },
      ),
      RUNS,
    );
  });

  it('uses the class default priority when none is given', () => {
    fc.assert(
      fc.property(inputArb(), (input) => {
        const result = arbitrateBudget(input);
        for (const w of input.workloads) {
          const g = result.workloads.find((x) => x.id === w.id);
          expect(g?.priority).toBe(w.priority ?? DEFAULT_BUDGET_CLASS_PRIORITY[w.class]);
          expect(g?.pool).toBe(budgetPoolKey(w.region, w.gpuClass));
        }
      }),
      RUNS,
    );
  });
});

describe('budgetBenefitFromSloAttainment properties', () => {
  it('is non-increasing, >= 0, and sums to the total gain', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
        (raw) => {
          const attainment = [...raw].sort((a, b) => a - b);
          const benefit = budgetBenefitFromSloAttainment(attainment);
          expect(benefit).toHaveLength(Math.max(0, attainment.length - 1));
          benefit.forEach((b, i) => {
            expect(b).toBeGreaterThanOrEqual(0);
            if (i > 0) expect(b).toBeLessThanOrEqual(benefit[i - 1] as number);
          });
          if (attainment.length > 1) {
            const total = (attainment[attainment.length - 1] as number) - (attainment[0] as number);
            expect(benefit.reduce((s, b) => s + b, 0)).toBeCloseTo(total, 9);
          }
        },
      ),
      RUNS,
    );
  });
});
