// reports.html: charts of GET /api/v1/reports/summary (checksum-only records) for a period,
// variant and engine; the CSV of GET /api/v1/reports/export for the same filter.

import { describeError, getJson } from "./api.js";
import { chartFigure, drawChart } from "./charts.js";
import { lang, t } from "./i18n.js";
import { announce, formatNumber, formatScore, h, initPage } from "./ui.js";

const SUMMARY = "/api/v1/reports/summary";
const EXPORT = "/api/v1/reports/export";
const $ = (id) => document.getElementById(id);

function query() {
  const params = new URLSearchParams();
  const from = $("from").value;
  const to = $("to").value;
  // The dates are the person's calendar days, `to` included: the range the API takes is
  // half-open, so it ends where the day after `to` begins (in the browser's time zone).
  if (from) params.set("from", new Date(`${from}T00:00:00`).toISOString());
  if (to) {
    const end = new Date(`${to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    params.set("to", end.toISOString());
  }
  if ($("variant-filter").value) params.set("variant", $("variant-filter").value);
  if ($("engine").value) params.set("engine", $("engine").value);
  return params.toString();
}

const FIGURES = [
  ["chart-verdicts", "reports.verdicts"],
  ["chart-criteria", "reports.criteria"],
  ["chart-findings", "reports.findings"],
  ["chart-trend", "reports.trend"],
  ["chart-variants", "reports.variants"],
  ["chart-decisions", "reports.decisions"],
];

// The answer's shape: core/contract/reports.py (ReportSummaryPublic).

function verdicts(summary) {
  drawChart($("chart-verdicts"), {
    labels: [t("verdict.pass"), t("verdict.fail")],
    datasets: [{ label: t("reports.count"), data: [summary.verdicts.pass, summary.verdicts.fail] }],
    counts: true,
  });
}

function criteria(summary, names) {
  drawChart($("chart-criteria"), {
    labels: summary.criteria.map((entry) => names.get(entry.criterion) || entry.criterion),
    datasets: [{ label: t("reports.meanScore"), data: summary.criteria.map((entry) => entry.meanScore) }],
    horizontal: true,
    percent: true,
  });
}

function findings(summary) {
  drawChart($("chart-findings"), {
    labels: summary.findingCodes.map((entry) => entry.code),
    datasets: [{ label: t("reports.count"), data: summary.findingCodes.map((entry) => entry.count) }],
    horizontal: true,
    counts: true,
  });
}

function trend(summary) {
  const style = summary.bucket === "hour" ? { dateStyle: "short", timeStyle: "short" } : { dateStyle: "short" };
  const when = new Intl.DateTimeFormat(lang, style);
  drawChart($("chart-trend"), {
    type: "line",
    labels: summary.trend.map((entry) => when.format(new Date(entry.start))),
    datasets: [
      { label: t("reports.evaluations"), data: summary.trend.map((entry) => entry.evaluations) },
      { label: t("verdict.pass"), data: summary.trend.map((entry) => entry.pass) },
    ],
    counts: true,
  });
}

function variants(summary) {
  const passRate = (entry) => (entry.evaluations ? entry.pass / entry.evaluations : null);
  drawChart($("chart-variants"), {
    labels: [t("reports.passRate"), t("reports.meanScore")],
    datasets: summary.variants.map((entry) => ({ label: entry.variant, data: [passRate(entry), entry.meanScore ?? null] })),
    percent: true,
  });
}

function decisions(summary) {
  drawChart($("chart-decisions"), {
    labels: summary.decisions.map((entry) => entry.findingCode || t("reports.noCode")),
    datasets: [
      { label: t("reports.accepted"), data: summary.decisions.map((entry) => entry.accepted) },
      { label: t("reports.rejected"), data: summary.decisions.map((entry) => entry.rejected) },
    ],
    horizontal: true,
    stacked: true,
    counts: true,
  });
}

function totals(summary) {
  const { evaluations, verdicts: counts, corrections } = summary;
  const facts = [
    [t("reports.evaluations"), formatNumber(evaluations)],
    [t("reports.passRate"), evaluations ? formatScore(counts.pass / evaluations) : "–"],
    [t("reports.meanScore"), formatScore(summary.meanScore)],
    [t("reports.corrections"), t("reports.correctionCounts", corrections || { engine: 0, apply: 0, manual: 0 })],
  ];
  $("totals").replaceChildren(...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  $("totals").hidden = false;
}

async function criterionNames() {
  try {
    const answer = await getJson(`/api/v1/criteria?language=${lang}`);
    return new Map(answer.items.map((item) => [item.key, item.name]));
  } catch {
    return new Map();
  }
}

async function show(event) {
  event?.preventDefault();
  const filter = query();
  $("export").href = filter ? `${EXPORT}?${filter}` : EXPORT;
  try {
    const [summary, names] = await Promise.all([getJson(filter ? `${SUMMARY}?${filter}` : SUMMARY), criterionNames()]);
    verdicts(summary);
    criteria(summary, names);
    findings(summary);
    trend(summary);
    variants(summary);
    decisions(summary);
    totals(summary);
    announce(t("reports.shown"));
  } catch (error) {
    announce(describeError(error, t), { error: true });
  }
}

function start() {
  initPage();
  $("charts").append(...FIGURES.map(([id, key]) => chartFigure(id, t(key))));
  $("filters").addEventListener("submit", show);
  show();
}

start();
