import {
  metrics,
  type Attributes,
  type MeterProvider,
  type TracerProvider,
} from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTelemetry,
  isTelemetryEnabled,
  setTelemetryEnabled,
  telemetryEnabledByEnv,
} from '@headroom/core';

/** A hand-written MeterProvider that records what instruments receive. */
function recordingProvider(): {
  provider: MeterProvider;
  records: { name: string; value: number; attributes?: Attributes }[];
} {
  const records: { name: string; value: number; attributes?: Attributes }[] = [];
  const instrument = (name: string) => ({
    add: (value: number, attributes?: Attributes) =>
      records.push({ name, value, ...(attributes ? { attributes } : {}) }),
    record: (value: number, attributes?: Attributes) =>
      records.push({ name, value, ...(attributes ? { attributes } : {}) }),
  });
  const meter = {
    createCounter: instrument,
    createUpDownCounter: instrument,
    createHistogram: instrument,
  };
  return { provider: { getMeter: () => meter } as unknown as MeterProvider, records };
}

afterEach(() => {
  metrics.disable();
  setTelemetryEnabled(undefined);
});

describe('telemetry', () => {
  it('binds an instrument made before the host registers its SDK once the SDK is there', () => {
    const telemetry = createTelemetry({ name: '@headroom/test' });
    const decisions = telemetry.counter('headroom.test.decisions');
    decisions.add(1); // no SDK yet: a no-op
    const { provider, records } = recordingProvider();
    metrics.setGlobalMeterProvider(provider);
    decisions.add(2, { reason: 'scale_up' });
    expect(records).toEqual([
      { name: 'headroom.test.decisions', value: 2, attributes: { reason: 'scale_up' } },
    ]);
  });

  it('uses an explicit MeterProvider over the global one', () => {
    const { provider, records } = recordingProvider();
    const telemetry = createTelemetry({ name: '@headroom/test', meterProvider: provider });
    telemetry.histogram('headroom.test.latency_ms').record(12.5);
    telemetry.upDownCounter('headroom.test.streams').add(-1);
    expect(records.map((r) => r.value)).toEqual([12.5, -1]);
  });

  it('records nothing when switched off at runtime', () => {
    const { provider, records } = recordingProvider();
    const telemetry = createTelemetry({ name: '@headroom/test', meterProvider: provider });
    setTelemetryEnabled(false);
    expect(isTelemetryEnabled()).toBe(false);
    telemetry.counter('c').add(1);
    expect(
      telemetry.withSpan('s', (span) => (span === undefined ? 'ran without span' : 'span')),
    ).toBe('ran without span');
    expect(records).toEqual([]);
    setTelemetryEnabled(true);
    telemetry.counter('c').add(1);
    expect(records).toHaveLength(1);
  });

  it('reads the kill switch from the environment', () => {
    expect(telemetryEnabledByEnv({})).toBe(true);
    expect(telemetryEnabledByEnv({ HEADROOM_TELEMETRY: 'off' })).toBe(false);
    expect(telemetryEnabledByEnv({ HEADROOM_TELEMETRY: 'OFF ' })).toBe(false);
    expect(telemetryEnabledByEnv({ OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(telemetryEnabledByEnv({ OTEL_SDK_DISABLED: 'false' })).toBe(true);
    expect(telemetryEnabledByEnv(undefined)).toBe(true);
  });

  it('never throws into the host when the SDK misbehaves', () => {
    const broken = {
      getMeter: () => {
        throw new Error('sdk exploded');
      },
    } as unknown as MeterProvider;
    const telemetry = createTelemetry({ name: '@headroom/test', meterProvider: broken });
    expect(() => telemetry.counter('c').add(1)).not.toThrow();
  });

  it('runs the work without a span when the tracing SDK throws', () => {
    const broken = {
      getTracer: () => {
        throw new Error('tracer exploded');
      },
    } as unknown as TracerProvider;
    const telemetry = createTelemetry({ name: '@headroom/test', tracerProvider: broken });
    expect(telemetry.withSpan('s', (span) => (span === undefined ? 'no span' : 'span'))).toBe(
      'no span',
    );
  });

  it('runs spans around sync and async work and rethrows their errors', async () => {
    const telemetry = createTelemetry({ name: '@headroom/test' });
    expect(telemetry.withSpan('sync', () => 7)).toBe(7);
    await expect(telemetry.withSpan('async', async () => 8)).resolves.toBe(8);
    expect(() =>
      telemetry.withSpan('boom', () => {
        throw new Error('x');
      }),
    ).toThrow('x');
    await expect(
      telemetry.withSpan('boom', async () => {
        throw new Error('y');
      }),
    ).rejects.toThrow('y');
  });
});
