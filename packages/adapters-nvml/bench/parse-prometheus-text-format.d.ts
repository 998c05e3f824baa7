// Minimal typings for parse-prometheus-text-format 1.1.1, which ships none (benchmark baseline only).
declare module 'parse-prometheus-text-format' {
  /** One series (or, for histograms and summaries, the whole family flattened into one). */
  export interface PrometheusTextMetric {
    /** The sample value as written (gauges, counters, untyped). */
    readonly value?: string;
    /** Labels of the series. */
    readonly labels?: Readonly<Record<string, string>>;
    /** Histogram buckets keyed by `le`. */
    readonly buckets?: Readonly<Record<string, string>>;
    /** Summary quantiles keyed by `quantile`. */
    readonly quantiles?: Readonly<Record<string, string>>;
    /** `_count`, histograms and summaries. */
    readonly count?: string;
    /** `_sum`, histograms and summaries. */
    readonly sum?: string;
  }

  /** One metric family in prom2json's shape. */
  export interface PrometheusTextFamily {
    /** Family name. */
    readonly name: string;
    /** `# HELP` text, or the empty string. */
    readonly help: string;
    /** `GAUGE`, `COUNTER`, `HISTOGRAM`, `SUMMARY` or `UNTYPED`. */
    readonly type: string;
    /** The family's series. */
    readonly metrics: readonly PrometheusTextMetric[];
  }

  /** Parses the Prometheus text format into prom2json-style families. */
  export default function parsePrometheusTextFormat(text: string): PrometheusTextFamily[];
}
