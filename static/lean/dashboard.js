// The dashboard's charts, drawn from each tile's JSON endpoint (data-src). The tables under each chart carry the
// same figures and the drill-down links, so the page reads fully without this script.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.Chart) return;
  document.querySelectorAll(".lean-tile[data-src]").forEach((tile) => {
    const canvas = tile.querySelector("canvas");
    if (!canvas) return;
    fetch(tile.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => draw(canvas, data.chart))
      .catch(() => canvas.closest(".lean-chart").remove());
  });

  function draw(canvas, chart) {
    if (!chart || !chart.labels || !chart.labels.length) return;
    const horizontal = !!chart.horizontal;
    const valueAxis = horizontal ? "x" : "y";
    const scales = { x: { stacked: !!chart.stacked }, y: { stacked: !!chart.stacked } };
    scales[valueAxis].beginAtZero = true;
    scales[valueAxis].ticks = { precision: 0 };
    let datasets = chart.datasets.map((set) => ({
      label: set.label, data: set.data, backgroundColor: set.color, borderColor: set.color, borderWidth: 0,
    }));
    if (chart.percent) {
      // A quartile strip: each bar is the share of the units in each quartile.
      const totals = chart.labels.map((_, i) => datasets.reduce((sum, set) => sum + (set.data[i] || 0), 0));
      datasets = datasets.map((set) => ({
        ...set, counts: set.data, data: set.data.map((v, i) => (totals[i] ? (100 * (v || 0)) / totals[i] : 0)),
      }));
    }
    if (chart.percent || chart.percent_axis) {
      scales[valueAxis].max = 100;
      scales[valueAxis].ticks = { precision: 0, callback: (v) => `${v}%` };
    }
    canvas.chart = new Chart(canvas, {
      type: "bar",
      data: { labels: chart.labels, datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        maintainAspectRatio: false,
        scales,
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: (item) => {
                const set = item.dataset;
                const value = set.counts ? set.counts[item.dataIndex] : item.formattedValue;
                return `${set.label}: ${value}${chart.percent_axis ? "%" : ""}`;
              },
            },
          },
        },
      },
    });
    canvas.closest(".lean-chart").style.height = horizontal ? `${Math.max(160, 28 * chart.labels.length + 60)}px` : "";
  }
});
