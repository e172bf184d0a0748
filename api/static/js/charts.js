/* Draws the charts whose data the server prepared (a JSON block per chart). No figure or colour is decided here:
   each tax bar has the colour of its month's tier in the table, and labels come from the server. */
(function () {
  "use strict";
  var charts = [];

  function read(el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    return src ? JSON.parse(src.textContent) : null;
  }

  function narrow(el) { return el.clientWidth < 420; }

  function taxOption(d, el) {
    var L = d.labels;
    var bars = d.mean.map(function (v, i) {
      return {value: v, itemStyle: {color: d.colours[i]}, tier: d.tier_names[i]};
    });
    var guides = [{name: L.standard, values: d.standard, colour: "#c0392b", type: "solid", width: 2}].concat(
      d.guides.map(function (g) { return {name: g.name, values: g.values, colour: g.colour, type: "dashed", width: 1}; }));
    var flat = guides.every(function (g) {
      return g.values.every(function (v) { return v !== null && v === g.values[0]; });
    });
    var lines = [], marks = null;
    if (flat) {   // every guide the same in every month: horizontal lines across the chart, labelled at the end
      marks = {silent: true, symbol: "none", data: guides.map(function (g) {
        return {yAxis: g.values[0], name: g.name, lineStyle: {color: g.colour, type: g.type, width: g.width},
                label: {formatter: g.name + " " + g.values[0], position: "insideEndTop", fontSize: 10, color: g.colour}};
      })};
    } else {      // the standard or the tiers changed within the data: a step line per guide
      lines = guides.map(function (g) {
        return {name: g.name, type: "line", data: g.values, symbol: "none", step: "middle",
                lineStyle: {color: g.colour, type: g.type, width: g.width}, itemStyle: {color: g.colour}, z: 3};
      });
    }
    var values = d.standard.concat(d.mean, d.max).filter(function (v) { return v !== null; }).map(Number);
    var top = Math.max.apply(null, values.concat([0]));
    return {
      animation: false,
      aria: {enabled: false},
      tooltip: {trigger: "axis", confine: true, renderMode: "richText"},
      legend: {show: !flat, bottom: 0, itemWidth: 14, textStyle: {fontSize: 11}, type: "scroll"},
      grid: {left: 8, right: 12, top: 28, bottom: flat ? 8 : 56, containLabel: true},
      xAxis: {type: "category", data: d.months, axisLabel: {hideOverlap: true, fontSize: 11}},
      yAxis: {type: "value", name: L.unit, max: Math.ceil(top * 1.1) || 1, axisLabel: {showMaxLabel: false}},
      series: [
        {name: L.mean, type: "bar", data: bars, barMaxWidth: 28, itemStyle: {color: "#6b7785"}, markLine: marks,
         label: {show: d.months.length <= 6 && !narrow(el), position: "insideTop", fontSize: 10, color: "#fff"}},
        {name: L.max, type: "scatter", data: d.max, symbol: "diamond", symbolSize: 10,
         itemStyle: {color: "#1d2733"}, z: 4}
      ].concat(lines)
    };
  }

  function headlineOption(d) {
    return {
      animation: false,
      aria: {enabled: false},
      tooltip: {show: false},
      grid: {left: 8, right: 16, top: 8, bottom: 8, containLabel: true},
      xAxis: {type: "value", axisLabel: {hideOverlap: true, fontSize: 10}},
      yAxis: {type: "category", data: d.labels, inverse: true, axisLabel: {width: 110, overflow: "break"}},
      series: [{type: "bar", data: d.values, barMaxWidth: 26, itemStyle: {color: "#1f5fa8"},
                label: {show: true, position: "insideLeft", color: "#fff", fontSize: 11,
                        formatter: function (p) { return d.texts[p.dataIndex]; }}}]
    };
  }

  function barsOption(d) {
    var cat = {type: "category", data: d.categories, axisLabel: {hideOverlap: !d.horizontal, fontSize: 11,
               width: d.horizontal ? 96 : undefined, overflow: d.horizontal ? "truncate" : undefined},
               inverse: !!d.horizontal};
    var val = {type: "value", minInterval: 1, axisLabel: {hideOverlap: true, fontSize: 10}};
    return {
      animation: false,
      aria: {enabled: false},
      tooltip: {trigger: "axis", confine: true, renderMode: "richText"},
      legend: d.series.length > 1 ? {bottom: 0, type: "scroll", textStyle: {fontSize: 11}} : {show: false},
      grid: {left: 8, right: 16, top: 12, bottom: d.series.length > 1 ? 40 : 8, containLabel: true},
      xAxis: d.horizontal ? val : cat,
      yAxis: d.horizontal ? cat : val,
      series: d.series.map(function (s) {
        return {name: s.name, type: "bar", stack: d.stacked ? "all" : undefined, barMaxWidth: 32,
                itemStyle: {color: s.colour || "#1f5fa8"},
                data: s.values.map(function (v, i) {
                  return s.colours ? {value: v, itemStyle: {color: s.colours[i]}} : v;
                })};
      })
    };
  }

  function optionFor(el, d) {
    var kind = el.getAttribute("data-chart");
    if (kind === "tax") { return taxOption(d, el); }
    if (kind === "bars") { return barsOption(d); }
    return headlineOption(d);
  }

  function renderAll(root) {
    if (typeof echarts === "undefined") { return; }
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var d = read(el);
      if (!d) { return; }
      var chart = echarts.init(el, null, {renderer: "svg"});
      chart.setOption(optionFor(el, d));
      el.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.GIS = window.GIS || {};
  window.GIS.renderCharts = renderAll;
  document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
})();
