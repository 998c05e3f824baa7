// @headroom/core benchmarks: `npm run bench` from the repository root.
import { RateCounter, WindowedQuantiles, createRandom } from '@headroom/core';
import { runComparisons, type Comparison } from '../../../tools/bench.js';

const WINDOW_MS = 60_000;
const LIVE_SAMPLES = 10_000; // samples inside the window at steady state
const STEP_MS = WINDOW_MS / LIVE_SAMPLES;

/** The naive exact baseline: keep every sample in the window, sort on every query. */
class SortedArrayWindow {
  #times: number[] = [];
  #values: number[] = [];
  #head = 0;
  record(value: number, atMs: number): void {
    this.#times.push(atMs);
    this.#values.push(value);
  }
  /** Drops samples that left the window (amortized O(1) per sample). */
  trim(nowMs: number): void {
    while (
      this.#head < this.#times.length &&
      (this.#times[this.#head] as number) <= nowMs - WINDOW_MS
    )
      this.#head++;
    if (this.#head > 65_536) {
      this.#times = this.#times.slice(this.#head);
      this.#values = this.#values.slice(this.#head);
      this.#head = 0;
    }
  }
  quantile(q: number, nowMs: number): number | undefined {
    this.trim(nowMs);
    const live = Float64Array.from(this.#values.slice(this.#head));
    if (live.length === 0) return undefined;
    live.sort();
    return live[Math.floor(q * (live.length - 1))];
  }
}

/** Log-normal latencies around 400 ms with a heavy tail, from the seeded generator. */
function latencies(n: number): Float64Array {
  const random = createRandom(7);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u1 = random.nextFloat() || 1e-12;
    const u2 = random.nextFloat();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    out[i] = Math.exp(Math.log(400) + 0.6 * z);
  }
  return out;
}

function insertAndQuery(): Comparison {
  const values = latencies(1 << 16);
  const sketch = new WindowedQuantiles({ windowMs: WINDOW_MS, slots: 6, relativeAccuracy: 0.01 });
  const exact = new SortedArrayWindow();
  let ts = 0;
  let te = 0;
  let i = 0;
  let j = 0;
  // Fill both windows to steady state first.
  for (let k = 0; k < LIVE_SAMPLES; k++) {
    sketch.record(values[k & 0xffff] as number, (ts += STEP_MS));
    exact.record(values[k & 0xffff] as number, (te += STEP_MS));
  }
  let sink = 0;
  return {
    name: `record + p99 query, ${LIVE_SAMPLES.toLocaleString('en-US')}-sample 60 s window`,
    opsPerCall: 10,
    subject: {
      name: 'WindowedQuantiles (DDSketch, 1%)',
      fn: () => {
        for (let k = 0; k < 10; k++) {
          sketch.record(values[i++ & 0xffff] as number, (ts += STEP_MS));
          sink += sketch.quantile(0.99, ts) ?? 0;
        }
      },
    },
    baseline: {
      name: 'exact: sorted-array window',
      fn: () => {
        for (let k = 0; k < 10; k++) {
          exact.record(values[j++ & 0xffff] as number, (te += STEP_MS));
          sink += exact.quantile(0.99, te) ?? 0;
        }
        if (sink === -1) throw new Error('unreachable');
      },
    },
  };
}

function insertOnly(): Comparison {
  const values = latencies(1 << 16);
  const sketch = new WindowedQuantiles({ windowMs: WINDOW_MS, slots: 6 });
  const exact = new SortedArrayWindow();
  let ts = 0;
  let te = 0;
  return {
    name: 'record only (1,000 samples per call)',
    opsPerCall: 1000,
    subject: {
      name: 'WindowedQuantiles (DDSketch, 1%)',
      fn: () => {
        for (let k = 0; k < 1000; k++) sketch.record(values[k] as number, (ts += STEP_MS));
      },
    },
    baseline: {
      name: 'exact: sorted-array window (append)',
      fn: () => {
        for (let k = 0; k < 1000; k++) exact.record(values[k] as number, (te += STEP_MS));
        exact.trim(te); // drop expired samples so memory stays bounded, as the sketch's ring does
      },
    },
  };
}

function rateCounter(): Comparison {
  const counter = new RateCounter({ windowMs: WINDOW_MS, slots: 60, startMs: 0 });
  const stamps: number[] = [];
  let head = 0;
  let tc = 0;
  let tn = 0;
  let sink = 0;
  return {
    name: 'count event + read rate, 60 s window at 10k events/min',
    opsPerCall: 100,
    subject: {
      name: 'RateCounter (60 slots)',
      fn: () => {
        for (let k = 0; k < 100; k++) {
          counter.add(1, (tc += STEP_MS));
          sink += counter.rate(tc);
        }
      },
    },
    baseline: {
      name: 'naive: timestamp array, count in window',
      fn: () => {
        for (let k = 0; k < 100; k++) {
          stamps.push((tn += STEP_MS));
          let n = 0;
          for (let x = head; x < stamps.length; x++)
            if ((stamps[x] as number) > tn - WINDOW_MS) n++;
          while ((stamps[head] as number) <= tn - WINDOW_MS) head++;
          sink += (n * 1000) / WINDOW_MS;
        }
        if (head > 100_000) {
          stamps.splice(0, head);
          head = 0;
        }
        if (sink === -1) throw new Error('unreachable');
      },
    },
  };
}

function prng(): Comparison {
  const random = createRandom(1);
  let sink = 0;
  return {
    name: 'uniform float in [0, 1)',
    opsPerCall: 10_000,
    subject: {
      name: 'SeededRandom.nextFloat (xoshiro128**)',
      fn: () => {
        for (let k = 0; k < 10_000; k++) sink += random.nextFloat();
      },
    },
    baseline: {
      name: 'Math.random (V8 xorshift128+, unseeded)',
      fn: () => {
        for (let k = 0; k < 10_000; k++) sink += Math.random();
        if (sink === -1) throw new Error('unreachable');
      },
    },
  };
}

await runComparisons('@headroom/core', [insertAndQuery(), insertOnly(), rateCounter(), prng()]);
