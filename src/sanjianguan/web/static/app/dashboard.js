/* 驾驶舱图表: draws the dashboard's charts from the numbers embedded in the page
   (the same numbers as its tables; no request is made). Needs the vendored ECharts. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var font = getComputedStyle(document.documentElement).fontFamily;

  function bar(elementId, rows) {
    var element = document.getElementById(elementId);
    if (!element) {
      return;
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: font },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: {
        type: "category",
        data: rows.map(function (row) { return row.label_zh; }),
        axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0 }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar",
        name: "线索数",
        data: rows.map(function (row) { return row.count; }),
        itemStyle: { color: "#0b5394" },
        label: { show: true, position: "top" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  bar("by-status-chart", data.by_status);
  bar("by-category-chart", data.by_category);
})();
