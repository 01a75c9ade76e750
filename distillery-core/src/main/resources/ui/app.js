// Distillery dashboard: draws the charts whose data the server embedded as JSON, and follows live recipes.
// Pages work without this script; it only adds charts and live updates.
(function () {
  "use strict";
  function drawCharts() {
    if (typeof uPlot === "undefined") { return; }
    var palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    document.querySelectorAll("div.chart[data-chart]").forEach(function (div) {
      var source = document.getElementById(div.getAttribute("data-chart"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var series = [{ label: spec.x }];
      spec.series.forEach(function (name, i) {
        series.push({ label: name, stroke: palette[i % palette.length], width: 2, spanGaps: true });
      });
      var width = Math.min(900, Math.max(320, div.parentElement.clientWidth - 20));
      new uPlot({ title: spec.title, width: width, height: 280, series: series, scales: { x: { time: false } } }, spec.data, div);
    });
  }
  function followRecipe() {
    var dag = document.getElementById("dag");
    if (!dag || typeof EventSource === "undefined") { return; }
    var events = new EventSource(dag.getAttribute("data-events"));
    events.addEventListener("dag", function (e) { dag.innerHTML = e.data; });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(); followRecipe(); });
})();
