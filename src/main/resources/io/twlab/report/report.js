// twlab report: draws the charts described by the embedded data with uPlot. Marks each chart element with
// data-rendered and data-points so that a test (or a person) can see that it drew real data.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('twlab-data').textContent);
  var palette = ['#0969da', '#1a7f37', '#cf222e', '#8250df', '#bc4c00', '#1b7c83', '#bf3989', '#6e7781',
    '#9a6700', '#0550ae', '#116329', '#a40e26'];

  function clock(s) {
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = Math.floor(s % 60);
    return h + ':' + (m < 10 ? '0' : '') + m + (data.spanSeconds < 900 ? ':' + (sec < 10 ? '0' : '') + sec : '');
  }

  function number(v) {
    if (v == null) { return '-'; }
    var a = Math.abs(v);
    return a >= 100 ? Math.round(v).toLocaleString('en') : a >= 1 ? v.toFixed(1) : v.toPrecision(2);
  }

  // Room for the widest tick label plus the axis title, so long numbers (TSvals) do not run into the title.
  function axisSize(u, values) {
    var longest = 0;
    (values || []).forEach(function (v) { longest = Math.max(longest, String(v).length); });
    return Math.max(50, longest * 7 + 34);
  }

  function draw(chart, el) {
    var columns = [chart.x || data.x];
    var points = 0;
    chart.series.forEach(function (s) {
      columns.push(s.values);
      s.values.forEach(function (v) { if (v != null) { points++; } });
    });
    var series = [{ label: 'time', value: function (u, v) { return v == null ? '-' : clock(v); } }];
    chart.series.forEach(function (s, i) {
      var color = s.color || palette[i % palette.length];
      var one = {
        label: s.label, stroke: color, width: s.dash ? 1 : 1.5,
        dash: s.dash ? [6, 4] : undefined, spanGaps: !!(s.dash || s.spanGaps), points: { show: false },
        value: function (u, v) { return number(v); }
      };
      if (s.scatter) {
        // Points only (a TSval sample per connection), no line between them.
        one.paths = function () { return null; };
        one.points = { show: true, size: 4, stroke: color, fill: color };
      }
      series.push(one);
    });
    var width = Math.max(320, el.clientWidth - 16);
    var opts = {
      width: width, height: 280, series: series,
      scales: { x: { time: false }, y: chart.log ? { distr: 3 } : { range: function (u, min, max) {
        return [Math.min(0, min), max > 0 ? max * 1.05 : 1]; } } },
      axes: [
        { values: function (u, ticks) { return ticks.map(clock); }, label: chart.xLabel || 'time into the run (h:mm)',
          incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400] },
        { label: chart.unit, size: axisSize, values: function (u, ticks) { return ticks.map(number); } }
      ],
      legend: { live: true }
    };
    new uPlot(opts, columns, el.querySelector('.plot'));
    el.dataset.points = String(points);
    el.dataset.rendered = 'true';
    return points;
  }

  var drawn = 0;
  data.charts.forEach(function (chart) {
    var el = document.getElementById('chart-' + chart.id);
    if (draw(chart, el) > 0) { drawn++; }
  });
  document.body.dataset.chartsDrawn = String(drawn);
})();
