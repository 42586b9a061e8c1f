/* 图表公用: what every page's ECharts chart does the same way. The numbers come from a
   <script type="application/json"> in the page (the same as the table under the chart; no
   request is made); a chart is drawn without animation in the page's font and follows the
   window's size. Loaded after the vendored ECharts and before the page's own script. */
(function () {
  "use strict";

  /* The page's embedded numbers (null when the page has none or ECharts is missing). */
  function data(sourceId) {
    var source = document.getElementById(sourceId);
    if (!source || typeof echarts === "undefined") {
      return null;
    }
    return JSON.parse(source.textContent);
  }

  /* Draw `option` into the element `elementId` (nothing when the page has no such element). */
  function draw(elementId, option) {
    var element = document.getElementById(elementId);
    if (!element) {
      return null;
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    option.animation = false;
    option.textStyle = { fontFamily: getComputedStyle(document.documentElement).fontFamily };
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  window.sjgCharts = { data: data, draw: draw };
})();
