import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { CHART_LIB_SOURCE } from './chart-lib.js';
import { REPORT_SCRIPT_SOURCE } from './report-script.js';

interface Charts {
  line(spec: object): string;
  bars(spec: object): string;
  color(i: number): string;
  format(kind: string): (v: number) => string;
}

/** Evaluates the library source the way the page's `<script>` does, and returns its global. */
function loadCharts(): Charts {
  return new Function(`${CHART_LIB_SOURCE}\nreturn HeadroomCharts;`)() as Charts;
}

const count = (svg: string, tag: string): number => svg.split(`<${tag} `).length - 1;

function lint(source: string, globals: Record<string, 'readonly' | 'writable'>): string[] {
  const messages = new Linter().verify(source, [
    {
      languageOptions: { ecmaVersion: 2019, sourceType: 'script', globals },
      rules: {
        'no-undef': 'error',
        'no-unused-vars': ['error', { vars: 'local' }],
        'no-redeclare': 'error',
      },
    },
  ]);
  return messages.map((m) => `${m.line}:${m.column} ${m.message}`);
}

describe('the inlined scripts', () => {
  it('parse as ES2019 scripts and use no undeclared globals', () => {
    const browser = { document: 'readonly', Math: 'readonly', JSON: 'readonly' } as const;
    // HeadroomCharts is the library's one global: declared by it, read by the bootstrap.
    expect(lint(CHART_LIB_SOURCE, browser)).toEqual([]);
    expect(lint(REPORT_SCRIPT_SOURCE, { ...browser, HeadroomCharts: 'readonly' })).toEqual([]);
  });

  it('contain nothing that could end their <script> element or reach the network', () => {
    for (const source of [CHART_LIB_SOURCE, REPORT_SCRIPT_SOURCE]) {
      expect(source).not.toMatch(/<\/script|<!--|https?:|\/\/cdn|fetch\(|XMLHttpRequest|url\(/i);
    }
  });

  it('keeps the charting library small', () => {
    expect(CHART_LIB_SOURCE.split('\n').length).toBeLessThan(300);
  });
});

describe('HeadroomCharts.line', () => {
  const charts = loadCharts();

  it('draws axes, a legend and one path per series, tagged with its kind', () => {
    const svg = charts.line({
      kind: 'capacity',
      title: 'hpa',
      xType: 'time',
      series: [
        {
          name: 'demand',
          points: [
            [0, 1],
            [60_000, 3],
            [120_000, 2],
          ],
          area: true,
        },
        {
          name: 'ready',
          points: [
            [0, 1],
            [60_000, 2],
            [120_000, 2],
          ],
          step: true,
          axis: 'y2',
        },
      ],
    });
    expect(svg.startsWith('<svg data-chart="capacity" ')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>demand</title>');
    expect(svg).toContain('<title>ready</title>');
    expect(svg).toContain('>1m<');
    expect(svg).toContain('>2m<');
    expect(svg).toMatch(/d="M[\d.]+ [\d.]+H[\d.]+V[\d.]+/); // step-after segments
    expect(svg).toContain('fill-opacity="0.15"'); // the area
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('breaks a line at non-finite points instead of drawing through them', () => {
    const svg = charts.line({
      kind: 'line',
      series: [
        {
          name: 's',
          points: [
            [0, 1],
            [1, Number.NaN],
            [2, 2],
            [3, 3],
          ],
        },
      ],
    });
    const path = /<path d="([^"]+)" fill="none" stroke="#2563eb"/.exec(svg)?.[1] ?? '';
    expect(path.match(/M/g)).toHaveLength(2);
  });

  it('labels a log axis in decades and marks a vertical reference', () => {
    const svg = charts.line({
      kind: 'cdf',
      xType: 'log',
      yFormat: 'percent',
      yMax: 1,
      marker: { x: 2000, label: 'SLO 2000 ms' },
      series: [
        {
          name: 'p',
          points: [
            [50, 0.1],
            [400, 0.5],
            [5000, 1],
            [0, 0],
          ],
        },
      ],
    });
    for (const label of ['>10<', '>100<', '>1000<', '>10k<', '>100%<', '>0%<', '>SLO 2000 ms<']) {
      expect(svg).toContain(label);
    }
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('escapes every text it draws', () => {
    const svg = charts.line({
      kind: 'x"><script>',
      title: '<b>t</b>',
      series: [{ name: '</svg><img src=x onerror=alert(1)>', points: [[0, 1]] }],
    });
    expect(svg).not.toContain('<img');
    expect(svg).not.toContain('<b>');
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&#60;img');
  });

  it('says "no data" for an empty chart but still draws its axes', () => {
    const svg = charts.line({ kind: 'cdf', xType: 'log' });
    expect(svg).toContain('>no data<');
    expect(count(svg, 'path')).toBeGreaterThan(0);
  });
});

describe('HeadroomCharts.bars', () => {
  const charts = loadCharts();

  it('stacks one rect per positive value and labels the totals', () => {
    const svg = charts.bars({
      kind: 'cost',
      yFormat: 'usd',
      categories: ['hpa', 'oracle'],
      stacks: [
        { name: 'on-demand', values: [30, 10] },
        { name: 'spot', values: [10, 0] },
        { name: 'bad', values: [-5, Number.NaN] },
      ],
    });
    // 3 positive values plus 3 legend swatches.
    expect(count(svg, 'rect')).toBe(6);
    expect(svg).toContain('>$40<');
    expect(svg).toContain('>$10<');
    expect(svg).toContain('<title>hpa, spot: $10</title>');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('places grouped bars side by side from zero', () => {
    const svg = charts.bars({
      kind: 'gpu-hours',
      mode: 'grouped',
      categories: ['a'],
      stacks: [
        { name: 'x', values: [4] },
        { name: 'y', values: [4] },
      ],
    });
    const rects = [
      ...svg.matchAll(
        /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="[^"]+"><title>/g,
      ),
    ];
    expect(rects).toHaveLength(2);
    const [a, b] = rects;
    expect(a?.[2]).toBe(b?.[2]); // same top: same value, both from zero
    expect(Number(b?.[1])).toBeCloseTo(Number(a?.[1]) + Number(a?.[3]), 1);
  });

  it('draws an empty chart without failing', () => {
    const svg = charts.bars({ kind: 'cost' });
    expect(svg.startsWith('<svg data-chart="cost"')).toBe(true);
  });
});
