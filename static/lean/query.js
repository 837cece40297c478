// The dynamic query page: the chart is drawn from the JSON endpoint of the same query (the table under it holds
// the same figures), and the form disables the groupings and filters that do not apply to the chosen measure.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("query-form");
  const groupings = JSON.parse(document.getElementById("query-groupings")?.textContent || "{}");
  const measure = form?.querySelector("[name=measure]");
  const groupBy = form?.querySelector("[name=group_by]");

  function applyMeasure() {
    if (!measure) return;
    const allowed = groupings[measure.value] || [];
    for (const option of groupBy.options) option.disabled = !allowed.includes(option.value);
    if (groupBy.selectedOptions[0]?.disabled && allowed.length) groupBy.value = allowed[0];
    for (const field of form.querySelectorAll("[data-measures]")) {
      const applies = field.dataset.measures.split(" ").includes(measure.value);
      field.disabled = !applies; // a disabled field is not sent: it cannot narrow the query by accident
      field.closest(".lean-q-filter")?.classList.toggle("lean-q-off", !applies);
    }
  }
  measure?.addEventListener("change", applyMeasure);
  applyMeasure();

  const canvas = document.getElementById("query-chart");
  if (!canvas || !window.Chart) return;
  fetch(canvas.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((data) => {
      const overTime = ["month", "quarter", "year"].includes(new URL(canvas.dataset.url, location.href).searchParams.get("group_by"));
      const colour = "#b3261e";
      const suffix = data.suffix ? ` ${data.suffix}` : "";
      canvas.chart = new Chart(canvas, {
        type: overTime ? "line" : "bar",
        data: {
          labels: data.labels,
          datasets: [{
            label: data.value_label,
            data: data.values,
            borderColor: colour,
            backgroundColor: overTime ? colour : "rgba(179, 38, 30, .75)",
            borderWidth: overTime ? 3 : 0,
            borderRadius: 3,
            pointRadius: 3,
            tension: 0,
            spanGaps: true,
          }],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          indexAxis: !overTime && data.labels.length > 8 ? "y" : "x",
          scales: {
            x: { ticks: { autoSkip: true, maxRotation: 45 } },
            // Bars start at zero; a line over time shows its movement (achievement near 100% would look flat).
            y: { beginAtZero: !overTime, ticks: { autoSkip: true } },
          },
          plugins: {
            legend: { display: false },
            title: { display: true, text: `${data.value_label} · ${data.group_label}`, font: { weight: "normal" } },
            tooltip: { callbacks: { label: (item) => `${item.formattedValue}${suffix}` } },
          },
        },
      });
      canvas.dataset.ready = "1";
    })
    .catch(() => { canvas.closest(".lean-q-chart")?.remove(); });
});
