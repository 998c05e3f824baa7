import { describe, expect, it } from 'vitest';
import { evenTrace, fleet, observation } from './fixtures.js';
import { headroomPolicy } from './index.js';

const SECOND = 1_000;
const BOUNDS = { minReplicas: 1, maxReplicas: 100 };

function started(options: Parameters<typeof headroomPolicy>[0] = {}) {
  const policy = headroomPolicy(options);
  const initial = policy.initialReplicas({
    ...BOUNDS,
    trace: evenTrace(4, 60_000),
    capacityPerReplicaRps: 1,
  });
  return { policy, initial };
}

/** Feeds `rate(t)` every 10 s from `fromS` to `toS`, with the fleet at the last decision. */
function feed(
  policy: ReturnType<typeof headroomPolicy>,
  fromS: number,
  toS: number,
  rate: (tS: number) => number,
  replicas: number,
  extra: { kv?: number; queue?: number } = {},
): number {
  let r = replicas;
  for (let t = fromS; t <= toS; t += 10) {
    const instances = fleet(r, {
      utilization: 0.5,
      kvCacheUtilization: extra.kv ?? 0.3,
      queueDepth: extra.queue ?? 0,
    });
    r = policy.decide(observation(t * SECOND, instances, { arrivalRatePerSec: rate(t) }));
  }
  return r;
}

describe('headroomPolicy', () => {
  it('starts with the replicas that carry the first minute at capacityPerReplicaRps', () => {
    expect(started().initial).toBe(4);
  });

  it('tracks a steady rate at ceil(rate / capacity) with no variability margin', () => {
    const { policy, initial } = started({ warmPoolQuantile: 0 });
    const replicas = feed(policy, 10, 600, () => 6, initial);
    expect(replicas).toBe(6);
    expect(policy.inspect()).toMatchObject({ levelRps: 6, cv: 0, driver: 'model' });
  });

  it('adds a margin of k × cv for a noisy rate', () => {
    // Rates alternate 4 and 8 (mean 6, cv 1/3): 6 × (1 + 1/3) = 8 with k = 1.
    const { policy, initial } = started({ warmPoolQuantile: 0, levelWindowMs: 300_000 });
    const replicas = feed(policy, 10, 600, (t) => (t % 20 === 0 ? 4 : 8), initial);
    const last = policy.inspect();
    expect(last?.cv).toBeCloseTo(1 / 3, 2);
    expect(last?.levelRps).toBeCloseTo(6, 1);
    // ceil(projected × (1 + k·cv)): about 6 × 4/3 = 8 (the alternation's small trend may add one).
    const projected = last?.projectedRps ?? 0;
    expect(last?.modelReplicas).toBe(Math.ceil(projected * (1 + (last?.cv ?? 0)) - 1e-9));
    // The count returned is the highest recommendation of the last 5 minutes.
    expect(replicas).toBeGreaterThanOrEqual(8);
    expect(replicas).toBeLessThanOrEqual(9);
  });

  it('leads a ramp by one cold start: projects the trend p95 + one period ahead', () => {
    // Rate rising 0.1 req/s every 10 s: in 45 s (p95) + 10 s it will be 0.55 req/s higher.
    const { policy, initial } = started({ warmPoolQuantile: 0, marginK: 0 });
    feed(policy, 10, 300, (t) => 2 + t / 100, initial);
    const last = policy.inspect();
    expect(last?.projectedRps).toBeGreaterThan(last?.levelRps ?? 0);
    expect(last?.projectedRps).toBeCloseTo((last?.levelRps ?? 0) + 0.55, 1);
  });

  it('scales up at once and down slowly (2-minute stabilization, 25% per minute)', () => {
    const { policy, initial } = started({
      warmPoolQuantile: 0,
      marginK: 0,
      scaleDownStabilizationMs: 120_000,
    });
    const up = feed(policy, 10, 120, () => 20, initial);
    expect(up).toBe(20);
    // Demand falls to 2: the first minute after the drop still averages the old level into the
    // recommendations, and the 2-minute window keeps the highest of them: at most 25% goes.
    const held = feed(policy, 130, 240, () => 2, up);
    expect(held).toBeLessThanOrEqual(20);
    expect(held).toBeGreaterThanOrEqual(15);
    // Each further minute removes at most 25% of the replicas (at least 1); in the end, 2.
    let previous = held;
    for (let minute = 0; minute < 20; minute++) {
      const from = 250 + minute * 60;
      const next = feed(policy, from, from + 50, () => 2, previous);
      expect(next).toBeGreaterThanOrEqual(
        Math.min(previous, Math.max(2, Math.floor(previous * 0.75))),
      );
      previous = next;
    }
    expect(previous).toBe(2);
  });

  it('raises on the reactive composite when the KV cache is full though the rate looks low', () => {
    // 4 replicas, rate 1 req/s (model: 1), KV at 100% against an 85% target: ceil(4 × 1/0.85) = 5.
    const { policy, initial } = started({ warmPoolQuantile: 0, marginK: 0 });
    const replicas = feed(policy, 10, 10, () => 1, initial, { kv: 1 });
    expect(replicas).toBe(5);
    expect(policy.inspect()?.driver).toBe('reactive');
  });

  it('holds without a capacity model or any signal', () => {
    const { policy } = started();
    const obs = observation(10 * SECOND, fleet(3), {
      capacityPerReplicaRps: Number.NaN,
      arrivalRatePerSec: Number.NaN,
    });
    expect(policy.decide(obs)).toBe(3);
    expect(policy.inspect()?.driver).toBe('hold');
  });

  it('is deterministic: the same observations give the same decisions, after a reset too', () => {
    const { policy, initial } = started();
    const run = (): number[] => {
      const out: number[] = [];
      let r = initial;
      for (let t = 10; t <= 900; t += 10) {
        r = policy.decide(
          observation(t * SECOND, fleet(r, { kvCacheUtilization: 0.5 }), {
            arrivalRatePerSec: 3 + Math.sin(t / 50) * 2,
          }),
        );
        out.push(r);
      }
      return out;
    };
    const first = run();
    policy.initialReplicas({ ...BOUNDS, trace: evenTrace(4, 60_000), capacityPerReplicaRps: 1 });
    expect(run()).toEqual(first);
  });
});
