import {
  metrics,
  trace,
  SpanStatusCode,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type MetricOptions,
  type Span,
  type TracerProvider,
  type UpDownCounter,
} from '@opentelemetry/api';

const SWITCH = Symbol.for('@headroom/core/telemetry-enabled');

type SwitchHolder = { [SWITCH]?: boolean };

/**
 * Reads the telemetry kill switch from an environment: off when `HEADROOM_TELEMETRY` is `off`,
 * `false` or `0`, or when `OTEL_SDK_DISABLED` is `true` (the OpenTelemetry convention).
 *
 * @param env - the environment to read. @defaultValue `process.env` when it exists
 */
export function telemetryEnabledByEnv(
  env: Readonly<Record<string, string | undefined>> | undefined = readProcessEnv(),
): boolean {
  if (env === undefined) return true;
  const headroom = env['HEADROOM_TELEMETRY']?.trim().toLowerCase();
  if (headroom === 'off' || headroom === 'false' || headroom === '0') return false;
  return env['OTEL_SDK_DISABLED']?.trim().toLowerCase() !== 'true';
}

function readProcessEnv(): Record<string, string | undefined> | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env;
}

/**
 * Turns all headroom telemetry on or off at runtime, process-wide (shared by every copy of
 * `@headroom/core`). When off, instruments and spans cost one boolean check.
 * Passing `undefined` returns to the environment's setting.
 */
export function setTelemetryEnabled(enabled: boolean | undefined): void {
  const holder = globalThis as SwitchHolder;
  if (enabled === undefined) delete holder[SWITCH];
  else holder[SWITCH] = enabled;
}

let envDefault: boolean | undefined;

/** True when telemetry is on: the runtime switch if set, else the environment (read once). */
export function isTelemetryEnabled(): boolean {
  const forced = (globalThis as SwitchHolder)[SWITCH];
  if (forced !== undefined) return forced;
  envDefault ??= telemetryEnabledByEnv();
  return envDefault;
}

/** Options of {@link createTelemetry}. */
export interface TelemetryOptions {
  /** Instrumentation scope name, for example `@headroom/scaling`. */
  readonly name: string;
  /** Instrumentation scope version. */
  readonly version?: string;
  /** An explicit meter provider; otherwise the global one, looked up on each use. */
  readonly meterProvider?: MeterProvider;
  /** An explicit tracer provider; otherwise the global one. */
  readonly tracerProvider?: TracerProvider;
}

/** A counter that binds to the current meter provider on use. */
export interface LazyCounter {
  /** Adds a non-negative amount. A no-op when telemetry is off. */
  add(value: number, attributes?: Attributes): void;
}

/** An up-down counter that binds to the current meter provider on use. */
export interface LazyUpDownCounter {
  /** Adds a signed amount. A no-op when telemetry is off. */
  add(value: number, attributes?: Attributes): void;
}

/** A histogram that binds to the current meter provider on use. */
export interface LazyHistogram {
  /** Records a value. A no-op when telemetry is off. */
  record(value: number, attributes?: Attributes): void;
}

/** Metric and span helpers for one instrumentation scope; see {@link createTelemetry}. */
export interface Telemetry {
  /** A monotonic counter. */
  counter(name: string, options?: MetricOptions): LazyCounter;
  /** A counter that can go down (queue depth, open streams). */
  upDownCounter(name: string, options?: MetricOptions): LazyUpDownCounter;
  /** A histogram (latencies, decision durations). */
  histogram(name: string, options?: MetricOptions): LazyHistogram;
  /**
   * Runs `fn` inside a span named `name`; when telemetry is off it just runs `fn`. The span ends
   * when `fn` returns (or its promise settles); an exception is recorded and rethrown.
   */
  withSpan<T>(name: string, fn: (span: Span | undefined) => T, attributes?: Attributes): T;
}

type Kind = 'counter' | 'upDownCounter' | 'histogram';
type Instrument = Counter | UpDownCounter | Histogram;

function makeResolver(
  options: TelemetryOptions,
  kind: Kind,
  name: string,
  metricOptions: MetricOptions | undefined,
): () => Instrument {
  let boundTo: MeterProvider | undefined;
  let instrument: Instrument | undefined;
  return () => {
    const provider = options.meterProvider ?? metrics.getMeterProvider();
    if (provider !== boundTo || instrument === undefined) {
      // The global provider changed (or this is the first use): re-create the instrument, so an
      // instrument made before the host registered its SDK does not stay a no-op forever.
      const meter: Meter = provider.getMeter(options.name, options.version);
      instrument =
        kind === 'counter'
          ? meter.createCounter(name, metricOptions)
          : kind === 'upDownCounter'
            ? meter.createUpDownCounter(name, metricOptions)
            : meter.createHistogram(name, metricOptions);
      boundTo = provider;
    }
    return instrument;
  };
}

/**
 * Telemetry for one instrumentation scope over `@opentelemetry/api` only: a no-op until the host
 * registers an SDK, and it never throws into the host.
 *
 * - Instruments are lazy: made before the host registers a `MeterProvider`, they bind to it on
 *   first use after registration (the OpenTelemetry metrics API has no proxy provider).
 * - An explicit `meterProvider` / `tracerProvider` wins over the globals.
 * - Kill switch: `HEADROOM_TELEMETRY=off` or `OTEL_SDK_DISABLED=true` in the environment, or
 *   {@link setTelemetryEnabled}(false) at runtime, makes every call a single boolean check.
 *
 * @example
 * ```ts
 * const telemetry = createTelemetry({ name: '@headroom/scaling', version: '0.1.0' });
 * const decisions = telemetry.counter('headroom.scaling.decisions', { description: 'Scaling decisions made' });
 * decisions.add(1, { 'headroom.decision': 'scale_up' });
 * ```
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  const swallow = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // Telemetry must never break the host's decision loop.
    }
  };
  return {
    counter(name, metricOptions) {
      const resolve = makeResolver(options, 'counter', name, metricOptions);
      return {
        add(value, attributes) {
          if (!isTelemetryEnabled()) return;
          swallow(() => (resolve() as Counter).add(value, attributes));
        },
      };
    },
    upDownCounter(name, metricOptions) {
      const resolve = makeResolver(options, 'upDownCounter', name, metricOptions);
      return {
        add(value, attributes) {
          if (!isTelemetryEnabled()) return;
          swallow(() => (resolve() as UpDownCounter).add(value, attributes));
        },
      };
    },
    histogram(name, metricOptions) {
      const resolve = makeResolver(options, 'histogram', name, metricOptions);
      return {
        record(value, attributes) {
          if (!isTelemetryEnabled()) return;
          swallow(() => (resolve() as Histogram).record(value, attributes));
        },
      };
    },
    withSpan(name, fn, attributes) {
      if (!isTelemetryEnabled()) return fn(undefined);
      let span: Span;
      try {
        const provider = options.tracerProvider ?? trace.getTracerProvider();
        const tracer = provider.getTracer(options.name, options.version);
        span = tracer.startSpan(name, attributes === undefined ? {} : { attributes });
      } catch {
        // A broken tracing SDK must not break the host: run without a span.
        return fn(undefined);
      }
      const fail = (error: unknown): void =>
        swallow(() => {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
        });
      try {
        const result = fn(span);
        if (result instanceof Promise) {
          return result.then(
            (value: unknown) => {
              swallow(() => span.end());
              return value;
            },
            (error: unknown) => {
              fail(error);
              swallow(() => span.end());
              throw error;
            },
          ) as ReturnType<typeof fn>;
        }
        swallow(() => span.end());
        return result;
      } catch (error) {
        fail(error);
        swallow(() => span.end());
        throw error;
      }
    },
  };
}
