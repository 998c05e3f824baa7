/**
 * The report page's bootstrap, as plain JavaScript source (ES2019) that `renderHtmlReport`
 * inlines after `CHART_LIB_SOURCE`. It reads the report from the
 * `<script type="application/json" id="headroom-data">` element and fills every placeholder
 * `<figure data-kind="capacity|cdf|cost" data-scenario="i" [data-result="j"]>` with a chart from
 * `HeadroomCharts`. Each chart is drawn in its own `try`: one that fails is skipped and its error
 * message added to `body[data-render-error]`; at the end `body[data-rendered]` holds the number of
 * charts drawn (what the headless-browser test reads).
 *
 * Colours: a policy keeps the palette colour of its index in the scenario across charts; the
 * oracle is drawn in near-black. Capacity types have fixed colours (reserved teal, on-demand blue,
 * spot amber); dollars not attributed to any type (the total minus the per-type sum) show as
 * `other`.
 *
 * @internal
 */
export const REPORT_SCRIPT_SOURCE: string = String.raw`(function () {
  'use strict';
  var body = document.body, count = 0, errors = [], maxima = [];
  var TYPE_ORDER = ['reserved', 'on-demand', 'spot'];
  var TYPE_COLORS = { reserved: '#0f766e', 'on-demand': '#2563eb', spot: '#f59e0b', other: '#9ca3af' };
  function msg(e) { return e && e.message ? String(e.message) : String(e); }
  function finite(v) { return typeof v === 'number' && isFinite(v); }
  function own(o, k) { return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k); }
  function maxOf(arr, m) {
    for (var i = 0; i < arr.length; i++) if (finite(arr[i]) && arr[i] > m) m = arr[i];
    return m;
  }
  function points(t, v) {
    var out = [], n = Math.min(t.length, v.length);
    for (var i = 0; i < n; i++) out.push([t[i], v[i]]);
    return out;
  }
  function policyColor(results, i) {
    return results[i].policy === 'oracle' ? '#111827' : HeadroomCharts.color(i);
  }
  function scenarioMaxima(s, index) {
    if (!maxima[index]) {
      var m = { demand: 0, replicas: 0 };
      s.results.forEach(function (r) {
        if (!r.timeSeries) return;
        m.demand = maxOf(r.timeSeries.demandRps, m.demand);
        m.replicas = maxOf(r.timeSeries.readyReplicas, m.replicas);
        m.replicas = maxOf(r.timeSeries.desiredReplicas, m.replicas);
      });
      maxima[index] = m;
    }
    return maxima[index];
  }
  function typeRank(t) { var i = TYPE_ORDER.indexOf(t); return i < 0 ? TYPE_ORDER.length : i; }
  function costStacks(s) {
    var seen = {}, types = [], other = [], anyOther = false;
    s.results.forEach(function (r, i) {
      var sum = 0;
      Object.keys(r.costUsd.byCapacityType).forEach(function (t) {
        var v = r.costUsd.byCapacityType[t];
        if (finite(v)) sum += v;
        if (!own(seen, t)) { seen[t] = true; types.push(t); }
      });
      var rest = finite(r.costUsd.total) ? r.costUsd.total - sum : 0;
      other[i] = rest > Math.max(1e-9, Math.abs(r.costUsd.total) * 1e-9) ? rest : 0;
      if (other[i] > 0) anyOther = true;
    });
    types.sort(function (a, b) { return typeRank(a) - typeRank(b) || (a < b ? -1 : a > b ? 1 : 0); });
    var stacks = types.map(function (t, j) {
      return {
        name: t,
        color: own(TYPE_COLORS, t) ? TYPE_COLORS[t] : HeadroomCharts.color(j + 3),
        values: s.results.map(function (r) {
          return own(r.costUsd.byCapacityType, t) ? r.costUsd.byCapacityType[t] : 0;
        })
      };
    });
    if (anyOther) stacks.push({ name: 'other', color: TYPE_COLORS.other, values: other });
    return stacks;
  }
  function build(data, fig) {
    var kind = fig.getAttribute('data-kind'), si = Number(fig.getAttribute('data-scenario'));
    var s = data.scenarios[si];
    if (!s) throw new Error('no scenario ' + si);
    if (kind === 'capacity') {
      var i = Number(fig.getAttribute('data-result')), r = s.results[i];
      if (!r) throw new Error('no result ' + i + ' in scenario ' + si);
      var ts = r.timeSeries, m = scenarioMaxima(s, si), col = policyColor(s.results, i);
      return HeadroomCharts.line({
        kind: 'capacity', title: r.policy, width: 480, height: 290, xType: 'time',
        xLabel: 'time from trace start', yLabel: 'demand (req/s)', y2Label: 'replicas',
        yMax: m.demand, y2Max: m.replicas,
        series: [
          { name: 'demand (req/s)', points: points(ts.t, ts.demandRps), color: '#9ca3af', area: true, width: 1 },
          { name: 'ready replicas', points: points(ts.t, ts.readyReplicas), color: col, step: true, axis: 'y2' },
          { name: 'desired replicas', points: points(ts.t, ts.desiredReplicas), color: col, step: true, dash: true, axis: 'y2', width: 1.5 }
        ]
      });
    }
    if (kind === 'cdf') {
      var slo = s.settings.sloTtftMs;
      return HeadroomCharts.line({
        kind: 'cdf', title: 'Time to first token, cumulative', width: 800, height: 380, xType: 'log',
        xLabel: 'time to first token (ms, log scale)', yLabel: 'share of requests',
        yFormat: 'percent', yMax: 1,
        marker: { x: slo, label: 'SLO ' + HeadroomCharts.format('')(slo) + ' ms' },
        series: s.results.map(function (r, j) {
          return { name: r.policy, points: r.cdf.ttftMs, color: policyColor(s.results, j), dash: r.policy === 'oracle' };
        })
      });
    }
    if (kind === 'cost') {
      return HeadroomCharts.bars({
        kind: 'cost', title: 'Cost by capacity type', width: 800, height: 340, yLabel: 'US dollars',
        yFormat: 'usd', categories: s.results.map(function (r) { return r.policy; }),
        stacks: costStacks(s)
      });
    }
    throw new Error('unknown chart kind ' + kind);
  }
  try {
    var data = JSON.parse(document.getElementById('headroom-data').textContent);
    var figs = document.querySelectorAll('figure[data-kind]');
    for (var f = 0; f < figs.length; f++) {
      try {
        figs[f].insertAdjacentHTML('beforeend', build(data, figs[f]));
        count++;
      } catch (e) {
        errors.push(figs[f].getAttribute('data-kind') + ' chart ' + f + ': ' + msg(e));
      }
    }
  } catch (e) {
    errors.push(msg(e));
  }
  body.dataset.rendered = String(count);
  if (errors.length) {
    body.dataset.renderError = errors.join('; ');
    var p = document.createElement('p');
    p.className = 'render-error';
    p.textContent = 'Some charts could not be drawn: ' + errors.join('; ');
    body.insertBefore(p, body.firstChild);
  }
})();
`;
