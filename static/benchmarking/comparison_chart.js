// A unit against the best, the median and the middle half (Q2–Q3 band) of all participants over the last
// periods (data from the page's json_script). The band is the area filled between its two edges.
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("comparison-chart");
  const source = document.getElementById("comparison-chart-data");
  if (!canvas || !source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const band = "rgba(25, 135, 84, .14)";
  canvas.chart = new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: "band-edge", data: data.band_worse, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false, spanGaps: false },
        { label: data.names.band, data: data.band_better, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, backgroundColor: band, borderColor: band, fill: "-1", spanGaps: false },
        { label: data.names.median, data: data.median, borderColor: "#6c757d", borderDash: [6, 4], pointRadius: 2, spanGaps: true },
        { label: data.names.best, data: data.best, borderColor: "#146c43", borderDash: [2, 3], pointRadius: 2, spanGaps: true },
        { label: data.names.unit, data: data.unit, borderColor: "#b3261e", backgroundColor: "#b3261e", borderWidth: 3, pointRadius: 4, tension: 0.2, spanGaps: true },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { title: { display: true, text: data.measure_unit } } },
      plugins: {
        legend: { position: "bottom", labels: { filter: (item) => item.datasetIndex !== 0 } },
        tooltip: {
          filter: (item) => item.datasetIndex !== 0,
          callbacks: {
            label: (item) => item.datasetIndex === 1
              ? `${data.names.band}: ${data.band_worse[item.dataIndex]} – ${data.band_better[item.dataIndex]}`
              : `${item.dataset.label}: ${item.formattedValue}`,
          },
        },
      },
    },
  });
  canvas.dataset.ready = "1";
});
