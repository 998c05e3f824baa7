// Opens the offline HTML report in headless Chromium (Debian's `chromium` package, installed by
// tools/system-deps.sh) and checks, in the DOM Chromium dumps after running the page's scripts,
// that every chart rendered. Skipped only outside CI when no Chromium binary is on PATH.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../src/report/index.js';
import { buildFixtureReport } from '../src/report/test-fixture.js';
import type { SimReport } from '../src/report/types.js';

const CHROMIUM_TIMEOUT_MS = 60_000;

/** The first `chromium` or `chromium-browser` executable on PATH. */
function findChromium(): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

const chromium = findChromium();
const inCi = (process.env['CI'] ?? '') !== '';

/** Loads `html` from a file in a fresh temp dir and returns the DOM after its scripts ran. */
async function dumpDom(binary: string, html: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-report-'));
  try {
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, html);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
      '--metrics-recording-only',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      '--virtual-time-budget=5000',
      '--dump-dom',
      pathToFileURL(file).href,
    ];
    return await new Promise<string>((resolve, reject) => {
      execFile(
        binary,
        args,
        { timeout: CHROMIUM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error !== null) {
            reject(
              new Error(
                `${binary} failed (${error.message}); stderr tail:\n${stderr.slice(-2000)}`,
              ),
            );
          } else {
            resolve(stdout);
          }
        },
      );
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function requireChromium(): string {
  if (chromium === undefined) {
    throw new Error(
      'CI is set but no chromium (or chromium-browser) binary is on PATH: run `bash tools/system-deps.sh` to install it',
    );
  }
  return chromium;
}

function bodyAttribute(dom: string, name: string): string | undefined {
  const body = /<body\b[^>]*>/.exec(dom)?.[0] ?? '';
  return new RegExp(`\\s${name}="([^"]*)"`).exec(body)?.[1];
}

/** The `<svg data-chart>` elements of the DOM (outside the scripts, which mention the tag too). */
function charts(dom: string): { kind: string; svg: string }[] {
  const withoutScripts = dom.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
  return [...withoutScripts.matchAll(/<svg data-chart="([^"]+)"[\s\S]*?<\/svg>/g)].map((m) => ({
    kind: m[1] ?? '',
    svg: m[0],
  }));
}

/** A capacity chart per policy run, a CDF and a cost chart per scenario with results. */
function expectedCharts(report: SimReport): number {
  return report.scenarios.reduce(
    (n, s) => n + (s.results.length === 0 ? 0 : s.results.length + 2),
    0,
  );
}

describe('the HTML report in headless Chromium', () => {
  it.skipIf(chromium === undefined && !inCi)(
    'renders every chart, each with drawn shapes, and no error',
    async () => {
      // Arrange
      const report = buildFixtureReport();
      const expected = expectedCharts(report);

      // Act
      const dom = await dumpDom(requireChromium(), renderHtmlReport(report));

      // Assert
      expect(bodyAttribute(dom, 'data-render-error')).toBeUndefined();
      expect(bodyAttribute(dom, 'data-rendered')).toBe(String(expected));
      const drawn = charts(dom);
      expect(drawn).toHaveLength(expected);
      const kinds = drawn.map((c) => c.kind);
      expect(kinds.filter((k) => k === 'capacity')).toHaveLength(12);
      expect(kinds.filter((k) => k === 'cdf')).toHaveLength(2);
      expect(kinds.filter((k) => k === 'cost')).toHaveLength(2);
      for (const { kind, svg } of drawn) {
        expect(svg.match(/<(path|rect)\b/g)?.length ?? 0, kind).toBeGreaterThan(0);
        expect(svg, kind).not.toMatch(/NaN|Infinity|undefined/);
      }
      for (const { svg } of drawn.filter((c) => c.kind === 'capacity')) {
        // demand area + demand line + ready + desired, each with its tooltip
        expect(svg.match(/<path [^>]*><title>/g)?.length).toBeGreaterThanOrEqual(4);
      }
      for (const { svg } of drawn.filter((c) => c.kind === 'cdf')) {
        expect(svg.match(/<path [^>]*><title>/g)?.length).toBe(6);
      }
      for (const { svg } of drawn.filter((c) => c.kind === 'cost')) {
        expect(svg.match(/<rect [^>]*><title>/g)?.length).toBeGreaterThanOrEqual(6);
      }
    },
  );

  it.skipIf(chromium === undefined && !inCi)(
    'marks the page when a chart fails, and still draws the others',
    async () => {
      // Arrange: hide one policy run's time series from the page's script.
      const report = buildFixtureReport({ scenarios: ['only'], policies: ['hpa', 'oracle'] });
      const html = renderHtmlReport(report).replace('"timeSeries":', '"timeSeriesGone":');

      // Act
      const dom = await dumpDom(requireChromium(), html);

      // Assert
      expect(bodyAttribute(dom, 'data-rendered')).toBe(String(expectedCharts(report) - 1));
      expect(bodyAttribute(dom, 'data-render-error')).toMatch(/^capacity chart 0: /);
      expect(dom).toContain('class="render-error"');
    },
  );
});
