/* 驾驶舱图表: draws the dashboard's charts from the numbers embedded in the page
   (the API's answer for this user, the same numbers as the tables; no request is made).
   Needs the vendored ECharts and charts.js. */
(function () {
  "use strict";
  var data = window.sjgCharts.data("dashboard-data");
  if (!data) {
    return;
  }
  var draw = window.sjgCharts.draw;
  var BRAND = "#0b5394";

  function bar(elementId, rows, valueOf, name) {
    if (!rows) {
      return;
    }
    draw(elementId, {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: {
        type: "category",
        data: rows.map(function (row) { return row.label_zh; }),
        axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0 }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar", name: name, data: rows.map(valueOf),
        itemStyle: { color: BRAND }, label: { show: true, position: "top" }
      }]
    });
  }

  function ranking(elementId, rows) {
    if (!rows) {
      return;
    }
    var shown = rows.slice().reverse(); // the largest at the top
    draw(elementId, {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        data: shown.map(function (row) { return row.label_zh; }),
        axisLabel: { width: 220, overflow: "truncate" }
      },
      series: [{
        type: "bar", name: "线索数", data: shown.map(function (row) { return row.count; }),
        itemStyle: { color: BRAND }, label: { show: true, position: "right" }
      }]
    });
  }

  function count(row) { return row.count; }
  function amount(row) { return Number(row.amount); }

  bar("by-status-chart", data.by_status, count, "线索数");
  bar("by-category-chart", data.by_category, count, "线索数");
  ranking("by-rule-chart", data.by_rule);
  ranking("by-institution-chart", data.by_institution);
  bar("amounts-chart", data.amounts, amount, "涉及金额（元）");
  bar("reporting-chart", data.reporting, count, "机构数");
  draw("trend-chart", {
    grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" },
    legend: { data: ["线索数", "涉及金额（元）"] },
    xAxis: { type: "category", data: data.trend.map(function (p) { return p.period; }) },
    yAxis: [
      { type: "value", name: "线索数", minInterval: 1 },
      { type: "value", name: "金额（元）" }
    ],
    series: [
      { type: "bar", name: "线索数", data: data.trend.map(count), itemStyle: { color: BRAND } },
      { type: "line", name: "涉及金额（元）", yAxisIndex: 1, data: data.trend.map(amount), itemStyle: { color: "#b45309" } }
    ]
  });
})();
