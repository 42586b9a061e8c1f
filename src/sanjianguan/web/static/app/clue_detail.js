/* 线索详情图表: the stay timeline or the peer distribution of one clue, drawn from the
   numbers embedded in the page (the same as the tables under each chart; no request).
   Needs charts.js. */
(function () {
  "use strict";
  var data = window.sjgCharts.data("clue-chart-data");
  if (!data) {
    return;
  }
  var draw = window.sjgCharts.draw;
  var DAY = 86400000;

  function stays(rows) {
    var labels = rows.map(function (r) { return r.encounter_id + (r.hit ? " ★" : ""); });
    var spans = rows.map(function (r, i) {
      var start = Date.parse(r.admit);
      var end = r.discharge ? Date.parse(r.discharge) : start;
      return { value: [i, start, Math.max(end, start + DAY / 2)], hit: r.hit, type: r.type };
    });
    draw("stay-chart", {
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        formatter: function (p) {
          var r = rows[p.value[0]];
          return r.encounter_id + "（" + r.type + "）<br>" + r.admit + " ～ " + (r.discharge || "");
        }
      },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: labels, inverse: true },
      series: [{
        type: "custom",
        renderItem: function (params, api) {
          var from = api.coord([api.value(1), api.value(0)]);
          var to = api.coord([api.value(2), api.value(0)]);
          var height = api.size([0, 1])[1] * 0.5;
          return {
            type: "rect",
            shape: { x: from[0], y: from[1] - height / 2, width: Math.max(to[0] - from[0], 3), height: height },
            style: { fill: spans[params.dataIndex].hit ? "#c2410c" : "#0b5394" }
          };
        },
        encode: { x: [1, 2], y: 0 },
        data: spans
      }]
    });
  }

  function peers(d) {
    var s = d.summary.map(Number);
    var series = [
      { type: "boxplot", name: "同级同类机构", data: [s], itemStyle: { color: "#e8f0fa", borderColor: "#0b5394" } },
      { type: "scatter", name: "本机构", data: [[0, Number(d.value)]], symbolSize: 12, itemStyle: { color: "#c2410c" } }
    ];
    if (d.target !== null) {
      series.push({ type: "scatter", name: "标值", data: [[0, Number(d.target)]], symbol: "diamond", symbolSize: 12, itemStyle: { color: "#05603a" } });
    }
    draw("peer-chart", {
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "item" },
      xAxis: { type: "category", data: ["指标值"] },
      yAxis: { type: "value", scale: true },
      series: series
    });
  }

  if (data.kind === "stays") {
    stays(data.stays);
  } else if (data.kind === "peers") {
    peers(data);
  }
})();
