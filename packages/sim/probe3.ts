import { batchingGrid, measureBatchingServiceTime } from './src/validation/index.js';
import { predictQueueWait } from '@headroom/fleet';
const slots = 16;
const svc = measureBatchingServiceTime(slots, 1);
const g = batchingGrid(slots);
const d = 42, P = 186.5, Pcv = 0.644;
function solve(f: (t: number) => number, q: number): number { // P(W>t) = 1-q
  if (f(0) <= 1 - q) return 0;
  let lo = 0, hi = 1;
  while (f(hi) > 1 - q) hi *= 2;
  for (let i = 0; i < 100; i++) { const mid = (lo + hi) / 2; if (f(mid) > 1 - q) lo = mid; else hi = mid; }
  return hi;
}
for (const variant of ['det', 'exp']) {
  console.log('variant', variant);
  for (const p of g) {
    const lr = p.arrivalRatePerS / p.replicas;
    const S = (svc.meanMs - slots * P) / (1 - lr * P / 1000);
    const pr = predictQueueWait({ servers: p.servers, arrivalRatePerS: p.arrivalRatePerS, serviceMeanMs: S, serviceCv: svc.cv });
    if (!pr.stable) { console.log('unstable'); continue; }
    const C = pr.probabilityOfWait, m = pr.meanWaitGivenWaitMs;
    const fr = Math.min(1, lr * (d + P) / 1000);
    const L = d + P;
    const resid = (t: number) => {
      let pre: number;
      if (variant === 'det') pre = Math.max(0, 1 - t / L);
      else { // d + Exp(P): E[(L-t)+]/E[L]
        pre = t < d ? ((d - t) + P) / L : (P * Math.exp(-(t - d) / P)) / L;
      }
      return fr * pre + (1 - fr) * Math.max(0, 1 - t / d);
    };
    const tail = (t: number) => C * Math.exp(-t / m) + (1 - C) * resid(t);
    const p95 = solve(tail, 0.95), p99 = solve(tail, 0.99);
    const e = (a: number, b: number) => (((a - b) / Math.max(b, 50)) * 100).toFixed(0) + '%';
    console.log(p.rho, p.replicas, 'S', S.toFixed(0), 'C', C.toFixed(3), 'p95', p95.toFixed(0), p.simulatedMs.p95.toFixed(0), e(p95, p.simulatedMs.p95), 'p99', p99.toFixed(0), p.simulatedMs.p99.toFixed(0), e(p99, p.simulatedMs.p99));
  }
}
