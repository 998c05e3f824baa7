import {
  formatCount,
  formatFixed,
  formatMs,
  formatPercent,
  formatRatio,
  sanitizeText,
} from './format.js';
import { parseSimReport } from './schema.js';
import {
  describeSettings,
  describeTrace,
  ORACLE_POLICY,
  summarizeScenario,
  type ScenarioSummaryRow,
} from './summary.js';
import type { SimReport } from './types.js';

interface Column {
  readonly header: string;
  readonly left?: boolean;
  readonly cell: (row: ScenarioSummaryRow) => string;
}

const COLUMNS: readonly Column[] = [
  { header: 'policy', left: true, cell: (r) => sanitizeText(r.policy) },
  { header: 'SLO met', cell: (r) => formatPercent(r.sloAttainment) },
  { header: 'TTFT p50 ms', cell: (r) => formatMs(r.ttftP50Ms) },
  { header: 'TTFT p99 ms', cell: (r) => formatMs(r.ttftP99Ms) },
  { header: 'GPU-hours', cell: (r) => formatFixed(r.gpuHours, 2) },
  { header: 'cost $', cell: (r) => formatFixed(r.costUsd, 2) },
  { header: 'cold starts', cell: (r) => formatCount(r.coldStarts) },
  { header: 'scale events', cell: (r) => formatCount(r.scaleEvents) },
  { header: 'GPU-h vs oracle', cell: (r) => formatRatio(r.gpuHoursVsOracle) },
];

/**
 * Lays out a header and rows of cells in columns as wide as their widest cell, two spaces apart,
 * with a rule of dashes under the header.
 */
function layout(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = COLUMNS.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]): string =>
    COLUMNS.map((col, c) => {
      const text = row[c] ?? '';
      const width = widths[c] ?? 0;
      return col.left === true ? text.padEnd(width) : text.padStart(width);
    })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/**
 * Renders a {@link SimReport} as fixed-width plain text for a terminal: the title, then per
 * scenario a header (trace, request count, duration, settings) and a table with one row per
 * policy, in the report's order: SLO attainment (%), TTFT p50 and p99 (ms), GPU-hours, dollars,
 * cold starts, scale events, and GPU-hours as a multiple of the oracle's (the oracle's row reads
 * `1.00`; `-` when the scenario has no `oracle` result, `inf` when the oracle used none).
 *
 * Deterministic and locale-independent (thousands separated by commas, `.` for decimals); numbers
 * that are not finite show as `-`; control characters in names become `?`. The text ends with a
 * newline and no line has trailing spaces.
 *
 * @throws `HeadroomError` `invalid_input` when `report` does not have the shape of a SimReport.
 * @example
 * ```ts
 * process.stdout.write(renderTable(report));
 * // == azure-code ==
 * // policy   SLO met  TTFT p50 ms  ...  GPU-h vs oracle
 * // hpa       97.41%          412  ...             1.84
 * ```
 */
export function renderTable(report: Readonly<SimReport>): string {
  const parsed = parseSimReport(report);
  const lines: string[] = [sanitizeText(parsed.title)];
  if (parsed.scenarios.length === 0) lines.push('', '(no scenarios)');
  for (const scenario of parsed.scenarios) {
    lines.push(
      '',
      `== ${sanitizeText(scenario.name)} ==`,
      sanitizeText(describeTrace(scenario)),
      sanitizeText(describeSettings(scenario)),
      '',
    );
    if (scenario.results.length === 0) {
      lines.push('(no results)');
      continue;
    }
    const summary = summarizeScenario(scenario);
    const header = COLUMNS.map((c) => c.header);
    lines.push(
      ...layout(
        header,
        summary.map((row) => COLUMNS.map((c) => c.cell(row))),
      ),
    );
    if (!summary.some((r) => r.isOracle)) {
      lines.push(`(no '${ORACLE_POLICY}' result in this scenario: no ratio to the oracle)`);
    }
  }
  return `${lines.join('\n')}\n`;
}
