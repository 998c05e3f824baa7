/**
 * The report's charting library, as plain JavaScript source (ES2019, no dependencies) that
 * `renderHtmlReport` inlines in a `<script>`. It defines one global, `HeadroomCharts`, whose
 * functions take a plain chart spec and return SVG markup as a string (the page inserts it with
 * `insertAdjacentHTML`, so no SVG namespace URL is needed and the functions run in Node too):
 *
 * - `line(spec)`: line chart over points `[x, y]` per series, x linear, time (ms, labelled as
 *   durations) or log10; a second y axis on the right for series with `axis: 'y2'`; `step`
 *   (step-after) and `area` series; a dashed vertical `marker`; legend; gaps at non-finite points.
 * - `bars(spec)`: stacked (default) or grouped bars per category, with totals and a legend.
 *
 * Every `<svg>` carries `data-chart="<spec.kind>"`; series and bars carry `<title>` children, which
 * browsers show as hover tooltips. Values outside an axis's domain are drawn at its edge; bars
 * draw negative and non-finite values as 0. All text is escaped.
 *
 * Written for headroom; it follows the usual conventions of SVG plotting (nice 1-2-2.5-5 tick
 * steps, as in Heckbert's "nice numbers" algorithm; log axes labelled at 1, 2, 5 x 10^k).
 */
export const CHART_LIB_SOURCE: string = String.raw`var HeadroomCharts = (function () {
  'use strict';
  var PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#a16207',
    '#db2777', '#65a30d', '#4b5563'];
  var TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
    43200, 86400, 172800, 604800];
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }
  function ok(v) { return typeof v === 'number' && isFinite(v); }
  function c2(v) { return String(Math.round(v * 100) / 100); }
  function num(v) {
    if (!ok(v)) return '';
    var a = Math.abs(v);
    if (a >= 1e9) return num(v / 1e9) + 'G';
    if (a >= 1e6) return num(v / 1e6) + 'M';
    if (a >= 1e4) return num(v / 1e3) + 'k';
    return String(parseFloat(v.toPrecision(4)));
  }
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function dur(ms) {
    var s = Math.round(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    var x = s % 60;
    if (h > 0) return h + 'h' + (m || x ? pad(m) + 'm' : '');
    if (m > 0) return m + 'm' + (x ? pad(x) + 's' : '');
    return x + 's';
  }
  function formatter(kind) {
    if (kind === 'percent') return function (v) { return num(v * 100) + '%'; };
    if (kind === 'usd') return function (v) { return '$' + num(v); };
    if (kind === 'time') return dur;
    return num;
  }
  function color(i) { return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]; }
  function niceStep(span, n) {
    var raw = span / Math.max(1, n), mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
    var s = mag * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10);
    return ok(s) && s > 0 ? s : ok(raw) && raw > 0 ? raw : 1;
  }
  function niceMax(max, n) {
    if (!ok(max) || max <= 0) return 1;
    var m = Math.ceil(max / niceStep(max, n) - 1e-9) * niceStep(max, n);
    return ok(m) && m >= max ? m : max;
  }
  function linTicks(d0, d1, n, time) {
    var s = 0, out = [], i;
    if (time) {
      for (i = 0; i < TIME_STEPS_S.length && s === 0; i++) {
        if ((d1 - d0) / (TIME_STEPS_S[i] * 1000) <= n) s = TIME_STEPS_S[i] * 1000;
      }
    }
    if (s === 0) s = niceStep(d1 - d0, n);
    var first = Math.ceil(d0 / s - 1e-9), last = Math.floor(d1 / s + 1e-9);
    if (!ok(s) || s <= 0 || !ok(first) || !ok(last)) return [d0, d1].filter(ok);
    for (i = 0; i <= last - first && i <= 50; i++) out.push(parseFloat(((first + i) * s).toPrecision(12)));
    return out;
  }
  function logTicks(d0, d1) {
    var out = [], k0 = Math.floor(Math.log10(d0)), k1 = Math.ceil(Math.log10(d1));
    if (!ok(k0) || !ok(k1)) return out;
    var mult = k1 - k0 <= 2 ? [1, 2, 5] : [1], by = Math.max(1, Math.ceil((k1 - k0) / 10));
    for (var k = k0; k <= k1; k += by) {
      for (var j = 0; j < mult.length; j++) {
        var v = parseFloat((mult[j] * Math.pow(10, k)).toPrecision(12));
        if (ok(v) && v >= d0 * (1 - 1e-9) && v <= d1 * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  }
  function scale(type, d0, d1, r0, r1) {
    var lo = Math.min(r0, r1), hi = Math.max(r0, r1);
    var f = type === 'log' ? Math.log10 : function (v) { return v; };
    var f0 = f(d0), span = f(d1) - f0 || 1;
    return function (v) {
      var r = r0 + ((f(type === 'log' ? Math.max(v, d0) : v) - f0) / span) * (r1 - r0);
      return r === r ? Math.min(hi, Math.max(lo, r)) : r0;
    };
  }
  function text(x, y, s, attrs) {
    return '<text x="' + c2(x) + '" y="' + c2(y) + '"' + (attrs || '') + '>' + esc(s) + '</text>';
  }
  function frameOpen(spec, W, H) {
    return '<svg data-chart="' + esc(spec.kind || 'chart') + '" viewBox="0 0 ' + W + ' ' + H +
      '" width="100%" role="img" aria-label="' + esc(spec.title || '') +
      '" font-family="system-ui, sans-serif" font-size="12" fill="#111827">' +
      text(8, 18, spec.title || '', ' font-size="14" font-weight="600"');
  }
  function legend(items, W, y0) {
    var out = '', x = 8, y = y0;
    items.forEach(function (it) {
      var w = 40 + String(it.name).length * 7.2;
      if (x > 8 && x + w > W - 8) { x = 8; y += 16; }
      out += it.bar
        ? '<rect x="' + x + '" y="' + (y - 9) + '" width="18" height="10" fill="' + it.color + '"/>'
        : '<path d="M' + x + ' ' + (y - 4) + 'h18" stroke="' + it.color + '" stroke-width="2.5"' +
          (it.dash ? ' stroke-dasharray="5 3"' : '') + ' fill="none"/>';
      out += text(x + 23, y, it.name);
      x += w;
    });
    return { svg: out, bottom: items.length ? y + 10 : y0 - 10 };
  }
  function yAxis(ticks, sy, x, left, fmt, label, plot) {
    var out = '<path d="M' + c2(x) + ' ' + plot.t + 'V' + plot.b + '" stroke="#6b7280" fill="none"/>';
    ticks.forEach(function (v) {
      var y = c2(sy(v));
      if (left) out += '<path d="M' + plot.l + ' ' + y + 'H' + plot.r + '" stroke="#e5e7eb"/>';
      out += text(left ? x - 6 : x + 6, +y + 4, fmt(v), left ? ' text-anchor="end"' : '');
    });
    var lx = left ? 14 : plot.W - 8, ly = (plot.t + plot.b) / 2;
    return out + text(lx, ly, label || '', ' text-anchor="middle" transform="rotate(-90 ' + lx +
      ' ' + c2(ly) + ')"');
  }
  function xAxis(ticks, sx, fmt, label, plot) {
    var out = '<path d="M' + plot.l + ' ' + plot.b + 'H' + plot.r + '" stroke="#6b7280" fill="none"/>';
    ticks.forEach(function (v) {
      var x = c2(sx(v));
      out += '<path d="M' + x + ' ' + plot.b + 'v5" stroke="#6b7280"/>';
      out += text(+x, plot.b + 18, fmt(v), ' text-anchor="middle"');
    });
    return out + text((plot.l + plot.r) / 2, plot.H - 6, label || '', ' text-anchor="middle"');
  }
  function line(spec) {
    var W = spec.width || 720, H = spec.height || 320, xType = spec.xType || 'linear';
    var series = spec.series || [], hasY2 = false, x0 = Infinity, x1 = -Infinity;
    var ymax = [0, 0];
    series.forEach(function (s) {
      var ax = s.axis === 'y2' ? 1 : 0;
      if (ax) hasY2 = true;
      (s.points || []).forEach(function (p) {
        if (!ok(p[0]) || !ok(p[1]) || (xType === 'log' && p[0] <= 0)) return;
        if (p[0] < x0) x0 = p[0];
        if (p[0] > x1) x1 = p[0];
        if (p[1] > ymax[ax]) ymax[ax] = p[1];
      });
    });
    if (ok(spec.marker && spec.marker.x) && (xType !== 'log' || spec.marker.x > 0)) {
      x0 = Math.min(x0, spec.marker.x);
      x1 = Math.max(x1, spec.marker.x);
    }
    var empty = !ok(x0);
    if (empty) { x0 = xType === 'log' ? 1 : 0; x1 = xType === 'log' ? 10 : 1; }
    if (xType === 'log') {
      x0 = Math.max(1e-300, Math.pow(10, Math.floor(Math.log10(x0))));
      x1 = Math.min(1e308, Math.pow(10, Math.ceil(Math.log10(x1))));
      if (x1 <= x0) x1 = x0 * 10;
    } else if (x1 <= x0) {
      x1 = x0 + 1;
    }
    var lg = legend(series.map(function (s, i) {
      return { name: s.name, color: s.color || color(i), dash: s.dash };
    }), W, 40);
    var plot = { W: W, H: H, l: 58, r: W - (hasY2 ? 56 : 18), t: lg.bottom + 14, b: H - 42 };
    var y0max = niceMax(ok(spec.yMax) ? spec.yMax : ymax[0], 5);
    var y1max = niceMax(ok(spec.y2Max) ? spec.y2Max : ymax[1], 5);
    var sx = scale(xType, x0, x1, plot.l, plot.r);
    var sy = [scale('linear', 0, y0max, plot.b, plot.t), scale('linear', 0, y1max, plot.b, plot.t)];
    var out = frameOpen(spec, W, H) + lg.svg;
    out += yAxis(linTicks(0, y0max, 5), sy[0], plot.l, true, formatter(spec.yFormat), spec.yLabel,
      plot);
    if (hasY2) {
      out += yAxis(linTicks(0, y1max, 5), sy[1], plot.r, false, formatter(spec.y2Format),
        spec.y2Label, plot);
    }
    out += xAxis(xType === 'log' ? logTicks(x0, x1) : linTicks(x0, x1, 7, xType === 'time'), sx,
      formatter(spec.xFormat || (xType === 'time' ? 'time' : '')), spec.xLabel, plot);
    series.forEach(function (s, i) {
      var ys = sy[s.axis === 'y2' ? 1 : 0], d = '', area = '', pen = false, first = null, last = '';
      (s.points || []).forEach(function (p) {
        if (!ok(p[0]) || !ok(p[1]) || (xType === 'log' && p[0] <= 0)) { pen = false; return; }
        var X = c2(sx(p[0])), Y = c2(ys(p[1]));
        d += !pen ? 'M' + X + ' ' + Y : s.step ? 'H' + X + 'V' + Y : 'L' + X + ' ' + Y;
        if (first === null) first = X;
        area += (area ? 'L' : 'M') + X + ' ' + Y;
        last = X;
        pen = true;
      });
      var col = s.color || color(i), tip = '<title>' + esc(s.name) + '</title>';
      if (s.area && first !== null) {
        out += '<path d="M' + first + ' ' + plot.b + area.replace(/^M/, 'L') + 'L' + last + ' ' +
          plot.b + 'Z" fill="' + col + '" fill-opacity="0.15" stroke="none">' + tip + '</path>';
      }
      if (d) {
        out += '<path d="' + d + '" fill="none" stroke="' + col + '" stroke-width="' +
          (s.width || 2) + '"' + (s.dash ? ' stroke-dasharray="5 3"' : '') +
          ' stroke-linejoin="round">' + tip + '</path>';
      }
    });
    if (spec.marker && ok(spec.marker.x) && (xType !== 'log' || spec.marker.x > 0)) {
      var mx = c2(sx(spec.marker.x));
      out += '<path d="M' + mx + ' ' + plot.t + 'V' + plot.b +
        '" stroke="#111827" stroke-dasharray="2 3" fill="none"/>' +
        text(+mx + 4, plot.t + 12, spec.marker.label || '', ' font-size="11"');
    }
    if (empty) {
      out += text((plot.l + plot.r) / 2, (plot.t + plot.b) / 2, 'no data', ' text-anchor="middle"');
    }
    return out + '</svg>';
  }
  function bars(spec) {
    var W = spec.width || 720, H = spec.height || 320, cats = spec.categories || [];
    var stacks = spec.stacks || [], grouped = spec.mode === 'grouped', max = 0, fmt;
    function val(s, i) { var v = s.values ? s.values[i] : 0; return ok(v) && v > 0 ? v : 0; }
    var totals = cats.map(function (_, i) {
      var t = 0;
      stacks.forEach(function (s) { t += val(s, i); if (grouped) max = Math.max(max, val(s, i)); });
      return t;
    });
    if (!grouped) totals.forEach(function (t) { max = Math.max(max, t); });
    var lg = legend(stacks.map(function (s, i) {
      return { name: s.name, color: s.color || color(i), bar: true };
    }), W, 40);
    var plot = { W: W, H: H, l: 64, r: W - 18, t: lg.bottom + 18, b: H - 42 };
    var ymax = niceMax(max, 5), sy = scale('linear', 0, ymax, plot.b, plot.t);
    fmt = formatter(spec.yFormat);
    var out = frameOpen(spec, W, H) + lg.svg;
    out += yAxis(linTicks(0, ymax, 5), sy, plot.l, true, fmt, spec.yLabel, plot);
    out += '<path d="M' + plot.l + ' ' + plot.b + 'H' + plot.r + '" stroke="#6b7280" fill="none"/>';
    var band = (plot.r - plot.l) / Math.max(1, cats.length), bw = band * 0.6;
    cats.forEach(function (cat, i) {
      var x = plot.l + band * i + (band - bw) / 2, base = 0;
      stacks.forEach(function (s, j) {
        var v = val(s, i);
        if (v === 0) return;
        var w = grouped ? bw / stacks.length : bw, bx = grouped ? x + w * j : x;
        var top = sy(grouped ? v : base + v), bottom = sy(grouped ? 0 : base);
        out += '<rect x="' + c2(bx) + '" y="' + c2(top) + '" width="' + c2(w) + '" height="' +
          c2(Math.max(0, bottom - top)) + '" fill="' + (s.color || color(j)) + '"><title>' +
          esc(cat + ', ' + s.name + ': ' + fmt(v)) + '</title></rect>';
        if (!grouped) base += v;
      });
      if (!grouped) {
        out += text(x + bw / 2, sy(totals[i]) - 5, fmt(totals[i]), ' text-anchor="middle"' +
          ' font-size="11"');
      }
      var name = String(cat), short = name.length > 18 ? name.slice(0, 17) + '\u2026' : name;
      out += text(x + bw / 2, plot.b + 18, short, ' text-anchor="middle"');
    });
    if (spec.xLabel) out += text((plot.l + plot.r) / 2, H - 6, spec.xLabel, ' text-anchor="middle"');
    return out + '</svg>';
  }
  return { line: line, bars: bars, palette: PALETTE, color: color, format: formatter };
})();
`;
