// Charts on the vendored Chart.js (window.Chart, frontend/vendor/chart.js), each with its
// data as a table beside it: a canvas says nothing to a screen reader.

import { t } from "./i18n.js";
import { formatNumber, h } from "./ui.js";

// Non-text contrast of at least 3:1 on white (WCAG 1.4.11), told apart by order too.
export const PALETTE = ["#0b5cad", "#c2410c", "#1b5e20", "#9b1c1c", "#6b21a8", "#4a4a4a"];
const charts = new WeakMap();

function dataTable(labels, datasets) {
  return h(
    "table",
    { class: "data" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), datasets.map((set) => h("th", { scope: "col" }, set.label)))),
    h(
      "tbody",
      {},
      labels.map((label, index) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, String(label)),
          datasets.map((set) => h("td", { "data-label": set.label }, formatNumber(set.data[index]))),
        ),
      ),
    ),
  );
}

/**
 * Draw (or redraw) a chart in figure: type "bar" or "line"; labels along the axis; datasets
 * [{label, data}]. Options: horizontal, stacked, percent (values 0..1 shown as 0..100 %),
 * counts (whole numbers on the axis).
 * Returns the number of points drawn (0: the figure says there is no data).
 */
export function drawChart(figure, { type = "bar", labels, datasets, horizontal = false, stacked = false, percent = false, counts = false }) {
  const canvas = figure.querySelector("canvas");
  charts.get(canvas)?.destroy();
  charts.delete(canvas);
  const points = datasets.reduce((sum, set) => sum + set.data.filter((v) => typeof v === "number").length, 0);
  figure.dataset.points = String(points);
  const table = figure.querySelector(".chart-data");
  table.replaceChildren(h("summary", {}, t("chart.data")), dataTable(labels, datasets));
  figure.querySelector(".empty")?.remove();
  if (!points) {
    figure.append(h("p", { class: "empty" }, t("chart.noData")));
    return 0;
  }
  const valueAxis = {
    beginAtZero: true,
    stacked,
    ticks: percent ? { callback: (v) => `${Math.round(v * 100)} %` } : { precision: counts ? 0 : undefined },
    ...(percent ? { max: 1 } : {}),
  };
  const chart = new window.Chart(canvas, {
    type,
    data: {
      labels,
      datasets: datasets.map((set, index) => ({
        label: set.label,
        data: set.data,
        backgroundColor: PALETTE[index % PALETTE.length],
        borderColor: PALETTE[index % PALETTE.length],
        borderWidth: type === "line" ? 2 : 0,
        pointRadius: type === "line" ? 2 : undefined,
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      scales: horizontal ? { x: valueAxis, y: { stacked } } : { y: valueAxis, x: { stacked } },
      plugins: { legend: { display: datasets.length > 1 } },
    },
  });
  charts.set(canvas, chart);
  return points;
}

/** The markup of one chart: caption, canvas (an image named by the caption), data table. */
export function chartFigure(id, caption) {
  return h(
    "figure",
    { class: "chart", id },
    h("figcaption", { id: `${id}-caption` }, caption),
    h("div", { class: "chart-box" }, h("canvas", { role: "img", "aria-labelledby": `${id}-caption` })),
    h("details", { class: "chart-data" }),
  );
}
