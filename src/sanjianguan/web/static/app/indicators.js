/* 指标图表: the indicator page's peer chart (bars) and year view (line), drawn from the
   numbers embedded in the page (the same as the tables beside them; no request is made). Needs charts.js. */
(function () {
  "use strict";
  var data = window.sjgCharts.data("indicator-data");
  if (!data) {
    return;
  }

  function draw(elementId, option) {
    window.sjgCharts.draw(elementId, Object.assign({
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      yAxis: { type: "value", scale: true }
    }, option));
  }

  if (data.peer) {
    draw("peer-chart", {
      xAxis: { type: "category", data: data.peer.labels, axisLabel: { interval: 0, rotate: data.peer.labels.length > 6 ? 30 : 0 } },
      series: [{ type: "bar", name: "值", data: data.peer.values, itemStyle: { color: "#0b5394" } }]
    });
  }
  if (data.year) {
    draw("year-chart", {
      legend: { top: 0 },
      xAxis: { type: "category", data: data.year.labels },
      series: [
        { type: "line", name: "值", data: data.year.values, connectNulls: false, itemStyle: { color: "#0b5394" } },
        { type: "line", name: "标值", data: data.year.targets, lineStyle: { type: "dashed" }, itemStyle: { color: "#b42318" } }
      ]
    });
  }
})();
