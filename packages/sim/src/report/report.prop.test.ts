import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHART_LIB_SOURCE } from './chart-lib.js';
import { renderHtmlReport } from './html.js';
import { parseSimReport } from './schema.js';
import { renderTable } from './table.js';
import { buildFixtureReport } from './test-fixture.js';
import type { SimReport } from './types.js';

/** Any double: NaN, the infinities, -0, subnormals and huge values included. */
const anyNumber = fc.double();

const figures = fc.record({
  sloAttainment: anyNumber,
  p50: anyNumber,
  p99: anyNumber,
  gpuHours: anyNumber,
  costUsd: anyNumber,
  coldStarts: anyNumber,
  scaleEvents: anyNumber,
  demand: fc.array(anyNumber, { minLength: 3, maxLength: 3 }),
  cdfX: anyNumber,
});

/** A small report whose names are any strings and whose figures are any doubles. */
const arbitraryReport = fc
  .record({
    title: fc.string(),
    scenario: fc.string(),
    policies: fc.array(fc.string({ maxLength: 12 }), { minLength: 0, maxLength: 4 }),
    withOracle: fc.boolean(),
    values: fc.array(figures, { minLength: 5, maxLength: 5 }),
  })
  .map(({ title, scenario, policies, withOracle, values }): SimReport => {
    const names = withOracle ? [...policies, 'oracle'] : policies;
    const report = buildFixtureReport({ scenarios: [scenario], policies: names, points: 3 });
    report.title = title;
    report.scenarios[0]?.results.forEach((r, i) => {
      const v = values[i];
      if (v === undefined) return;
      r.requests.sloAttainment = v.sloAttainment;
      r.latencyMs.ttft.p50 = v.p50;
      r.latencyMs.ttft.p99 = v.p99;
      r.gpuHours.total = v.gpuHours;
      r.costUsd.total = v.costUsd;
      r.costUsd.byCapacityType['spot'] = v.costUsd;
      r.coldStarts = v.coldStarts;
      r.scaleEvents = v.scaleEvents;
      r.timeSeries.demandRps = v.demand;
      r.cdf.ttftMs[0] = [v.cdfX, 0.01];
    });
    return report;
  });

interface Charts {
  line(spec: object): string;
  bars(spec: object): string;
}
const charts = new Function(`${CHART_LIB_SOURCE}\nreturn HeadroomCharts;`)() as Charts;

describe('report renderers (properties)', () => {
  it('renderTable: never prints NaN, aligns every table, gives the oracle 1.00 when it is finite', () => {
    fc.assert(
      fc.property(arbitraryReport, (report) => {
        const text = renderTable(report);
        expect(text).not.toMatch(/NaN|Infinity|undefined/);
        const lines = text.split('\n');
        const headerAt = lines.findIndex((l) => l.startsWith('policy  '));
        if (headerAt < 0) return;
        const rule = lines[headerAt + 1] ?? '';
        const rows = report.scenarios[0]?.results ?? [];
        for (const row of lines.slice(headerAt + 2, headerAt + 2 + rows.length)) {
          expect(row.length).toBe(rule.length);
        }
        const oracleAt = rows.findIndex((r) => r.policy === 'oracle');
        const oracle = rows[oracleAt];
        if (oracle !== undefined && Number.isFinite(oracle.gpuHours.total)) {
          expect(lines[headerAt + 2 + oracleAt]?.endsWith(' 1.00')).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('renderHtmlReport: deterministic, three script elements, data that reads back', () => {
    fc.assert(
      fc.property(arbitraryReport, (report) => {
        const html = renderHtmlReport(report);
        expect(renderHtmlReport(report)).toBe(html);
        expect(html.match(/<\/script/gi)).toHaveLength(3);
        expect(html.match(/<script/gi)).toHaveLength(3);
        const open = '<script type="application/json" id="headroom-data">';
        const start = html.indexOf(open) + open.length;
        const data: unknown = JSON.parse(html.slice(start, html.indexOf('</script>', start)));
        expect(data).toEqual(JSON.parse(JSON.stringify(parseSimReport(report))));
      }),
      { numRuns: 1000 },
    );
  });

  it('chart library: any numbers give an SVG without NaN, Infinity or undefined', () => {
    const point = fc.tuple(anyNumber, anyNumber);
    fc.assert(
      fc.property(
        fc.array(fc.array(point, { maxLength: 8 }), { maxLength: 3 }),
        fc.constantFrom('linear', 'time', 'log'),
        fc.array(fc.array(anyNumber, { maxLength: 4 }), { maxLength: 3 }),
        anyNumber,
        (series, xType, stacks, marker) => {
          const line = charts.line({
            kind: 'line',
            xType,
            marker: { x: marker, label: 'm' },
            series: series.map((points, i) => ({
              name: `s${i}`,
              points,
              step: i === 1,
              area: i === 0,
              axis: i === 2 ? 'y2' : 'y',
            })),
          });
          const bars = charts.bars({
            kind: 'bars',
            categories: ['a', 'b', 'c', 'd'],
            stacks: stacks.map((values, i) => ({ name: `t${i}`, values })),
          });
          for (const svg of [line, bars]) {
            expect(svg).not.toMatch(/NaN|Infinity|undefined/);
            expect(svg.startsWith('<svg ') && svg.endsWith('</svg>')).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
