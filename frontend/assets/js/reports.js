// reports.html: charts of GET /api/v1/reports/summary (checksum-only records) for a period,
// variant and engine; the CSV of GET /api/v1/reports/export for the same filter.

import { describeError, getJson, hasRoute } from "./api.js";
import { chartFigure, drawChart } from "./charts.js";
import { lang, t } from "./i18n.js";
import { announce, formatNumber, formatScore, h, initPage } from "./ui.js";

const SUMMARY = "/api/v1/reports/summary";
const EXPORT = "/api/v1/reports/export";
const $ = (id) => document.getElementById(id);

/** Entries of a list, or of a {key: value} object as [{[keyName]: key, ...value}]. */
function entries(value, keyName) {
  if (Array.isArray(value)) return value;
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).map(([key, entry]) =>
    entry && typeof entry === "object" ? { [keyName]: key, ...entry } : { [keyName]: key, count: entry },
  );
}

const first = (entry, ...names) => names.map((name) => entry[name]).find((value) => value !== undefined);

function query() {
  const params = new URLSearchParams();
  const from = $("from").value;
  const to = $("to").value;
  // The dates are the person's calendar days: from the start of `from` to the end of `to`.
  if (from) params.set("from", new Date(`${from}T00:00:00`).toISOString());
  if (to) params.set("to", new Date(`${to}T23:59:59.999`).toISOString());
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

function verdicts(summary) {
  const counts = { pass: 0, fail: 0 };
  for (const entry of entries(summary.verdicts, "verdict")) counts[entry.verdict] = first(entry, "count", "n") ?? 0;
  drawChart($("chart-verdicts"), {
    labels: [t("verdict.pass"), t("verdict.fail")],
    datasets: [{ label: t("reports.count"), data: [counts.pass, counts.fail] }],
  });
  return counts;
}

function criteria(summary, names) {
  const rows = entries(summary.criteria, "criterion").map((entry) => ({
    name: names.get(entry.criterion) || entry.criterion,
    mean: first(entry, "meanScore", "mean", "score", "count"),
  }));
  drawChart($("chart-criteria"), {
    labels: rows.map((row) => row.name),
    datasets: [{ label: t("reports.meanScore"), data: rows.map((row) => row.mean) }],
    horizontal: true,
    percent: true,
  });
}

function findings(summary) {
  const rows = entries(summary.findings, "code")
    .map((entry) => ({ code: entry.code, count: first(entry, "count", "n") ?? 0 }))
    .sort((a, b) => b.count - a.count)
    .slice(0, 12);
  drawChart($("chart-findings"), {
    labels: rows.map((row) => row.code),
    datasets: [{ label: t("reports.count"), data: rows.map((row) => row.count) }],
    horizontal: true,
  });
}

function trend(summary) {
  const rows = entries(summary.trend, "date");
  const day = new Intl.DateTimeFormat(lang, { dateStyle: "short" });
  drawChart($("chart-trend"), {
    type: "line",
    labels: rows.map((row) => {
      const when = first(row, "date", "day", "bucket", "period", "start");
      const date = new Date(when);
      return Number.isNaN(date.getTime()) ? String(when) : day.format(date);
    }),
    datasets: [
      { label: t("reports.evaluations"), data: rows.map((row) => first(row, "count", "total", "evaluations") ?? 0) },
      { label: t("verdict.pass"), data: rows.map((row) => first(row, "pass", "passed") ?? null) },
    ],
  });
}

function variants(summary) {
  const rows = entries(summary.variants, "variant");
  const rate = (row) => {
    const count = first(row, "count", "total", "evaluations") || 0;
    const pass = first(row, "passRate") ?? (count ? (first(row, "pass", "passed") || 0) / count : null);
    return pass;
  };
  drawChart($("chart-variants"), {
    labels: [t("reports.passRate"), t("reports.meanScore")],
    datasets: rows.map((row) => ({ label: row.variant, data: [rate(row), first(row, "meanScore", "mean") ?? null] })),
    percent: true,
  });
}

function decisions(summary) {
  const rows = entries(summary.decisions, "code").map((entry) => ({
    code: first(entry, "code", "findingCode", "criterion") || "–",
    accepted: entry.accepted ?? 0,
    rejected: entry.rejected ?? 0,
  }));
  drawChart($("chart-decisions"), {
    labels: rows.map((row) => row.code),
    datasets: [
      { label: t("reports.accepted"), data: rows.map((row) => row.accepted) },
      { label: t("reports.rejected"), data: rows.map((row) => row.rejected) },
    ],
    horizontal: true,
    stacked: true,
  });
}

function totals(summary, counts) {
  const total = summary.total ?? counts.pass + counts.fail;
  const facts = [
    [t("reports.evaluations"), formatNumber(total)],
    [t("reports.passRate"), total ? formatScore(counts.pass / total) : "–"],
    [t("reports.meanScore"), formatScore(summary.meanScore)],
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
    const counts = verdicts(summary);
    criteria(summary, names);
    findings(summary);
    trend(summary);
    variants(summary);
    decisions(summary);
    totals(summary, counts);
    announce(t("reports.shown"));
  } catch (error) {
    announce(describeError(error, t), { error: true });
  }
}

async function start() {
  initPage();
  $("charts").append(...FIGURES.map(([id, key]) => chartFigure(id, t(key))));
  if (!(await hasRoute(SUMMARY))) {
    $("export").hidden = true;
    $("filters").querySelector("button").disabled = true;
    announce(t("reports.unavailable"));
    return;
  }
  $("filters").addEventListener("submit", show);
  show();
}

start();
