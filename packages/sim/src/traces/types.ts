/**
 * One request of a trace: when it arrives and how much work it carries.
 *
 * Arrival times are relative to the trace start, in milliseconds; they may carry a fraction of a
 * millisecond (the Azure traces have 100 ns timestamps, kept to that resolution).
 */
export interface TraceRequest {
  /** Arrival, ms from the trace start (the first request at >= 0); non-decreasing in a trace. */
  readonly arrivalMs: number;
  /** Prompt (input, context) tokens: an integer >= 0. */
  readonly promptTokens: number;
  /**
   * Output (generated, decode) tokens: an integer >= 1. A source row with 0 output tokens (a
   * failed or empty response) is read as 1 by default, so every request costs at least one
   * decode step; the parsers' `zeroOutputTokens: 'drop'` option drops such rows instead.
   */
  readonly outputTokens: number;
  /**
   * Prefix block hashes (Mooncake's `hash_ids`): one id per 512-token block of the prompt, equal
   * ids meaning an equal prefix up to that block. What prefix-affinity routing keys on.
   */
  readonly prefixHashes?: readonly number[];
  /** Model name: BurstGPT's `Model` column, a generic CSV's model column, or {@link assignModels}. */
  readonly model?: string;
  /** Tenant (customer, API key group): a generic CSV's tenant column, when it has one. */
  readonly tenant?: string;
}

/**
 * A request trace: requests sorted by arrival (stably: rows with equal arrivals keep their file
 * order), with where they came from.
 */
export interface Trace {
  /** Short name for reports, for example `'azure-code'`. */
  readonly name: string;
  /** The file name the trace was read from, or a description of the generator that made it. */
  readonly source: string;
  /** Wall-clock time of arrival 0, epoch ms, when the source has one (the Azure traces do). */
  readonly startEpochMs?: number;
  /**
   * Length of the trace, ms: greater than every arrival. A loaded trace lasts until its last
   * arrival + 1 ms; a generated one lasts its configured duration; an empty loaded trace lasts 0.
   */
  readonly durationMs: number;
  /** The requests, sorted by `arrivalMs`. */
  readonly requests: readonly TraceRequest[];
  /**
   * The transforms applied since loading or generating, in order, for example
   * `['scaleTime(0.1)', 'scaleRate(2)']`: provenance for reports.
   */
  readonly transforms?: readonly string[];
}
