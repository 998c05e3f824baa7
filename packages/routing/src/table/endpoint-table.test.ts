import { describe, expect, it } from 'vitest';
import { EndpointTable, READY_CODE } from './endpoint-table.js';

const T0 = 1_700_000_000_000;

describe('EndpointTable', () => {
  it('grows by doubling and swap-removes, keeping id -> slot consistent', () => {
    const table = new EndpointTable(1);
    for (let i = 0; i < 100; i++) {
      const { slot } = table.upsert(
        { id: `e${i}`, models: [{ name: 'm' }], lifecycle: 'ready' },
        T0,
      );
      expect(table.setMetrics(slot, { scrapedAtMs: T0, queueDepth: i }).ok).toBe(true);
    }
    const removal = table.remove('e10');
    expect(removal).toEqual({ slot: 10, movedFrom: 99 });
    expect(table.slotOf('e99')).toBe(10);
    expect(table.queueDepth[10]).toBe(99);
    expect(table.slotOf('e10')).toBe(-1);
    expect(table.size).toBe(99);
    for (let i = 0; i < 100; i++) {
      if (i === 10) continue;
      const slot = table.slotOf(`e${i}`);
      expect(table.idAt(slot)).toBe(`e${i}`);
      expect(table.queueDepth[slot]).toBe(i);
      expect(table.lifecycle[slot]).toBe(READY_CODE);
    }
  });

  it('keeps the effective queue and in-flight >= 0 under router accounting', () => {
    const table = new EndpointTable();
    const { slot } = table.upsert({ id: 'a', models: [{ name: 'm' }], lifecycle: 'ready' }, T0);
    table.setMetrics(slot, { scrapedAtMs: T0, queueDepth: 2, inFlightRequests: 3 });
    for (let i = 0; i < 10; i++) table.addRouterDelta(slot, -1);
    expect(table.effectiveQueue(slot)).toBe(0);
    expect(table.effectiveInFlight(slot)).toBe(0);
    table.addRouterDelta(slot, 1);
    expect(table.effectiveInFlight(slot)).toBe(1);
  });

  it('rejects a scrape whose memory used exceeds total, naming endpoint and field', () => {
    const table = new EndpointTable();
    const { slot } = table.upsert({ id: 'a', models: [{ name: 'm' }], lifecycle: 'ready' }, T0);
    const result = table.setMetrics(slot, {
      scrapedAtMs: T0,
      memoryUsedBytes: 2,
      memoryTotalBytes: 1,
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.path).toEqual(['endpoints', 'a', 'metrics', 'memoryUsedBytes']);
    const xid = table.setMetrics(slot, { scrapedAtMs: T0, xid: [79, -1] });
    expect(!xid.ok && xid.error.path.at(-1)).toBe('xid');
  });
});
