import { HeadroomError } from '@headroom/core';
import type { ServiceModel } from '../service/service-model.js';
import type { Trace } from '../traces/types.js';

/** What {@link baselineTargets} derives for one trace on one service model. */
export interface BaselineTargets {
  /** Mean prompt tokens of the trace. */
  readonly meanPromptTokens: number;
  /** Mean output tokens of the trace. */
  readonly meanOutputTokens: number;
  /** The service model's sustainable rate per replica at the SLO, requests/s. */
  readonly capacityPerReplicaRps: number;
  /**
   * Requests in flight (running + waiting) on one replica at that rate, by Little's law:
   * `rate × (prefill + output × decode step at that batch)`, solved for the batch it implies.
   */
  readonly concurrencyPerReplica: number;
  /** Options for `knativePolicy`: `targetConcurrency` = the concurrency above (at least 1). */
  readonly knative: { readonly targetConcurrency: number };
  /** Options for `kedaQueuePolicy`: `targetQueuePerReplica` = the same backlog per replica. */
  readonly keda: { readonly targetQueuePerReplica: number };
}

/**
 * The per-replica targets an operator would configure for the concurrency- and queue-based
 * baselines after load-testing one replica: the concurrency one replica carries at the service
 * model's capacity at the SLO. Knative then aims at its default 70% of that target (its
 * `container-concurrency-target-percentage`), and KEDA's HPA at 100% of it. Deriving both from
 * the same model keeps the comparison about the policies' semantics, not about a guessed target.
 *
 * @param input - the service model, the trace (for its mean prompt and output) and the TTFT SLO.
 * @throws `HeadroomError` `invalid_argument` when `sloTtftMs` is not a finite number > 0.
 * @example
 * ```ts
 * const t = baselineTargets({ service, trace, sloTtftMs: 2_000 });
 * const knative = knativePolicy(t.knative);
 * const keda = kedaQueuePolicy(t.keda);
 * ```
 */
export function baselineTargets(input: {
  readonly service: ServiceModel;
  readonly trace: Trace;
  readonly sloTtftMs: number;
}): BaselineTargets {
  const { service, trace, sloTtftMs } = input;
  if (!(Number.isFinite(sloTtftMs) && sloTtftMs > 0)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'must be a finite number > 0',
      path: ['sloTtftMs'],
      value: sloTtftMs,
      limit: '> 0',
    });
  }
  let prompt = 0;
  let output = 0;
  for (const r of trace.requests) {
    prompt += r.promptTokens;
    output += r.outputTokens;
  }
  const n = Math.max(1, trace.requests.length);
  const meanPromptTokens = trace.requests.length > 0 ? prompt / n : 0;
  const meanOutputTokens = trace.requests.length > 0 ? output / n : 1;
  const capacity = service.capacityRps(meanPromptTokens, meanOutputTokens, sloTtftMs);
  // Little's law with the batch the concurrency implies: iterate to the fixed point.
  let concurrency = 1;
  for (let i = 0; i < 50; i++) {
    const batch = Math.min(service.maxBatch, Math.max(1, concurrency));
    const residenceMs =
      service.prefillMs(meanPromptTokens) + meanOutputTokens * service.decodeStepMs(batch);
    const next = (capacity * residenceMs) / 1_000;
    if (!Number.isFinite(next)) break;
    if (Math.abs(next - concurrency) < 1e-9) {
      concurrency = next;
      break;
    }
    concurrency = next;
  }
  const target = Math.max(1, Math.round(concurrency * 100) / 100);
  return {
    meanPromptTokens,
    meanOutputTokens,
    capacityPerReplicaRps: capacity,
    concurrencyPerReplica: concurrency,
    knative: { targetConcurrency: target },
    keda: { targetQueuePerReplica: target },
  };
}
