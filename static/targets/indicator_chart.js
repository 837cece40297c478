// Target against actual for an indicator's year (data from the page's json_script).
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("indicator-chart");
  const source = document.getElementById("indicator-chart-data");
  if (!canvas || !source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  canvas.chart = new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.target_label, data: data.target, borderColor: "#6c757d", borderDash: [6, 4], pointRadius: 0, spanGaps: true },
        { label: data.actual_label, data: data.actual, borderColor: "#b3261e", backgroundColor: "rgba(179,38,30,.12)", fill: false, tension: 0.25 },
      ],
    },
    options: {
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { title: { display: true, text: data.unit } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
  canvas.dataset.ready = "1";
});
