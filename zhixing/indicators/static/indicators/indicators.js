/* 质效指标 charts: a line chart of the monthly trend and a bar chart of the ranking, drawn from the
   figures the page embeds (json_script). No build step; needs the vendored ECharts. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function trend(box, d) {
    var chart = echarts.init(box);
    chart.setOption({
      tooltip: {trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v; }},
      legend: {top: 0, type: "scroll"},
      grid: {left: 50, right: 30, top: 50, bottom: 40},
      xAxis: {type: "category", data: d.months},
      yAxis: {type: "value", name: d.series.length && d.series.every(function (s) { return s.unit === "%"; }) ? "%" : ""},
      series: d.series.map(function (s) {
        return {name: s.name + "（" + s.unit + "）", type: "line", data: s.data, connectNulls: false, symbolSize: 6};
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function ranking(box, d) {
    var chart = echarts.init(box);
    chart.setOption({
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      grid: {left: 160, right: 50, top: 20, bottom: 30},
      xAxis: {type: "value", name: d.unit},
      yAxis: {type: "category", data: d.courts.slice().reverse()},
      series: [{name: d.name, type: "bar", data: d.values.slice().reverse(), label: {show: true, position: "right"},
                itemStyle: {color: "#1d4179"}}]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    var t = document.getElementById("trend-chart"), r = document.getElementById("ranking-chart");
    if (t) trend(t, data("trend-data"));
    if (r) ranking(r, data("ranking-data"));
  });
})();
