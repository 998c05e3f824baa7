import { CHART_LIB_SOURCE } from './chart-lib.js';
import { formatCount, formatFixed, formatMs, formatPercent, formatRatio } from './format.js';
import { REPORT_SCRIPT_SOURCE } from './report-script.js';
import { parseSimReport } from './schema.js';
import {
  describeSettings,
  describeTrace,
  ORACLE_POLICY,
  summarizeScenario,
  type ScenarioSummaryRow,
} from './summary.js';
import type { SimReport, SimScenario } from './types.js';

/** The page's Content-Security-Policy: nothing may load; only the inline script and style run. */
export const REPORT_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'";

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` element: object keys sorted (so equal reports
 * give equal bytes whatever order their keys were built in), `NaN` and the infinities as `null`,
 * `</` written `<\/` and every other `<` written `\u003c`, so the text can neither close the
 * element nor open a comment or tag in it; `JSON.parse` reads both escapes back unchanged, as it
 * does `\u2028` and `\u2029`, written escaped too.
 */
export function embedJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const source = v as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) sorted[key] = source[key];
    return sorted;
  });
  return (json ?? 'null')
    .replace(/<(\/?)/g, (_match, slash: string) => (slash === '' ? '\\u003c' : '<\\/'))
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; color: #111827; margin: 0 auto;
  max-width: 1200px; padding: 16px 24px 48px; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.25rem; border-bottom: 1px solid #e5e7eb; }
h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; color: #374151; }
.meta { margin: 0.1rem 0; color: #4b5563; font-size: 0.9rem; }
table.summary { border-collapse: collapse; font-size: 0.9rem; margin: 0.75rem 0; }
table.summary th, table.summary td { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; }
table.summary th { text-align: right; font-weight: 600; background: #f9fafb; }
table.summary td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.summary th:first-child, table.summary td:first-child { text-align: left; }
table.summary tr.oracle td { color: #4b5563; font-style: italic; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 12px; }
figure.chart { margin: 0; padding: 8px; border: 1px solid #e5e7eb; border-radius: 6px; }
figure.wide { max-width: 900px; }
figure.chart svg { display: block; width: 100%; height: auto; }
.note, .render-error { font-size: 0.9rem; }
.render-error { color: #b91c1c; font-weight: 600; }
@media print { figure.chart, table.summary { break-inside: avoid; } body { max-width: none; } }
`;

const SUMMARY_COLUMNS: readonly {
  readonly header: string;
  readonly cell: (row: ScenarioSummaryRow) => string;
}[] = [
  { header: 'policy', cell: (r) => r.policy },
  { header: 'SLO met', cell: (r) => formatPercent(r.sloAttainment) },
  { header: 'TTFT p50 ms', cell: (r) => formatMs(r.ttftP50Ms) },
  { header: 'TTFT p99 ms', cell: (r) => formatMs(r.ttftP99Ms) },
  { header: 'e2e p99 ms', cell: (r) => formatMs(r.e2eP99Ms) },
  { header: 'dropped', cell: (r) => formatCount(r.dropped) },
  { header: 'GPU-hours', cell: (r) => formatFixed(r.gpuHours, 2) },
  { header: 'cost $', cell: (r) => formatFixed(r.costUsd, 2) },
  { header: 'cold starts', cell: (r) => formatCount(r.coldStarts) },
  { header: 'scale events', cell: (r) => formatCount(r.scaleEvents) },
  { header: 'GPU-h vs oracle', cell: (r) => formatRatio(r.gpuHoursVsOracle) },
  { header: '$ vs oracle', cell: (r) => formatRatio(r.costVsOracle) },
];

function summaryTable(scenario: Readonly<SimScenario>): string {
  const head = SUMMARY_COLUMNS.map((c) => `<th scope="col">${escapeHtml(c.header)}</th>`).join('');
  const rows = summarizeScenario(scenario).map((row) => {
    const cells = SUMMARY_COLUMNS.map((c) => `<td>${escapeHtml(c.cell(row))}</td>`).join('');
    return `<tr${row.isOracle ? ' class="oracle"' : ''}>${cells}</tr>`;
  });
  return `<table class="summary"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function figure(kind: string, scenario: number, extra = '', cls = 'chart'): string {
  return `<figure class="${cls}" data-kind="${kind}" data-scenario="${scenario}"${extra}></figure>`;
}

function scenarioSection(scenario: Readonly<SimScenario>, index: number): string {
  const parts = [
    `<section class="scenario" id="scenario-${index}">`,
    `<h2>${escapeHtml(scenario.name)}</h2>`,
    `<p class="meta">${escapeHtml(describeTrace(scenario))}</p>`,
    `<p class="meta">${escapeHtml(describeSettings(scenario))}</p>`,
  ];
  if (scenario.results.length === 0) {
    parts.push('<p class="note">(no results)</p>', '</section>');
    return parts.join('\n');
  }
  parts.push(summaryTable(scenario));
  if (!scenario.results.some((r) => r.policy === ORACLE_POLICY)) {
    parts.push(`<p class="note">No 'oracle' result in this scenario: no ratios to the oracle.</p>`);
  }
  parts.push(
    '<h3>Demand vs ready replicas over time</h3>',
    '<div class="grid">',
    ...scenario.results.map((_, i) => figure('capacity', index, ` data-result="${i}"`)),
    '</div>',
    '<h3>Time to first token (CDF)</h3>',
    figure('cdf', index, '', 'chart wide'),
    '<h3>Cost by capacity type</h3>',
    figure('cost', index, '', 'chart wide'),
    '</section>',
  );
  return parts.join('\n');
}

/**
 * Renders a {@link SimReport} as ONE self-contained, offline HTML page: no external resource of
 * any kind (a Content-Security-Policy of {@link REPORT_CSP} enforces it), so it opens from disk,
 * from an artifact store or an e-mail attachment.
 *
 * Per scenario: the trace and settings, a summary table (SLO attainment, TTFT p50/p99, e2e p99,
 * drops, GPU-hours, dollars, cold starts, scale events, GPU-hours and dollars as multiples of the
 * oracle's), then charts: demand (req/s) against ready and desired replicas over time as small
 * multiples (one per policy, shared axes), the TTFT CDF of every policy on a log axis with the SLO
 * marked, and each policy's cost stacked by capacity type. The tables are static HTML and read
 * without JavaScript; the charts are drawn at load by a small inlined SVG charting library
 * (`CHART_LIB_SOURCE`) from the report embedded as JSON in
 * `<script type="application/json" id="headroom-data">`. When drawing ends, `body[data-rendered]`
 * holds the number of charts drawn (each `<svg>` has `data-chart="capacity|cdf|cost"`), and
 * `body[data-render-error]` the errors, if any.
 *
 * Pure and deterministic: the same report gives the same bytes (embedded keys are sorted; no
 * clock is read).
 *
 * @throws `HeadroomError` `invalid_input` when `report` does not have the shape of a SimReport.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('report.html', renderHtmlReport(report));
 * ```
 */
export function renderHtmlReport(report: Readonly<SimReport>): string {
  const parsed = parseSimReport(report);
  const title = escapeHtml(parsed.title);
  const runs = parsed.scenarios.reduce((n, s) => n + s.results.length, 0);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="headroom-sim">',
    `<title>${title}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${title}</h1>`,
    `<p class="meta">${formatCount(parsed.scenarios.length)} scenario(s), ${formatCount(runs)} policy run(s). GPU-h and $ vs oracle: the multiple of what the oracle (the lower bound that knows the trace) provisioned.</p>`,
    '<noscript><p class="note">The charts need JavaScript; the tables are complete without it.</p></noscript>',
    '</header>',
    ...(parsed.scenarios.length === 0 ? ['<p class="note">(no scenarios)</p>'] : []),
    ...parsed.scenarios.map((s, i) => scenarioSection(s, i)),
    `<script type="application/json" id="headroom-data">${embedJson(parsed)}</script>`,
    `<script>\n${CHART_LIB_SOURCE}</script>`,
    `<script>\n${REPORT_SCRIPT_SOURCE}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
