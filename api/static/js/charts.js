/* Draws the charts whose data the server prepared (a JSON script per chart). No figures are computed here. */
(function () {
  "use strict";
  var charts = [];

  function read(el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    return src ? JSON.parse(src.textContent) : null;
  }

  var BAND_COLOURS = ["rgba(46,160,67,0.18)", "rgba(210,153,34,0.18)", "rgba(200,60,60,0.10)"];

  function taxOption(d) {
    var series = d.bands.map(function (band, i) {
      return {name: d.labels.bands[i], type: "line", stack: "zones", data: band, symbol: "none",
              lineStyle: {width: 0}, areaStyle: {color: BAND_COLOURS[i]}, silent: true, step: "middle"};
    });
    series.push({name: d.labels.standard, type: "line", data: d.standard, symbol: "none", step: "middle",
                 lineStyle: {color: "#c0392b", width: 2}});
    series.push({name: d.labels.line70, type: "line", data: d.line70, symbol: "none", step: "middle",
                 lineStyle: {color: "#d4a017", type: "dashed"}});
    series.push({name: d.labels.line50, type: "line", data: d.line50, symbol: "none", step: "middle",
                 lineStyle: {color: "#2e7d32", type: "dashed"}});
    series.push({name: d.labels.mean, type: "bar", data: d.mean, barMaxWidth: 28, itemStyle: {color: "#1f5fa8"}});
    return {
      animation: false,
      tooltip: {trigger: "axis"},
      legend: {type: "scroll", bottom: 0, textStyle: {fontSize: 11}},
      grid: {left: 48, right: 12, top: 16, bottom: 56},
      xAxis: {type: "category", data: d.months},
      yAxis: {type: "value", name: "mg/m³", nameTextStyle: {align: "left"}},
      series: series
    };
  }

  function barsOption(d) {
    return {
      animation: false,
      tooltip: {trigger: "axis"},
      grid: {left: 12, right: 24, top: 12, bottom: 12, containLabel: true},
      xAxis: {type: "value", name: d.unit},
      yAxis: {type: "category", data: d.labels, axisLabel: {width: 160, overflow: "break"}},
      series: [{type: "bar", data: d.values, barMaxWidth: 26, itemStyle: {color: "#1f5fa8"},
                label: {show: true, position: "right"}}]
    };
  }

  function renderAll(root) {
    if (typeof echarts === "undefined") { return; }
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var d = read(el);
      if (!d) { return; }
      var chart = echarts.init(el, null, {renderer: "svg"});
      chart.setOption(el.getAttribute("data-chart") === "tax" ? taxOption(d) : barsOption(d));
      el.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.GIS = window.GIS || {};
  window.GIS.renderCharts = renderAll;
  document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
})();
