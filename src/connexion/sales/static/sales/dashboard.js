// Draws the sales dashboard's charts from the JSON the page embeds
// (json_script "dashboard-charts"); a click on a bar opens the list it counts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    data.charts.forEach(function (chart) {
      var canvas = document.getElementById("chart-" + chart.id);
      if (!canvas || chart.labels.length === 0) {
        return;
      }
      new window.Chart(canvas, {
        type: chart.type,
        data: { labels: chart.labels, datasets: chart.datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales:
            chart.type === "bar"
              ? { y: { beginAtZero: true, ticks: { precision: 0 } } }
              : {},
          onClick: function (_event, elements) {
            if (elements.length > 0 && chart.links[elements[0].index]) {
              window.location.assign(chart.links[elements[0].index]);
            }
          },
        },
      });
      canvas.dataset.drawn = "true";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
