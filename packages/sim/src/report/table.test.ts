import { isHeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';
import { buildFixtureReport } from './test-fixture.js';
import type { SimReport } from './types.js';

describe('renderTable', () => {
  it('renders one table per scenario with a row per policy and the oracle at 1.00', () => {
    // Arrange
    const report = buildFixtureReport();

    // Act
    const text = renderTable(report);

    // Assert
    const lines = text.split('\n');
    expect(lines[0]).toBe(report.title);
    expect(text.endsWith('\n')).toBe(true);
    expect(lines.filter((l) => l.startsWith('== '))).toEqual([
      '== azure-code ==',
      '== azure-conv ==',
    ]);
    const header = lines.find((l) => l.startsWith('policy'));
    expect(header).toMatch(
      /^policy\s+SLO met\s+TTFT p50 ms\s+TTFT p99 ms\s+GPU-hours\s+cost \$\s+cold starts\s+scale events\s+GPU-h vs oracle$/,
    );
    const oracleRows = lines.filter((l) => l.startsWith('oracle '));
    expect(oracleRows).toHaveLength(2);
    for (const row of oracleRows) expect(row.endsWith(' 1.00')).toBe(true);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it('aligns every row of a table to the same width', () => {
    const text = renderTable(buildFixtureReport({ scenarios: ['only'] }));
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('policy'));
    const block = lines.slice(start, start + 2 + 6);
    const rule = block[1] ?? '';
    expect(rule).toMatch(/^[- ]+$/);
    // Right-aligned numbers end at the rule's last column.
    for (const row of block.slice(2)) expect(row.length).toBe(rule.length);
  });

  it('shows the figures of each result, formatted without the locale', () => {
    const report = buildFixtureReport({ scenarios: ['s'], policies: ['hpa', 'oracle'] });
    const [scenario] = report.scenarios;
    const [hpa, oracle] = scenario?.results ?? [];
    if (hpa === undefined || oracle === undefined) throw new Error('fixture');
    hpa.requests.sloAttainment = 0.97412;
    hpa.latencyMs.ttft.p50 = 412.4;
    hpa.latencyMs.ttft.p99 = 1830.6;
    hpa.gpuHours.total = 1234.5;
    hpa.costUsd.total = 4814.551;
    hpa.coldStarts = 12;
    hpa.scaleEvents = 1500;
    oracle.gpuHours.total = 617.25;

    const row = renderTable(report)
      .split('\n')
      .find((l) => l.startsWith('hpa'));

    expect(row?.split(/\s{2,}/)).toEqual([
      'hpa',
      '97.41%',
      '412',
      '1,831',
      '1,234.50',
      '4,814.55',
      '12',
      '1,500',
      '2.00',
    ]);
  });

  it('shows non-finite figures as - and inf, never NaN', () => {
    const report = buildFixtureReport({ scenarios: ['s'], policies: ['idle', 'oracle'] });
    const [idle, oracle] = report.scenarios[0]?.results ?? [];
    if (idle === undefined || oracle === undefined) throw new Error('fixture');
    idle.latencyMs.ttft.p50 = Number.NaN;
    idle.requests.sloAttainment = Number.NaN;
    oracle.gpuHours.total = 0;

    const text = renderTable(report);

    expect(text).not.toMatch(/NaN|Infinity/);
    const row = text.split('\n').find((l) => l.startsWith('idle'));
    expect(row?.split(/\s{2,}/)[1]).toBe('-');
    expect(row?.split(/\s{2,}/)[2]).toBe('-');
    expect(row?.endsWith(' inf')).toBe(true);
  });

  it('says so when a scenario has no oracle, and shows - as the ratio', () => {
    const text = renderTable(buildFixtureReport({ scenarios: ['s'], policies: ['hpa', 'keda'] }));
    expect(text).toContain("(no 'oracle' result in this scenario: no ratio to the oracle)");
    const row = text.split('\n').find((l) => l.startsWith('hpa'));
    expect(row?.endsWith(' -')).toBe(true);
  });

  it('handles empty reports and scenarios without results', () => {
    const empty: SimReport = { version: 1, title: 'empty', scenarios: [] };
    expect(renderTable(empty)).toBe('empty\n\n(no scenarios)\n');
    const noResults = buildFixtureReport({ scenarios: ['s'], policies: [] });
    expect(renderTable(noResults)).toContain('(no results)');
  });

  it('replaces terminal control characters in names', () => {
    const report = buildFixtureReport({
      scenarios: ['s\u001b[31m'],
      policies: ['evil\u0007', 'oracle'],
    });
    const text = renderTable(report);
    const controls = [...text].filter((c) => c !== '\n' && (c < ' ' || c === '\u007f'));
    expect(controls).toEqual([]);
    expect(text).toContain('== s?[31m ==');
    expect(text).toContain('evil?');
  });

  it('describes the trace and the settings above the table', () => {
    const text = renderTable(buildFixtureReport({ scenarios: ['azure-code'] }));
    expect(text).toContain(
      'trace azure-code (AzureLLMInferenceTrace_code.csv): 19,366 requests over 2h00m',
    );
    expect(text).toContain(
      'seed 42, GPU H100, SLO TTFT 2,000 ms, SLO e2e 60 ms/token, cold start lognormal p50 60 s, p95 180 s, time scale 1',
    );
  });

  it('is deterministic', () => {
    expect(renderTable(buildFixtureReport())).toBe(renderTable(buildFixtureReport()));
  });

  it('rejects a report of the wrong shape with invalid_input naming the field', () => {
    const bad = buildFixtureReport() as unknown as { scenarios: { results: unknown[] }[] };
    const first = bad.scenarios[0];
    if (first === undefined) throw new Error('fixture');
    first.results[1] = { policy: 'broken' };
    let caught: unknown;
    try {
      renderTable(bad as unknown as SimReport);
    } catch (error) {
      caught = error;
    }
    expect(isHeadroomError(caught, 'invalid_input')).toBe(true);
    expect(String(caught)).toContain('report.scenarios[0].results[1]');
  });
});
