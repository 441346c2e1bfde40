// Draws every chart whose data the server computes: <div class="chart" data-chart-src="/api/...">.
// Pages work without it; it only adds the picture.
(function () {
  function draw(el) {
    if (!window.echarts) return;
    fetch(el.getAttribute('data-chart-src'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        var items = (data.items || []).filter(function (a) { return !a.retired; });
        if (!items.length) { el.style.display = 'none'; return; }
        var chart = echarts.init(el);
        chart.setOption({
          grid: { left: 48, right: 16, top: 16, bottom: 90 },
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'category', data: items.map(function (a) { return a.name; }), axisLabel: { rotate: 45, interval: 0 } },
          yAxis: { type: 'value', minInterval: 1 },
          series: [{ type: 'bar', data: items.map(function (a) { return a.child_count; }), itemStyle: { color: '#a31f1f' } }]
        });
        window.addEventListener('resize', function () { chart.resize(); });
      })
      .catch(function () { el.style.display = 'none'; });
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('.chart[data-chart-src]').forEach(draw);
  });
})();

// An irreversible step asks first: <form data-confirm="…">. Without script the form just submits
// (the server still refuses what may not be done).
document.addEventListener('submit', function (e) {
  var msg = e.target && e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) e.preventDefault();
});
