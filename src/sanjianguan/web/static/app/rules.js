/* 规则命中图: the rule page's hits per month (bars), from the numbers embedded in the page. */
(function () {
  "use strict";
  var source = document.getElementById("rule-data");
  var element = document.getElementById("hits-chart");
  if (!source || !element || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: "命中数", data: data.values, itemStyle: { color: "#0b5394" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
