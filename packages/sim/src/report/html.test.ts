import { describe, expect, it } from 'vitest';
import { REPORT_CSP, embedJson, escapeHtml, renderHtmlReport } from './html.js';
import { parseSimReport } from './schema.js';
import { buildFixtureReport } from './test-fixture.js';
import type { SimReport } from './types.js';

const DATA_OPEN = '<script type="application/json" id="headroom-data">';

function embeddedData(html: string): unknown {
  const start = html.indexOf(DATA_OPEN);
  const end = html.indexOf('</script>', start);
  return JSON.parse(html.slice(start + DATA_OPEN.length, end));
}

describe('renderHtmlReport', () => {
  it('is one self-contained page: a strict CSP and no URL of any kind', () => {
    const html = renderHtmlReport(buildFixtureReport());

    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">`,
    );
    expect(REPORT_CSP).toBe(
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
    );
    expect(html).not.toMatch(/https?:|\/\/cdn|\bsrc=|<link|@import|url\(|<img|<iframe/i);
  });

  it('embeds the report as JSON that reads back as the parsed report', () => {
    const report = buildFixtureReport();
    const html = renderHtmlReport(report);

    expect(embeddedData(html)).toEqual(JSON.parse(JSON.stringify(parseSimReport(report))));
  });

  it('leaves a placeholder per chart: a capacity chart per policy, a CDF and a cost chart per scenario', () => {
    const report = buildFixtureReport({ scenarios: ['a', 'b', 'c'], policies: ['hpa', 'oracle'] });
    const html = renderHtmlReport(report);

    expect(html.match(/<figure [^>]*data-kind="capacity"/g)).toHaveLength(6);
    expect(html.match(/<figure [^>]*data-kind="cdf"/g)).toHaveLength(3);
    expect(html.match(/<figure [^>]*data-kind="cost"/g)).toHaveLength(3);
    expect(html).toContain(
      '<figure class="chart" data-kind="capacity" data-scenario="2" data-result="1">',
    );
  });

  it('renders the summary table as static HTML, the oracle row marked', () => {
    const html = renderHtmlReport(buildFixtureReport({ scenarios: ['s'] }));

    expect(html.match(/<table class="summary">/g)).toHaveLength(1);
    expect(html.match(/<tr(?: class="oracle")?><td>/g)).toHaveLength(6);
    expect(html).toMatch(
      /<tr class="oracle"><td>oracle<\/td>(<td>[^<]*<\/td>){9}<td>1\.00<\/td><td>1\.00<\/td><\/tr>/,
    );
  });

  it('escapes names everywhere, and nothing in the data can close its script element', () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const report = buildFixtureReport({
      scenarios: [hostile],
      policies: [`<img src=x>${hostile}`, 'oracle'],
    });
    report.title = `${hostile} & "quotes"`;

    const html = renderHtmlReport(report);

    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<!--');
    expect(html).toContain(
      '<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &quot;quotes&quot;</title>',
    );
    const data = embeddedData(html) as SimReport;
    expect(data.title).toBe(report.title);
    expect(data.scenarios[0]?.results[0]?.policy).toBe(`<img src=x>${hostile}`);
  });

  it('writes non-finite numbers as null in the data and - in the table', () => {
    const report = buildFixtureReport({ scenarios: ['s'], policies: ['hpa', 'oracle'] });
    const hpa = report.scenarios[0]?.results[0];
    if (hpa === undefined) throw new Error('fixture');
    hpa.latencyMs.ttft.p50 = Number.NaN;
    hpa.timeSeries.demandRps[3] = Number.POSITIVE_INFINITY;

    const html = renderHtmlReport(report);

    const data = embeddedData(html) as {
      scenarios: {
        results: { latencyMs: { ttft: { p50: unknown } }; timeSeries: { demandRps: unknown[] } }[];
      }[];
    };
    expect(data.scenarios[0]?.results[0]?.latencyMs.ttft.p50).toBeNull();
    expect(data.scenarios[0]?.results[0]?.timeSeries.demandRps[3]).toBeNull();
    expect(html).toMatch(/<tr><td>hpa<\/td><td>[\d.]+%<\/td><td>-<\/td>/);
    expect(html.slice(0, html.indexOf('<script'))).not.toMatch(/NaN|Infinity/);
  });

  it('gives the same bytes for the same report, whatever order its keys were built in', () => {
    const a = buildFixtureReport();
    const b = buildFixtureReport();
    const result = b.scenarios[0]?.results[1];
    if (result === undefined) throw new Error('fixture');
    const reversed = Object.fromEntries(Object.entries(result.costUsd.byCapacityType).reverse());
    result.costUsd.byCapacityType = reversed;
    const { policy, ...rest } = result;
    b.scenarios[0]!.results[1] = { ...rest, policy };

    expect(renderHtmlReport(b)).toBe(renderHtmlReport(a));
  });

  it('renders empty reports and scenarios without results, with no chart placeholders', () => {
    const empty = renderHtmlReport({ version: 1, title: 'nothing', scenarios: [] });
    expect(empty).toContain('(no scenarios)');
    expect(empty).not.toContain('<figure');
    const noResults = renderHtmlReport(buildFixtureReport({ scenarios: ['s'], policies: [] }));
    expect(noResults).toContain('(no results)');
    expect(noResults).not.toContain('<figure');
  });

  it('rejects a report of the wrong shape with invalid_input', () => {
    expect(() => renderHtmlReport({ version: 2 } as unknown as SimReport)).toThrow(
      /invalid_input at report\.version/,
    );
  });
});

describe('embedJson', () => {
  it('sorts keys and escapes what could end or comment out a script element', () => {
    const text = embedJson({ b: '<b></script>', a: '<!-- x -->', c: [Number.NaN, '\u2028'] });
    expect(text).toBe('{"a":"\\u003c!-- x -->","b":"\\u003cb><\\/script>","c":[null,"\\u2028"]}');
    expect(JSON.parse(text)).toEqual({ a: '<!-- x -->', b: '<b></script>', c: [null, '\u2028'] });
  });
});
