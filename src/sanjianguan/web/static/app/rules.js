/* 规则命中图: the rule page's hits per month (bars), from the numbers embedded in the page. Needs charts.js. */
(function () {
  "use strict";
  var data = window.sjgCharts.data("rule-data");
  if (!data) {
    return;
  }
  window.sjgCharts.draw("hits-chart", {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: "命中数", data: data.values, itemStyle: { color: "#0b5394" } }]
  });
})();
