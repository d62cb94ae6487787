/* 智慧执行 — the command-centre big screen. Draws the figures embedded in the page (json_script
   "screen-data"), then fetches fresh ones from the JSON API every minute and redraws in place:
   no page reload, so the wall display never flashes. No build step; needs ECharts (vendored). */
(function () {
  "use strict";

  var LEVEL_COLORS = {yellow: "#f7cf46", orange: "#ff9a2e", red: "#ff4d4f"};
  // one colour per 五超 class, in WuChao.ORDER (matches the ticker's tags in screen.css)
  var CLASS_COLORS = ["#ff7875", "#ff9a2e", "#f7cf46", "#5cdbd3", "#b37feb"];
  var TEXT = "#d6e6ff";
  var DIM = "#8aa7cf";
  var LINE = "rgba(138, 167, 207, 0.16)";
  var charts = {};
  var config = {};

  function byId(id) { return document.getElementById(id); }

  function fontSize(base) {
    // sized for 1920 px wide; shrink proportionally on smaller screens
    return Math.max(11, Math.round(base * Math.min(1, window.innerWidth / 1920)));
  }

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(byId(id), null, {renderer: "canvas"});
    return charts[id];
  }

  function emptyTitle(isEmpty) {
    return {show: isEmpty, text: "暂无数据", left: "center", top: "middle", textStyle: {color: DIM, fontSize: fontSize(18), fontWeight: 400}};
  }

  function axisCommon() {
    return {
      axisLine: {lineStyle: {color: "rgba(138, 167, 207, 0.45)"}},
      axisTick: {show: false},
      axisLabel: {color: DIM, fontSize: fontSize(14)},
      splitLine: {lineStyle: {color: LINE}},
      nameTextStyle: {color: DIM, fontSize: fontSize(13)}
    };
  }

  function merge(a, b) {
    var out = {}, k;
    for (k in a) out[k] = a[k];
    for (k in b) out[k] = b[k];
    return out;
  }

  function legend() {
    return {top: 0, type: "scroll", itemWidth: 12, itemHeight: 10, itemGap: 10,
      textStyle: {color: TEXT, fontSize: fontSize(13)}, pageTextStyle: {color: DIM}, pageIconColor: TEXT};
  }

  function tooltip(trigger) {
    return {trigger: trigger, backgroundColor: "rgba(6, 20, 48, 0.92)", borderColor: "#3aa0ff",
      textStyle: {color: "#f2f8ff", fontSize: fontSize(14)}, axisPointer: {type: "shadow"}};
  }

  // Team names under vertical bars: wrapped to the width of their slot, or slanted when too crowded.
  function categoryLabels(count, width) {
    var size = fontSize(14);
    var slot = (width - 70) / Math.max(1, count);
    if (slot >= size * 2.2) {
      return {color: TEXT, fontSize: size, interval: 0, width: Math.floor(slot - 6), overflow: "break", lineHeight: size + 2};
    }
    return {color: TEXT, fontSize: fontSize(12), interval: 0, rotate: 40, width: 90, overflow: "truncate"};
  }

  // (a) and (b): stacked bars of 五超 cases by class, per team (vertical) or per handler (horizontal)
  function stackedOption(block, horizontal, width) {
    var categoryAxis = merge(axisCommon(), {
      type: "category", data: block.categories,
      axisLabel: horizontal ? {color: TEXT, fontSize: fontSize(14), interval: 0, width: 90, overflow: "truncate"}
        : categoryLabels(block.categories.length, width),
      splitLine: {show: false}, inverse: horizontal
    });
    var valueAxis = merge(axisCommon(), {type: "value", minInterval: 1});
    var last = block.series.length - 1;
    return {
      color: CLASS_COLORS,
      title: emptyTitle(!block.categories.length),
      tooltip: tooltip("axis"),
      legend: merge(legend(), {data: block.series.map(function (s) { return s.label; })}),
      grid: {left: 8, right: horizontal ? 40 : 12, top: fontSize(40), bottom: 6, containLabel: true},
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: block.series.map(function (s, i) {
        return {
          name: s.label, type: "bar", stack: "wuchao", data: s.data,
          barMaxWidth: horizontal ? 16 : 34,
          itemStyle: {borderRadius: i === last ? (horizontal ? [0, 3, 3, 0] : [3, 3, 0, 0]) : 0},
          emphasis: {focus: "series"}
        };
      }).concat([{
        // the distinct total at the end of each bar (a case of two classes counts once)
        name: "合计", type: "bar", stack: "wuchao", data: block.totals.map(function () { return 0; }),
        label: {show: true, position: horizontal ? "right" : "top", color: "#f2f8ff", fontSize: fontSize(14),
          formatter: function (p) { return block.totals[p.dataIndex] ? block.totals[p.dataIndex] + "件" : ""; }},
        tooltip: {show: false}, itemStyle: {color: "transparent"}, legendHoverLink: false
      }])
    };
  }

  // (c) warnings over the last 30 days
  function trendOption(trend) {
    var names = [["yellow", "黄色预警"], ["orange", "橙色预警"], ["red", "红色预警"]];
    return {
      title: emptyTitle(!trend.days.length),
      tooltip: merge(tooltip("axis"), {axisPointer: {type: "line", lineStyle: {color: "#3aa0ff"}}}),
      legend: merge(legend(), {data: names.map(function (n) { return n[1]; })}),
      grid: {left: 8, right: 18, top: fontSize(40), bottom: 6, containLabel: true},
      xAxis: merge(axisCommon(), {type: "category", boundaryGap: false, splitLine: {show: false},
        data: trend.days.map(function (d) { return d.slice(5); })}),
      yAxis: merge(axisCommon(), {type: "value", minInterval: 1}),
      series: names.map(function (n) {
        var color = LEVEL_COLORS[n[0]];
        return {
          name: n[1], type: "line", data: trend[n[0]], connectNulls: true, smooth: true, showSymbol: true,
          symbolSize: 6, lineStyle: {width: 3, color: color}, itemStyle: {color: color},
          areaStyle: {color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
            {offset: 0, color: color + "55"}, {offset: 1, color: color + "00"}])}
        };
      })
    };
  }

  // (e) open cases per team
  function loadOption(load, width) {
    return {
      title: emptyTitle(!load.categories.length),
      tooltip: tooltip("axis"),
      grid: {left: 8, right: 12, top: fontSize(26), bottom: 6, containLabel: true},
      xAxis: merge(axisCommon(), {type: "category", data: load.categories, splitLine: {show: false},
        axisLabel: categoryLabels(load.categories.length, width)}),
      yAxis: merge(axisCommon(), {type: "value", minInterval: 1}),
      series: [{
        name: "在办案件", type: "bar", data: load.data, barMaxWidth: 34,
        label: {show: true, position: "top", color: "#f2f8ff", fontSize: fontSize(14)},
        itemStyle: {borderRadius: [3, 3, 0, 0], color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
          {offset: 0, color: "#49c6ff"}, {offset: 1, color: "#1d4fd6"}])}
      }]
    };
  }

  // 五超 cases by class (a ring, total in the middle)
  function classesOption(data) {
    var totals = data.classes.map(function (c, i) {
      return {name: c.label, value: data.wuchao_by_team.series[i].data.reduce(function (a, b) { return a + b; }, 0)};
    });
    return {
      color: CLASS_COLORS,
      tooltip: merge(tooltip("item"), {formatter: "{b}：{c} 件（{d}%）"}),
      title: {text: String(data.headline.wuchao), subtext: "五超案件", left: "31%", top: "38%", textAlign: "center",
        textStyle: {color: "#ff4d4f", fontSize: fontSize(34), fontWeight: 700},
        subtextStyle: {color: DIM, fontSize: fontSize(14)}},
      legend: {orient: "vertical", right: 4, top: "middle", itemWidth: 12, itemHeight: 12, itemGap: 12,
        textStyle: {color: TEXT, fontSize: fontSize(14)},
        formatter: function (name) {
          var hit = totals.filter(function (t) { return t.name === name; })[0];
          return name + "  " + (hit ? hit.value : 0);
        }},
      series: [{
        name: "五超案件", type: "pie", radius: ["48%", "72%"], center: ["32%", "52%"], data: totals,
        avoidLabelOverlap: true, label: {show: false}, labelLine: {show: false},
        itemStyle: {borderColor: "#061430", borderWidth: 2}
      }]
    };
  }

  function setText(node, text) { if (node) node.textContent = text; }

  function kpis(headline) {
    var nodes = document.querySelectorAll("[data-kpi]");
    for (var i = 0; i < nodes.length; i++) {
      var value = headline[nodes[i].getAttribute("data-kpi")];
      if (value !== undefined) nodes[i].textContent = Number(value).toLocaleString("zh-CN");
    }
  }

  function item(parts, className) {
    var li = document.createElement("li");
    if (className) li.className = className;
    parts.forEach(function (p) {
      if (!p[1]) return;
      var span = document.createElement("span");
      span.className = p[0];
      span.textContent = p[1];
      li.appendChild(span);
    });
    return li;
  }

  function empty(text) {
    var li = document.createElement("li");
    li.className = "empty";
    li.textContent = text;
    return li;
  }

  // Scroll a list only when it overflows its window; the items are doubled so the loop is seamless.
  function scrolling(list, windowNode, vertical, pxPerSecond) {
    list.classList.remove("running");
    var overflow = vertical ? list.scrollHeight > windowNode.clientHeight : list.scrollWidth > windowNode.clientWidth;
    if (!overflow || list.querySelector(".empty")) return;
    var originals = Array.prototype.slice.call(list.children);
    originals.forEach(function (li) {
      var copy = li.cloneNode(true);
      copy.setAttribute("aria-hidden", "true");
      list.appendChild(copy);
    });
    var distance = vertical ? list.scrollHeight / 2 : list.scrollWidth / 2;
    list.style.setProperty(vertical ? "--list-seconds" : "--ticker-seconds", Math.max(10, Math.round(distance / pxPerSecond)) + "s");
    list.classList.add("running");
  }

  function lockedList(locked) {
    var list = byId("locked-list");
    if (!list) return;
    setText(byId("locked-count"), locked.count.toLocaleString("zh-CN"));
    list.textContent = "";
    if (!locked.items.length) list.appendChild(empty("没有锁死的案件"));
    locked.items.forEach(function (it) {
      list.appendChild(item([["case-no", it.case_number], ["rules", it.rules], ["date", it.locked_on.slice(5)]]));
    });
    scrolling(list, byId("locked-window"), true, 28);
  }

  function ticker(rows) {
    var list = byId("ticker-list");
    if (!list) return;
    list.textContent = "";
    if (!rows.length) list.appendChild(empty("当前没有五超案件"));
    rows.forEach(function (it) {
      list.appendChild(item([["case-no", it.case_number], ["tag", it.label], ["late", "超期 " + it.days_overdue + " 天"],
        ["who", it.handler]], "wc-" + it.wuchao));
    });
    scrolling(list, byId("ticker-window"), false, 90);
  }

  var last = null;

  function render(data) {
    last = data;
    kpis(data.headline);
    setText(byId("screen-as-of"), data.as_of || "—");
    var team = chart("chart-wuchao-team"), load = chart("chart-load");
    team.setOption(stackedOption(data.wuchao_by_team, false, team.getWidth()), true);
    chart("chart-wuchao-judge").setOption(stackedOption(data.wuchao_by_judge, true), true);
    chart("chart-trend").setOption(trendOption(data.trend), true);
    load.setOption(loadOption(data.load_by_team, load.getWidth()), true);
    chart("chart-classes").setOption(classesOption(data), true);
    lockedList(data.locked);
    ticker(data.ticker);
  }

  function refresh() {
    var state = byId("screen-refresh");
    var url = config.api_url + "?" + new URLSearchParams(config.query).toString();
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        render(data);
        state.classList.remove("failed");
        state.textContent = "已刷新 " + new Date().toLocaleTimeString("zh-CN", {hour12: false});
      })
      .catch(function (error) {
        state.classList.add("failed");
        state.textContent = "刷新失败（" + error.message + "），60 秒后重试";
      });
  }

  function clock() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var days = "日一二三四五六";
    setText(byId("screen-clock"), now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
      " 星期" + days[now.getDay()] + " " + pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds()));
  }

  function start() {
    if (!window.echarts || !byId("screen-data")) return;
    config = JSON.parse(byId("screen-config").textContent);
    render(JSON.parse(byId("screen-data").textContent));
    clock();
    window.setInterval(clock, 1000);
    window.setInterval(refresh, config.refresh_ms || 60000);
    var resizing;
    window.addEventListener("resize", function () {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(function () {
        Object.keys(charts).forEach(function (id) { charts[id].resize(); });
        if (last) render(last);
      }, 150);
    });
  }

  window.ZhixingScreen = {charts: charts, refresh: refresh, render: render};
  document.addEventListener("DOMContentLoaded", start);
})();
