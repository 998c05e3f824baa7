import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import {
  arbitrateBudget,
  budgetBenefitFromSloAttainment,
  budgetPoolKey,
  parseBudgetArbitrationInput,
  type BudgetArbitration,
  type BudgetGrant,
  type BudgetReasonCode,
  type BudgetWorkloadInput,
} from './index.js';
import { thrown } from '../../../../tools/test-utils.js';

const east = { region: 'us-east-1', gpuClass: 'H100-80GB' } as const;
const h100 = (gpus: number): { region: string; gpuClass: string; gpus: number } => ({
  ...east,
  gpus,
});

function grantOf(result: BudgetArbitration, id: string): BudgetGrant {
  const grant = result.workloads.find((w) => w.id === id);
  if (grant === undefined) throw new Error(`no grant for ${id}`);
  return grant;
}

function codes(grant: BudgetGrant): BudgetReasonCode[] {
  return grant.reasons.map((r) => r.code);
}

const chat: BudgetWorkloadInput = {
  id: 'chat',
  ...east,
  class: 'realtime',
  gpusPerReplica: 2,
  currentReplicas: 2,
  desiredReplicas: 6,
  minReplicas: 2,
};
const embed: BudgetWorkloadInput = {
  id: 'embed',
  ...east,
  class: 'batch',
  currentReplicas: 8,
  desiredReplicas: 8,
  minReplicas: 1,
};
const finetune: BudgetWorkloadInput = {
  id: 'finetune',
  ...east,
  class: 'training',
  gpusPerReplica: 8,
  currentReplicas: 1,
  desiredReplicas: 1,
};

describe('arbitrateBudget', () => {
  it('serves realtime chat first, then batch embeddings, and preempts training on 16 H100s', () => {
    const result = arbitrateBudget({ pools: [h100(16)], workloads: [finetune, embed, chat] });

    expect(result.feasible).toBe(true);
    expect(result.workloads.map((w) => w.id)).toEqual(['chat', 'embed', 'finetune']);
    expect(grantOf(result, 'chat')).toMatchObject({
      grantedReplicas: 6,
      grantedGpus: 12,
      cutReplicas: 0,
      preemptedReplicas: 0,
    });
    expect(codes(grantOf(result, 'chat'))).toEqual(['granted_full']);

    const e = grantOf(result, 'embed');
    expect(e).toMatchObject({ grantedReplicas: 4, cutReplicas: 4, preemptedReplicas: 4 });
    expect(codes(e)).toEqual(['cut_priority', 'cut_budget', 'preempted_for']);
    expect(e.reasons[0]?.workloads).toEqual(['chat']);
    expect(e.reasons[0]?.message).toContain('chat (12 GPUs)');

    const f = grantOf(result, 'finetune');
    expect(f).toMatchObject({ grantedReplicas: 0, cutReplicas: 1, preemptedReplicas: 1 });
    expect(f.reasons.find((r) => r.code === 'cut_priority')?.workloads).toEqual(['chat', 'embed']);
    expect(f.reasons.find((r) => r.code === 'preempted_for')?.workloads).toEqual(['chat']);

    expect(result.pools).toEqual([
      {
        pool: 'us-east-1/H100-80GB',
        region: 'us-east-1',
        gpuClass: 'H100-80GB',
        budgetGpus: 16,
        usedGpus: 16,
        freeGpus: 0,
        desiredGpus: 28,
        minimumGpus: 5,
      },
    ]);
    expect(result.fleet).toEqual({ capGpus: undefined, usedGpus: 16, freeGpus: undefined });
  });

  it('grants everyone in full when the budget suffices, leaving the rest free', () => {
    const result = arbitrateBudget({ pools: [h100(64)], workloads: [chat, embed, finetune] });
    for (const w of result.workloads) {
      expect(w.cutReplicas).toBe(0);
      expect(codes(w)).toEqual(['granted_full']);
    }
    expect(result.pools[0]).toMatchObject({ usedGpus: 28, freeGpus: 36 });
  });

  it('holds a lower-priority workload at its guaranteed minimum', () => {
    const result = arbitrateBudget({
      pools: [h100(8)],
      workloads: [
        { ...chat, desiredReplicas: 4, minReplicas: 0, currentReplicas: 0 },
        { ...embed, minReplicas: 2 },
      ],
    });
    expect(grantOf(result, 'chat').grantedReplicas).toBe(3);
    const e = grantOf(result, 'embed');
    expect(e.grantedReplicas).toBe(2);
    expect(codes(e)).toContain('held_minimum');
    // chat is cut because embed's minimum comes first, and the reason says so.
    const c = grantOf(result, 'chat');
    const budget = c.reasons.find((r) => r.code === 'cut_budget');
    expect(budget?.workloads).toEqual(['embed']);
    expect(budget?.message).toContain('guaranteed minimums of lower priority embed (2 GPUs)');
  });

  it('uses explicit priorities before class, and class to break priority ties', () => {
    const result = arbitrateBudget({
      pools: [h100(4)],
      workloads: [
        { id: 'a-train', ...east, class: 'training', priority: 500, desiredReplicas: 3 },
        { id: 'b-chat', ...east, class: 'realtime', priority: 100, desiredReplicas: 3 },
        { id: 'c-batch', ...east, class: 'batch', priority: 100, desiredReplicas: 3 },
      ],
    });
    expect(result.workloads.map((w) => [w.id, w.grantedReplicas])).toEqual([
      ['a-train', 3],
      ['b-chat', 1],
      ['c-batch', 0],
    ]);
  });

  it('orders equal priorities by marginal benefit per GPU, then by turns', () => {
    const result = arbitrateBudget({
      pools: [h100(6)],
      workloads: [
        // 0.5 / 2 GPUs = 0.25 per GPU, then 0.1 per GPU
        {
          id: 'big',
          ...east,
          class: 'inference',
          gpusPerReplica: 2,
          desiredReplicas: 3,
          benefit: [0.5, 0.2, 0.2],
        },
        // 0.3, 0.2, 0.05 per GPU
        { id: 'small', ...east, class: 'inference', desiredReplicas: 3, benefit: [0.3, 0.2, 0.05] },
      ],
    });
    // Order of grants: small(0.3), big(0.25), small(0.2), big(0.1), ... small needs 1 GPU at 0.05.
    // 1 + 2 + 1 + 2 = 6 GPUs: big 2 replicas, small 2 replicas.
    expect(grantOf(result, 'big').grantedReplicas).toBe(2);
    expect(grantOf(result, 'small').grantedReplicas).toBe(2);
    const s = grantOf(result, 'small');
    expect(codes(s)).toContain('cut_benefit');
    expect(s.reasons.find((r) => r.code === 'cut_benefit')?.workloads).toEqual(['big']);

    const flat = arbitrateBudget({
      pools: [h100(5)],
      workloads: [
        { id: 'x', ...east, class: 'batch', desiredReplicas: 5 },
        { id: 'y', ...east, class: 'batch', desiredReplicas: 5 },
      ],
    });
    // No curves: every replica is worth 1, so they share by turns (x first on the tie).
    expect(grantOf(flat, 'x').grantedReplicas).toBe(3);
    expect(grantOf(flat, 'y').grantedReplicas).toBe(2);
  });

  it('keeps a lower-priority non-preemptible workload running and says so', () => {
    const workloads: BudgetWorkloadInput[] = [
      { id: 'chat', ...east, class: 'realtime', currentReplicas: 2, desiredReplicas: 8 },
      { id: 'api', ...east, class: 'inference', currentReplicas: 4, desiredReplicas: 4 },
    ];
    const result = arbitrateBudget({ pools: [h100(8)], workloads });
    expect(grantOf(result, 'api')).toMatchObject({ grantedReplicas: 4, preemptedReplicas: 0 });
    const c = grantOf(result, 'chat');
    expect(c.grantedReplicas).toBe(4);
    const held = c.reasons.find((r) => r.code === 'cut_nonpreemptible');
    expect(held?.workloads).toEqual(['api']);
    expect(held?.message).toContain('allowPreemptingRealtime');
    expect(codes(grantOf(result, 'api'))).toEqual(['granted_full', 'kept_current']);

    const allowed = arbitrateBudget({
      pools: [h100(8)],
      workloads,
      policy: { allowPreemptingRealtime: true },
    });
    expect(allowed.allowPreemptingRealtime).toBe(true);
    expect(grantOf(allowed, 'chat').grantedReplicas).toBe(8);
    const a = grantOf(allowed, 'api');
    expect(a).toMatchObject({ grantedReplicas: 0, preemptedReplicas: 4 });
    const pre = a.reasons.find((r) => r.code === 'preempted_for');
    expect(pre?.workloads).toEqual(['chat']);
    expect(pre?.message).toContain('allowPreemptingRealtime is true');
  });

  it('reports infeasible minimums as a result, granting minimums in priority order', () => {
    const result = arbitrateBudget({
      pools: [h100(4)],
      workloads: [
        { id: 'chat', ...east, class: 'realtime', desiredReplicas: 3, minReplicas: 3 },
        { id: 'api', ...east, class: 'inference', desiredReplicas: 3, minReplicas: 3 },
      ],
    });
    expect(result.feasible).toBe(false);
    expect(result.infeasible).toEqual([
      expect.objectContaining({
        scope: 'pool',
        pool: 'us-east-1/H100-80GB',
        budgetGpus: 4,
        minimumGpus: 6,
        workloads: ['chat', 'api'],
      }),
    ]);
    expect(grantOf(result, 'chat').grantedReplicas).toBe(3);
    const a = grantOf(result, 'api');
    expect(a.grantedReplicas).toBe(1);
    expect(codes(a)[0]).toBe('below_minimum');
    expect(a.reasons[0]?.message).toContain('guaranteed minimums need 6 GPUs but the budget is 4');
    expect(result.pools[0]?.usedGpus).toBe(4);
  });

  it('enforces a fleet-wide cap across pools and names it in the cut', () => {
    const west = { region: 'us-west-2', gpuClass: 'H100-80GB' } as const;
    const result = arbitrateBudget({
      pools: [h100(8), { ...west, gpus: 8 }],
      fleetGpuCap: 10,
      workloads: [
        { id: 'chat-east', ...east, class: 'realtime', desiredReplicas: 8 },
        { id: 'batch-west', ...west, class: 'batch', desiredReplicas: 8 },
      ],
    });
    expect(grantOf(result, 'chat-east').grantedReplicas).toBe(8);
    const b = grantOf(result, 'batch-west');
    expect(b.grantedReplicas).toBe(2);
    expect(codes(b)).toEqual(['cut_fleet_cap']);
    expect(b.reasons[0]?.workloads).toEqual(['chat-east']);
    expect(result.fleet).toEqual({ capGpus: 10, usedGpus: 10, freeGpus: 0 });
  });

  it('lets smaller replicas use GPUs too few for a bigger one, and explains it', () => {
    const result = arbitrateBudget({
      pools: [h100(10)],
      workloads: [
        { id: 'big', ...east, class: 'inference', gpusPerReplica: 4, desiredReplicas: 3 },
        { id: 'tiny', ...east, class: 'batch', desiredReplicas: 4 },
      ],
    });
    expect(grantOf(result, 'big').grantedReplicas).toBe(2);
    expect(grantOf(result, 'tiny').grantedReplicas).toBe(2);
    const budget = grantOf(result, 'big').reasons.find((r) => r.code === 'cut_budget');
    expect(budget?.message).toContain('smaller replicas of tiny (2 GPUs)');
  });

  it('reports a non-preemptible workload losing replicas when the budget shrinks below them', () => {
    const result = arbitrateBudget({
      pools: [h100(2)],
      workloads: [
        { id: 'api', ...east, class: 'inference', currentReplicas: 4, desiredReplicas: 4 },
      ],
    });
    const a = grantOf(result, 'api');
    expect(a).toMatchObject({ grantedReplicas: 2, preemptedReplicas: 2 });
    expect(codes(a)).toEqual(['cut_budget', 'preempted_budget']);
  });

  it('does not count its own scale-down as preemption', () => {
    const result = arbitrateBudget({
      pools: [h100(8)],
      workloads: [{ id: 'embed', ...east, class: 'batch', currentReplicas: 6, desiredReplicas: 2 }],
    });
    expect(grantOf(result, 'embed')).toMatchObject({ grantedReplicas: 2, preemptedReplicas: 0 });
  });

  it('is independent of input order', () => {
    const pools = [h100(12), { region: 'eu-west-1', gpuClass: 'A10G', gpus: 4 }];
    const workloads: BudgetWorkloadInput[] = [
      chat,
      embed,
      finetune,
      { id: 'asr', region: 'eu-west-1', gpuClass: 'A10G', class: 'realtime', desiredReplicas: 6 },
    ];
    const a = arbitrateBudget({ pools, workloads });
    const b = arbitrateBudget({ pools: [...pools].reverse(), workloads: [...workloads].reverse() });
    expect(b).toEqual(a);
    expect(a.pools.map((p) => p.pool)).toEqual(['eu-west-1/A10G', 'us-east-1/H100-80GB']);
  });

  it('rejects bad input with typed errors naming the path', () => {
    const minAboveDesired = thrown(() =>
      arbitrateBudget({
        pools: [h100(8)],
        workloads: [{ id: 'x', ...east, class: 'batch', desiredReplicas: 1, minReplicas: 2 }],
      }),
    );
    expect(isHeadroomError(minAboveDesired, 'invalid_input')).toBe(true);
    expect((minAboveDesired as Error).message).toContain('workloads[0].minReplicas');

    const noPool = thrown(() =>
      arbitrateBudget({
        pools: [h100(8)],
        workloads: [
          { id: 'x', region: 'mars', gpuClass: 'H100-80GB', class: 'batch', desiredReplicas: 1 },
        ],
      }),
    );
    expect(isHeadroomError(noPool, 'invalid_input')).toBe(true);
    expect((noPool as Error).message).toContain('names no pool');

    const increasing = thrown(() =>
      arbitrateBudget({
        pools: [h100(8)],
        workloads: [{ id: 'x', ...east, class: 'batch', desiredReplicas: 2, benefit: [0.1, 0.5] }],
      }),
    );
    expect((increasing as Error).message).toContain('workloads[0].benefit[1]');

    const nan = thrown(() => arbitrateBudget({ pools: [h100(Number.NaN)], workloads: [] }));
    expect(isHeadroomError(nan, 'invalid_input')).toBe(true);
    expect((nan as Error).message).toContain('pools[0].gpus');

    const negative = thrown(() =>
      arbitrateBudget({
        pools: [h100(8)],
        workloads: [{ id: 'x', ...east, class: 'batch', desiredReplicas: -1 }],
      }),
    );
    expect((negative as Error).message).toContain('workloads[0].desiredReplicas');

    const badClass = thrown(() =>
      arbitrateBudget({
        pools: [h100(8)],
        workloads: [{ id: 'x', ...east, class: 'gaming' as 'batch', desiredReplicas: 1 }],
      }),
    );
    expect((badClass as Error).message).toContain('workloads[0].class');
    expect((badClass as Error).message).toContain('realtime, inference, batch, training');

    const dup = parseBudgetArbitrationInput({
      pools: [h100(8), h100(4)],
      workloads: [
        { id: 'x', ...east, class: 'batch', desiredReplicas: 1 },
        { id: 'x', ...east, class: 'batch', desiredReplicas: 1 },
      ],
    });
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.error.message).toContain('duplicate pool us-east-1/H100-80GB');
  });

  it('keys pools by region and GPU class', () => {
    expect(budgetPoolKey('us-east-1', 'H100-80GB')).toBe('us-east-1/H100-80GB');
  });
});

describe('budgetBenefitFromSloAttainment', () => {
  it('returns diminishing marginal gains, spreading a late jump over the replicas it needs', () => {
    const benefit = budgetBenefitFromSloAttainment([0, 0, 0.6, 0.9, 0.97]);
    expect(benefit).toHaveLength(4);
    expect(benefit[0]).toBeCloseTo(0.3);
    expect(benefit[1]).toBeCloseTo(0.3);
    expect(benefit[2]).toBeCloseTo(0.3);
    expect(benefit[3]).toBeCloseTo(0.07);
    expect(budgetBenefitFromSloAttainment([0.5, 0.9, 0.95, 0.96])).toEqual([
      0.4,
      expect.closeTo(0.05, 10),
      expect.closeTo(0.01, 10),
    ]);
    expect(budgetBenefitFromSloAttainment([0.7])).toEqual([]);
  });

  it('feeds arbitrateBudget', () => {
    const result = arbitrateBudget({
      pools: [h100(3)],
      workloads: [
        {
          id: 'a',
          ...east,
          class: 'inference',
          desiredReplicas: 4,
          benefit: budgetBenefitFromSloAttainment([0, 0.8, 0.95, 0.99, 1]),
        },
        {
          id: 'b',
          ...east,
          class: 'inference',
          desiredReplicas: 4,
          benefit: budgetBenefitFromSloAttainment([0, 0.5, 0.9, 0.99, 1]),
        },
      ],
    });
    // Gains: a 0.8, 0.15, ...; b 0.45, 0.45, ... (ironed): a, b, b.
    expect(grantOf(result, 'a').grantedReplicas).toBe(1);
    expect(grantOf(result, 'b').grantedReplicas).toBe(2);
  });

  it('rejects values outside 0..1 and decreasing curves', () => {
    expect(
      isHeadroomError(
        thrown(() => budgetBenefitFromSloAttainment([0, 1.2])),
        'invalid_argument',
      ),
    ).toBe(true);
    expect((thrown(() => budgetBenefitFromSloAttainment([0.5, 0.4])) as Error).message).toContain(
      'attainment[1]',
    );
    expect((thrown(() => budgetBenefitFromSloAttainment([Number.NaN])) as Error).message).toContain(
      'attainment[0]',
    );
  });
});
