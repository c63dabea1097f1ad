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

  // A heatmap on a canvas: rows are the second varied path, columns the first; white to red by value, grey where
  // nothing ran; a black bar where each row first rises above the threshold, a dashed line at the analytic edge.
  function drawHeatmap(chart, el) {
    var rows = chart.cells.length, cols = chart.xLabels.length, points = 0, max = 0;
    chart.cells.forEach(function (r) { r.forEach(function (v) { if (v != null) { points++; max = Math.max(max, v); } }); });
    var plot = el.querySelector('.plot');
    var left = 150, top = 10, bottom = 46, width = Math.max(320, el.clientWidth - 16);
    var cw = (width - left - 10) / cols, ch = Math.max(26, Math.floor(200 / rows)), height = top + rows * ch + bottom;
    var canvas = document.createElement('canvas');
    canvas.width = width; canvas.height = height;
    plot.appendChild(canvas);
    var tip = document.createElement('div');
    tip.className = 'tip';
    plot.appendChild(tip);
    var g = canvas.getContext('2d');
    g.fillStyle = '#ffffff'; g.fillRect(0, 0, width, height);
    g.font = '11px sans-serif';
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < cols; c++) {
        var v = chart.cells[r][c];
        var f = v == null ? -1 : (max > 0 ? v / max : 0);
        g.fillStyle = f < 0 ? '#d0d7de' : 'rgb(255,' + Math.round(255 - 200 * f) + ',' + Math.round(255 - 200 * f) + ')';
        g.fillRect(left + c * cw, top + r * ch, cw - 1, ch - 1);
      }
      g.fillStyle = '#24292f'; g.textAlign = 'right';
      g.fillText(String(chart.yLabels[r]), left - 6, top + r * ch + ch / 2 + 4);
      var b = chart.boundary[r];
      if (b != null) {
        g.fillStyle = '#000000';
        g.fillRect(left + b * cw - 2, top + r * ch, 4, ch - 1);
      }
      var e = chart.edges[r];
      if (e != null && chart.x.length > 1) {
        // The edge's rate placed between the columns it falls between (columns are centred on their values).
        var x0 = chart.x[0], x1 = chart.x[chart.x.length - 1];
        var px = left + ((e - x0) / (x1 - x0) * (cols - 1) + 0.5) * cw;
        if (px >= left && px <= left + cols * cw) {
          g.strokeStyle = '#0969da'; g.lineWidth = 2; g.setLineDash([4, 3]);
          g.beginPath(); g.moveTo(px, top + r * ch); g.lineTo(px, top + (r + 1) * ch - 1); g.stroke();
          g.setLineDash([]);
        }
      }
    }
    g.fillStyle = '#24292f'; g.textAlign = 'center';
    var every = Math.max(1, Math.ceil(cols / Math.max(1, (width - left) / 60)));
    for (var k = 0; k < cols; k += every) {
      g.fillText(String(chart.xLabels[k]), left + k * cw + cw / 2, top + rows * ch + 14);
    }
    g.fillText(chart.xLabel, left + (width - left) / 2, top + rows * ch + 34);
    canvas.addEventListener('mousemove', function (ev) {
      var box = canvas.getBoundingClientRect();
      var c = Math.floor((ev.clientX - box.left - left) / cw), r = Math.floor((ev.clientY - box.top - top) / ch);
      if (c < 0 || c >= cols || r < 0 || r >= rows) { tip.textContent = ''; return; }
      tip.textContent = chart.yLabel + ' = ' + chart.yLabels[r] + ', ' + chart.xLabel + ' = ' + chart.xLabels[c] + ': '
        + chart.unit + ' ' + number(chart.cells[r][c]) + (chart.edges[r] != null ? ' (capacity edge '
        + number(chart.edges[r]) + ')' : '');
    });
    el.dataset.points = String(points);
    el.dataset.rendered = 'true';
    return points;
  }

  function draw(chart, el) {
    if (chart.kind === 'heatmap') { return drawHeatmap(chart, el); }
    var columns = [chart.x || data.x];
    var points = 0;
    chart.series.forEach(function (s) {
      columns.push(s.values);
      s.values.forEach(function (v) { if (v != null) { points++; } });
    });
    var xText = chart.xNumeric ? number : clock;
    var series = [{ label: chart.xNumeric ? 'x' : 'time', value: function (u, v) { return v == null ? '-' : xText(v); } }];
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
        chart.xNumeric ? { values: function (u, ticks) { return ticks.map(number); }, label: chart.xLabel }
          : { values: function (u, ticks) { return ticks.map(clock); }, label: chart.xLabel || 'time into the run (h:mm)',
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
