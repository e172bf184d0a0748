/* Draws the charts whose data the server prepared (a JSON script per chart). No figures are computed here. */
(function () {
  "use strict";
  var charts = [];

  function read(el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    return src ? JSON.parse(src.textContent) : null;
  }

  var BAND_COLOURS = ["rgba(46,160,67,0.18)", "rgba(210,153,34,0.18)", "rgba(200,60,60,0.10)"];

  function flatMarks(d) {
    var f = d.flat, L = d.labels;
    return {
      markArea: {silent: true, label: {position: "insideTopLeft", fontSize: 10, color: "#5f6b7a"}, data: [
        [{name: L.bands[0], yAxis: 0, itemStyle: {color: BAND_COLOURS[0]}}, {yAxis: f.line50}],
        [{name: L.bands[1], yAxis: f.line50, itemStyle: {color: BAND_COLOURS[1]}}, {yAxis: f.line70}],
        [{name: L.bands[2], yAxis: f.line70, itemStyle: {color: BAND_COLOURS[2]}}, {yAxis: f.standard}]]},
      markLine: {silent: true, symbol: "none", label: {position: "insideEndTop", fontSize: 10}, data: [
        {name: L.standard, yAxis: f.standard, lineStyle: {color: "#c0392b", width: 2, type: "solid"}},
        {name: L.line70, yAxis: f.line70, lineStyle: {color: "#b7791f", type: "dashed"}},
        {name: L.line50, yAxis: f.line50, lineStyle: {color: "#2e7d32", type: "dashed"}}]}
    };
  }

  function stepSeries(d) {
    var series = d.bands.map(function (band, i) {
      return {name: d.labels.bands[i], type: "line", stack: "zones", data: band, symbol: "none",
              lineStyle: {width: 0}, areaStyle: {color: BAND_COLOURS[i]}, silent: true, step: "middle"};
    });
    [["standard", "#c0392b", "solid"], ["line70", "#b7791f", "dashed"], ["line50", "#2e7d32", "dashed"]]
      .forEach(function (s) {
        series.push({name: d.labels[s[0]], type: "line", data: d[s[0]], symbol: "none", step: "middle",
                     lineStyle: {color: s[1], type: s[2]}});
      });
    return series;
  }

  function taxOption(d) {
    var mean = {name: d.labels.mean, type: "bar", data: d.mean, barMaxWidth: 28, itemStyle: {color: "#1f5fa8"},
                label: {show: true, position: "top", fontSize: 10}};
    var series = d.flat ? [Object.assign(mean, flatMarks(d))] : stepSeries(d).concat([mean]);
    var top = Math.max.apply(null, d.standard.concat(d.mean).filter(function (v) { return v !== null; })
                                             .map(Number));
    return {
      animation: false,
      tooltip: {trigger: "axis"},
      legend: {type: "scroll", bottom: 0, textStyle: {fontSize: 11}},
      grid: {left: 44, right: 16, top: 30, bottom: 44},
      xAxis: {type: "category", data: d.months},
      yAxis: {type: "value", name: "mg/m³", max: Math.ceil(top * 1.1), axisLabel: {showMaxLabel: false}},
      series: series
    };
  }

  function barsOption(d) {
    return {
      animation: false,
      tooltip: {trigger: "axis"},
      grid: {left: 12, right: 56, top: 12, bottom: 12, containLabel: true},
      xAxis: {type: "value"},
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
