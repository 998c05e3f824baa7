export { CHART_LIB_SOURCE } from './chart-lib.js';
export { REPORT_CSP, embedJson, escapeHtml, renderHtmlReport } from './html.js';
export { PolicyRunResultSchema, SimReportSchema, parseSimReport } from './schema.js';
export { ORACLE_POLICY, summarizeScenario } from './summary.js';
export type { ScenarioSummaryRow } from './summary.js';
export { renderTable } from './table.js';
export type { SimScenario } from './types.js';
