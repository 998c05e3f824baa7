import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LIFECYCLE_STATES,
  LIFECYCLE_TRANSITIONS,
  canTransition,
  coldStartMs,
  createLifecycle,
  isHeadroomError,
  timeInState,
  transition,
  tryTransition,
  type LifecycleRecord,
  type LifecycleState,
} from '@headroom/core';

/** The model: what a correct lifecycle must look like after any sequence of attempts. */
interface Model {
  state: LifecycleState;
  nowMs: number;
  wentThrough: Set<LifecycleState>;
}

class Attempt implements fc.Command<Model, { record: LifecycleRecord }> {
  constructor(
    readonly to: LifecycleState,
    readonly afterMs: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: { record: LifecycleRecord }): void {
    const before = real.record;
    const now = model.nowMs + this.afterMs;
    const result = tryTransition(before, this.to, now);
    if (canTransition(model.state, this.to)) {
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      real.record = result.value;
      model.state = this.to;
      model.nowMs = now;
      model.wentThrough.add(this.to);
    } else {
      // Illegal: a typed error, and nothing changes.
      expect(result.ok).toBe(false);
      if (!result.ok) expect(isHeadroomError(result.error, 'illegal_transition')).toBe(true);
      expect(() => transition(before, this.to, now)).toThrow(/illegal_transition/);
      expect(real.record).toBe(before);
    }
    // Invariants of every reachable record.
    const r = real.record;
    expect(r.state).toBe(model.state);
    expect(LIFECYCLE_STATES).toContain(r.state);
    if (r.state === 'ready' || r.state === 'draining') {
      // Ready means loaded and warmed: it is only reachable through loading and warming.
      expect(model.wentThrough.has('loading') && model.wentThrough.has('warming')).toBe(true);
    }
    const total = Object.values(timeInState(r, model.nowMs)).reduce((a, b) => a + b, 0);
    expect(total).toBe(model.nowMs - r.createdAtMs);
    expect(Object.isFrozen(r)).toBe(true);
  }
  toString(): string {
    return `-> ${this.to} (+${this.afterMs} ms)`;
  }
}

describe('instance lifecycle properties', () => {
  it('no sequence of events reaches an illegal state; illegal transitions are typed errors and change nothing', () => {
    const command = fc
      .tuple(fc.constantFrom(...LIFECYCLE_STATES), fc.integer({ min: 0, max: 120_000 }))
      .map(([to, afterMs]) => new Attempt(to, afterMs));
    fc.assert(
      fc.property(fc.commands([command], { maxCommands: 60 }), (commands) => {
        const start = 1_000;
        fc.modelRun(
          () => ({
            model: {
              state: 'requested',
              nowMs: start,
              wentThrough: new Set(['requested']),
            } as Model,
            real: { record: createLifecycle(start) },
          }),
          commands,
        );
      }),
    );
  });

  it('terminated is terminal and failed leads only to terminated', () => {
    expect(LIFECYCLE_TRANSITIONS.terminated).toEqual([]);
    expect(LIFECYCLE_TRANSITIONS.failed).toEqual(['terminated']);
    for (const from of LIFECYCLE_STATES) {
      if (
        from !== 'ready' &&
        from !== 'requested' &&
        from !== 'provisioning' &&
        from !== 'loading' &&
        from !== 'warming'
      )
        continue;
      expect(canTransition(from, 'ready')).toBe(from === 'warming');
    }
  });
});

describe('instance lifecycle', () => {
  it('records time spent in each state and the cold start', () => {
    let life = createLifecycle(0);
    life = transition(life, 'provisioning', 2_000);
    life = transition(life, 'loading', 12_000);
    life = transition(life, 'warming', 57_000);
    life = transition(life, 'ready', 61_000);
    expect(coldStartMs(life)).toBe(61_000);
    expect(timeInState(life, 100_000)).toMatchObject({
      requested: 2_000,
      provisioning: 10_000,
      loading: 45_000,
      warming: 4_000,
      ready: 39_000,
    });
    life = transition(life, 'draining', 100_000);
    expect(life.readyAtMs).toBe(61_000);
    expect(JSON.parse(JSON.stringify(life))).toMatchObject({ state: 'draining', transitions: 5 });
  });

  it('says which transitions are allowed when one is not', () => {
    expect(() => transition(createLifecycle(0), 'ready', 1)).toThrow(
      'illegal_transition at state: cannot go from requested to ready (got "ready")',
    );
    const result = tryTransition(createLifecycle(0), 'ready', 1);
    expect(!result.ok && result.error.limit).toBe('one of: provisioning, terminated, failed');
  });

  it('refuses a transition dated before the current state began', () => {
    const life = transition(createLifecycle(0), 'provisioning', 5_000);
    const result = tryTransition(life, 'loading', 4_000);
    expect(!result.ok && result.error.code).toBe('out_of_order');
    expect(() => createLifecycle(Number.NaN)).toThrow(/invalid_argument/);
  });
});
