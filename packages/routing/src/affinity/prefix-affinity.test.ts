import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHeadroomError } from '@headroom/core';
import {
  affinityMode,
  affinityScore,
  createPrefixAffinity,
  isLoadImbalanced,
  matchRatio,
  parsePrefixAffinityConfig,
} from './index.js';

const T0 = 1_700_000_000_000;

interface TraceRow {
  readonly timestamp: number;
  readonly hash_ids: readonly number[];
}

function readMooncake(limit: number): TraceRow[] {
  const url = new URL(
    '../../../../../shared/data/traces/mooncake_conversation_trace.jsonl',
    import.meta.url,
  );
  const lines = readFileSync(url, 'utf8').split('\n');
  const rows: TraceRow[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    rows.push(JSON.parse(line) as TraceRow);
    if (rows.length >= limit) break;
  }
  return rows;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isHeadroomError(error) ? `${error.code} ${error.path.join('.')}` : 'not a HeadroomError';
  }
  return undefined;
}

describe('createPrefixAffinity', () => {
  it('matches the longest recorded prefix, consecutively from the first block', () => {
    const a = createPrefixAffinity();
    a.record('e1', [10, 11, 12, 13], T0);
    expect(a.matchedBlocks('e1', [10, 11, 12, 13, 14], T0)).toBe(4);
    expect(a.matchedBlocks('e1', [10, 11, 99, 13], T0)).toBe(2);
    expect(a.matchedBlocks('e1', [11, 12], T0)).toBe(2); // both blocks are known
    expect(a.matchedBlocks('e1', [99, 10, 11], T0)).toBe(0);
    expect(a.matchedBlocks('e1', [], T0)).toBe(0);
    expect(a.matchedBlocks('e2', [10], T0)).toBe(0);
    expect(a.matchedBlocks('e1', new Float64Array([10, 11]), T0)).toBe(2);
  });

  it('forgets blocks older than ttlMs', () => {
    const a = createPrefixAffinity({ ttlMs: 1_000 });
    a.record('e1', [1, 2, 3], T0);
    a.record('e1', [1], T0 + 900);
    expect(a.matchedBlocks('e1', [1, 2, 3], T0 + 1_000)).toBe(3);
    expect(a.matchedBlocks('e1', [1, 2, 3], T0 + 1_001)).toBe(1);
    expect(a.matchedBlocks('e1', [1, 2, 3], T0 + 1_901)).toBe(0);
  });

  it('bounds each index and evicts the tail of a prefix before its head', () => {
    const a = createPrefixAffinity({ maxBlocksPerEndpoint: 4 });
    a.record('e1', [1, 2, 3], T0);
    a.record('e1', [7, 8, 9], T0 + 1);
    expect(a.blockCount('e1')).toBe(4);
    expect(a.matchedBlocks('e1', [7, 8, 9], T0 + 2)).toBe(3);
    // Of [1, 2, 3] only the head survived.
    expect(a.matchedBlocks('e1', [1, 2, 3], T0 + 2)).toBe(1);
    a.record('e1', [20, 21, 22, 23, 24, 25], T0 + 3);
    expect(a.blockCount('e1')).toBe(4);
    expect(a.matchedBlocks('e1', [20, 21, 22, 23, 24, 25], T0 + 3)).toBe(4);
  });

  it('ignores non-finite times and removes endpoints', () => {
    const a = createPrefixAffinity();
    a.record('e1', [1, 2], Number.NaN);
    expect(a.size).toBe(0);
    a.record('e1', [1, 2], T0);
    expect(a.matchedBlocks('e1', [1, 2], Number.POSITIVE_INFINITY)).toBe(0);
    expect(a.size).toBe(1);
    a.remove('e1');
    expect(a.size).toBe(0);
    expect(a.matchedBlocks('e1', [1, 2], T0)).toBe(0);
  });

  it('validates its configuration', () => {
    expect(codeOf(() => createPrefixAffinity({ maxBlocksPerEndpoint: 0 }))).toBe(
      'invalid_config maxBlocksPerEndpoint',
    );
    expect(codeOf(() => createPrefixAffinity({ ttlMs: 0 }))).toBe('invalid_config ttlMs');
    expect(codeOf(() => parsePrefixAffinityConfig({ cacheThreshold: 2 }))).toBe(
      'invalid_config cacheThreshold',
    );
    expect(codeOf(() => parsePrefixAffinityConfig({ balanceRelThreshold: 0.5 }))).toBe(
      'invalid_config balanceRelThreshold',
    );
  });
});

describe('prefix affinity on the Mooncake conversation trace', () => {
  const rows = readMooncake(3_000);
  const endpoints = ['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3'];

  // Large enough that nothing is evicted or expires over these rows (about 20 k blocks per
  // endpoint over 15 minutes of trace), so a naive scan is an exact oracle.
  const roomy = { maxBlocksPerEndpoint: 65_536, ttlMs: 3_600_000 };

  function replay(pick: (row: TraceRow, index: number, matched: number[]) => number) {
    const a = createPrefixAffinity(roomy);
    let matchedTotal = 0;
    let blocksTotal = 0;
    const routedTo: number[] = [];
    const matchedOf: number[] = [];
    rows.forEach((row, i) => {
      const now = T0 + row.timestamp;
      const matched = endpoints.map((e) => a.matchedBlocks(e, row.hash_ids, now));
      const chosen = pick(row, i, matched);
      const id = endpoints[chosen] ?? 'gpu-0';
      matchedTotal += matched[chosen] ?? 0;
      blocksTotal += row.hash_ids.length;
      routedTo.push(chosen);
      matchedOf.push(matched[chosen] ?? 0);
      a.record(id, row.hash_ids, now);
    });
    return { matchedTotal, blocksTotal, routedTo, matchedOf, affinity: a };
  }

  it('matches repeated conversation prefixes when the request goes to the same endpoint', () => {
    // Cache-aware: the endpoint with the longest match, else round-robin.
    const aware = replay((_row, i, matched) => {
      let best = i % endpoints.length;
      matched.forEach((m, e) => {
        if (m > (matched[best] ?? 0)) best = e;
      });
      return best;
    });
    // Request 134 continues request 10's conversation: its first 26 blocks are request 10's.
    const earlier = rows[10]?.hash_ids ?? [];
    const later = rows[134]?.hash_ids ?? [];
    expect(later.slice(0, 26)).toEqual(earlier.slice(0, 26));
    expect(aware.matchedOf[134]).toBeGreaterThanOrEqual(26);
    expect(aware.routedTo[134]).toBe(aware.routedTo[10]);

    // The same routing with naive per-endpoint sets of every block ever served.
    const sets = endpoints.map(() => new Set<number>());
    let naiveMatched = 0;
    rows.forEach((row, i) => {
      const matched = sets.map((set) => {
        let m = 0;
        for (const h of row.hash_ids) {
          if (!set.has(h)) break;
          m += 1;
        }
        return m;
      });
      let best = i % endpoints.length;
      matched.forEach((m, e) => {
        if (m > (matched[best] ?? 0)) best = e;
      });
      naiveMatched += matched[best] ?? 0;
      for (const h of row.hash_ids) sets[best]?.add(h);
    });
    expect(aware.matchedTotal).toBe(naiveMatched);

    const roundRobin = replay((_row, i) => i % endpoints.length);
    const awareRatio = aware.matchedTotal / aware.blocksTotal;
    const rrRatio = roundRobin.matchedTotal / roundRobin.blocksTotal;
    expect(awareRatio).toBeGreaterThan(0.3);
    expect(awareRatio).toBeGreaterThan(rrRatio * 1.5);
  });

  it('keeps every index within its bound on the trace', () => {
    const a = createPrefixAffinity({ maxBlocksPerEndpoint: 1_024 });
    rows.forEach((row, i) => {
      a.record(endpoints[i % endpoints.length] ?? 'gpu-0', row.hash_ids, T0 + row.timestamp);
    });
    for (const e of endpoints) expect(a.blockCount(e)).toBe(1_024);
  });

  it('agrees with a naive prefix scan when nothing is evicted', () => {
    const a = createPrefixAffinity({ maxBlocksPerEndpoint: 1_048_576, ttlMs: 604_800_000 });
    const seen = new Set<number>();
    for (const row of rows.slice(0, 1_500)) {
      const now = T0 + row.timestamp;
      let expected = 0;
      for (const h of row.hash_ids) {
        if (!seen.has(h)) break;
        expected += 1;
      }
      expect(a.matchedBlocks('only', row.hash_ids, now)).toBe(expected);
      a.record('only', row.hash_ids, now);
      for (const h of row.hash_ids) seen.add(h);
    }
  });
});

describe('affinityScore', () => {
  const balanced = { minLoad: 2, maxLoad: 6 };

  it('prefers the best match above the threshold when loads are balanced', () => {
    expect(affinityScore(8, 10, { load: 6, ...balanced })).toBeCloseTo(1.8, 12);
    expect(affinityScore(10, 10, { load: 6, ...balanced })).toBe(2);
    expect(affinityMode(8, 10, { load: 6, ...balanced })).toBe('cache');
    // Above the threshold beats any endpoint scored by load.
    expect(affinityScore(6, 10, { load: 6, ...balanced })).toBeGreaterThan(
      affinityScore(0, 10, { load: 0, ...balanced }),
    );
  });

  it('goes by load below the threshold', () => {
    expect(affinityScore(5, 10, { load: 2, ...balanced })).toBeCloseTo(1 / 3, 12);
    expect(affinityMode(5, 10, { load: 2, ...balanced })).toBe('low_match');
    expect(affinityScore(1, 10, { load: 2, ...balanced })).toBeGreaterThan(
      affinityScore(4, 10, { load: 6, ...balanced }),
    );
  });

  it('ignores the cache when loads are imbalanced on both thresholds', () => {
    const spread = { minLoad: 10, maxLoad: 60 };
    expect(isLoadImbalanced(10, 60)).toBe(true);
    expect(isLoadImbalanced(10, 40)).toBe(false); // gap 30 <= 32
    expect(isLoadImbalanced(100, 140)).toBe(false); // ratio 1.4 <= 1.5
    expect(affinityMode(10, 10, { load: 60, ...spread })).toBe('imbalanced');
    expect(affinityScore(10, 10, { load: 60, ...spread })).toBeCloseTo(1 / 61, 12);
    expect(affinityScore(0, 10, { load: 10, ...spread })).toBeGreaterThan(
      affinityScore(10, 10, { load: 60, ...spread }),
    );
  });

  it('stays finite for odd inputs', () => {
    expect(affinityScore(Number.NaN, 10, { load: 1, ...balanced })).toBe(0.5);
    expect(affinityScore(5, 0, { load: -3, ...balanced })).toBe(1);
    expect(affinityScore(5, 10, { load: Number.NaN, ...balanced })).toBe(0);
    expect(affinityScore(5, 10, { load: 1, minLoad: Number.NaN, maxLoad: 3 })).toBe(0.5);
    expect(matchRatio(20, 10)).toBe(1);
    expect(matchRatio(-1, 10)).toBe(0);
  });
});
