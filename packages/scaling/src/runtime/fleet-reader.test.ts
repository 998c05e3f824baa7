import { describe, expect, it } from 'vitest';
import {
  HeadroomError,
  err,
  ok,
  type InstanceObservation,
  type MetricSource,
} from '@headroom/core';
import { fleetReaderFromSource, mergeObservations } from './index.js';

const NOW = 1_764_000_000_000;

function source(result: Awaited<ReturnType<MetricSource['read']>> | Error): MetricSource & {
  signals: (AbortSignal | undefined)[];
} {
  const signals: (AbortSignal | undefined)[] = [];
  return {
    name: 'fake',
    signals,
    read(options) {
      signals.push(options?.signal);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
  };
}

describe('fleetReaderFromSource', () => {
  it('merges observations of several sources into one snapshot per inventory instance', async () => {
    const observations: InstanceObservation[] = [
      {
        instanceId: 'llm/a',
        observedAtMs: NOW - 2_000,
        labels: { gpuClass: 'H100', region: 'from-source' },
        gpus: [
          { gpuId: 'g0', utilization: 0.5, sampledAtMs: NOW - 9_000 },
          { gpuId: 'g0', utilization: 0.9, sampledAtMs: NOW - 2_000 },
        ],
      },
      {
        instanceId: 'llm/a',
        observedAtMs: NOW - 5_000,
        load: { queueDepth: 7, activeStreams: 3 },
      },
      { instanceId: 'llm/a', observedAtMs: NOW - 1_000, load: { queueDepth: 9 } },
      { instanceId: 'llm/other', observedAtMs: NOW, load: { queueDepth: 100 } },
    ];
    const metrics = source(ok(observations));
    const reader = fleetReaderFromSource(
      metrics,
      () => ({
        currentReplicas: 2,
        instances: [
          { id: 'llm/a', state: 'ready', labels: { region: 'us-east-1' } },
          { id: 'llm/b', state: 'loading', stateSinceMs: NOW - 30_000 },
        ],
      }),
      {
        fleet: (_obs, instances) => ({
          'ttft-p95': { value: instances.length * 100, sampledAtMs: NOW },
        }),
      },
    );
    const controller = new AbortController();

    const reading = await reader.read(controller.signal);

    expect(metrics.signals).toEqual([controller.signal]);
    expect(reading).toEqual({
      ok: true,
      value: {
        currentReplicas: 2,
        fleet: { 'ttft-p95': { value: 200, sampledAtMs: NOW } },
        instances: [
          {
            id: 'llm/a',
            state: 'ready',
            labels: { gpuClass: 'H100', region: 'us-east-1' },
            load: { queueDepth: 9, activeStreams: 3 },
            gpus: [{ gpuId: 'g0', utilization: 0.9, sampledAtMs: NOW - 2_000 }],
            observedAtMs: NOW - 5_000, // the oldest observation that reported load
          },
          {
            id: 'llm/b',
            state: 'loading',
            stateSinceMs: NOW - 30_000,
            labels: {},
            load: {},
            gpus: [],
            observedAtMs: 0, // nothing observed: every metric unknown
          },
        ],
      },
    });
  });

  it('passes a failed read through and turns throws into internal errors', async () => {
    const down = new HeadroomError({ code: 'unavailable', message: 'exporter down' });
    const inventory = () => ({ currentReplicas: 1, instances: [] });
    const signal = new AbortController().signal;
    expect(await fleetReaderFromSource(source(err(down)), inventory).read(signal)).toEqual(
      err(down),
    );
    expect(
      await fleetReaderFromSource(source(new Error('boom')), inventory).read(signal),
    ).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(
      await fleetReaderFromSource(source(ok([])), () => {
        throw new Error('k8s list failed');
      }).read(signal),
    ).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('keeps extra labels from every source, the inventory winning', () => {
    const merged = mergeObservations(
      { id: 'a', state: 'ready', labels: { extra: { pool: 'inventory' } } },
      [{ instanceId: 'a', observedAtMs: 5, labels: { extra: { pool: 'source', tenant: 't1' } } }],
    );
    expect(merged.labels).toEqual({ extra: { pool: 'inventory', tenant: 't1' } });
    expect(merged.observedAtMs).toBe(5);
  });
});
