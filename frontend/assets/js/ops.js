// ops.html: the flags and their epoch, the canary ramp, rollback (confirmed), traffic per
// variant, the shadow report, the guard and the audit log. The admin token is typed here and
// kept in sessionStorage only: it goes in the Authorization header, never in a URL.

import { call, describeError, getJson } from "./api.js";
import { chartFigure, drawChart } from "./charts.js";
import { t } from "./i18n.js";
import { announce, formatNumber, formatTime, h, initPage } from "./ui.js";

const TOKEN_KEY = "reqgate.adminToken";
const OPS = "/api/runtime-config/ops";
const SHADOW = "/api/runtime-config/shadow";
const RAMP = [0, 5, 10, 25, 50, 100];
const POLL_MS = 5000;
const VARIANTS = ["v1", "v2"];
const $ = (id) => document.getElementById(id);
const state = { flags: null };

const token = () => sessionStorage.getItem(TOKEN_KEY) || "";

function showTokenState() {
  $("token-state").textContent = t(token() ? "ops.tokenSet" : "ops.tokenUnset");
  for (const button of document.querySelectorAll(".ramp, #use-v2, #set-shadow, #rollback, #refresh-audit, #sample-now")) {
    button.disabled = !token();
  }
}

function showFlags(flags) {
  state.flags = flags;
  const facts = [
    [t("ops.useV2"), t(flags.featureFlagUseV2 ? "ops.on" : "ops.off")],
    [t("ops.canary"), `${flags.canaryPercent} %`],
    [t("ops.shadow"), `${flags.shadowPercent} %`],
    [t("ops.epoch"), String(flags.epoch)],
    [t("ops.source"), flags.source],
    [t("ops.updated"), formatTime(flags.updatedAt)],
  ];
  $("flags").replaceChildren(...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  $("flags").dataset.epoch = String(flags.epoch);
  for (const button of document.querySelectorAll(".ramp")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.percent) === flags.canaryPercent));
  }
  $("use-v2").textContent = t(flags.featureFlagUseV2 ? "ops.useV2Off" : "ops.useV2On");
  $("shadow").value = String(flags.shadowPercent);
}

/** Which variant a shared route gives this browser now (its sticky cookie's bucket). */
async function probe() {
  try {
    const response = await call("/api/v1/criteria");
    const variant = response.headers.get("X-Variant");
    const reason = response.headers.get("X-Variant-Reason");
    const bucket = response.headers.get("X-Variant-Bucket");
    $("probe").textContent = t("ops.probe", { variant, reason, bucket });
    $("probe").dataset.variant = variant;
  } catch (error) {
    $("probe").textContent = describeError(error, t);
  }
}

async function loadFlags() {
  try {
    const config = await getJson("/api/runtime-config");
    showFlags(config.flags);
    showGuard(config.guard || null);
  } catch (error) {
    announce(describeError(error, t), { error: true });
  }
  await probe();
}

/** Send an admin change; the answer's flags are shown, the probe and audit refreshed. */
async function change(path, method, body, done) {
  try {
    const answer = await getJson(path, { method, json: body, token: token() });
    showFlags(answer.flags);
    announce(t(answer.changed ? done : "ops.unchanged", { epoch: answer.flags.epoch }));
  } catch (error) {
    announce(describeError(error, t), { error: true });
  }
  await Promise.all([probe(), loadAudit()]);
}

const reason = (fallback) => $("reason").value.trim() || fallback;

function ramp(percent) {
  change("/api/runtime-config/flags", "PATCH", { canaryPercent: percent, reason: reason(`ramp to ${percent} % (ops page)`) }, "ops.changed");
}

function rollback() {
  change("/api/runtime-config/flags/rollback", "POST", { reason: reason("rollback (ops page)") }, "ops.rolledBack");
}

function auditChange(entry) {
  return Object.keys(entry.new || {})
    .filter((key) => entry.old?.[key] !== entry.new[key])
    .map((key) => `${key}: ${entry.old?.[key]} → ${entry.new[key]}`)
    .join("; ");
}

async function loadAudit() {
  if (!token()) {
    $("audit").replaceChildren(h("p", { class: "empty" }, t("ops.auditNeedsToken")));
    return;
  }
  try {
    const audit = await getJson("/api/runtime-config/flags/audit?limit=20", { token: token() });
    const columns = ["ops.when", "ops.actor", "ops.source", "ops.reason", "ops.change", "ops.epoch"];
    $("audit").replaceChildren(
      h(
        "table",
        { class: "data", id: "audit-table" },
        h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          audit.items.map((entry) =>
            h(
              "tr",
              {},
              [formatTime(entry.at), entry.actor, entry.source, entry.reason, auditChange(entry) || "–", String(entry.epoch)].map(
                (value, index) => h("td", { "data-label": t(columns[index]) }, value),
              ),
            ),
          ),
        ),
      ),
    );
  } catch (error) {
    $("audit").replaceChildren(h("p", { class: "status error" }, describeError(error, t)));
  }
}

/** Requests, 5xx rate and p95 of each one-minute bucket of the summary (oldest first, the
 * same minutes for each variant); no buckets: the charts say there is no data. */
function drawTraffic(variants) {
  const minutes = (variant) => variants[variant]?.minutes || [];
  const labels = minutes(VARIANTS[0]).map((minute) => new Date(minute.start).toLocaleTimeString());
  const series = (figure) => VARIANTS.map((variant) => ({ label: variant, data: minutes(variant).map(figure) }));
  drawChart($("chart-rate"), { type: "line", labels, datasets: series((m) => m.requests), counts: true });
  drawChart($("chart-errors"), { type: "line", labels, datasets: series((m) => (m.requests ? m.errors / m.requests : null)), percent: true });
  drawChart($("chart-p95"), { type: "line", labels, datasets: series((m) => m.p95Ms ?? null) });
}

/** The mirrored requests by outcome since the gateway started (SHADOW_PERCENT > 0). */
function showShadow(shadow) {
  const target = $("shadow-report");
  const rows = Object.entries(shadow || {}).filter(([, count]) => count > 0);
  if (!rows.length) {
    target.replaceChildren(h("p", { class: "empty" }, t("ops.noShadow")));
    return;
  }
  const columns = ["ops.outcome", "ops.count"];
  target.replaceChildren(
    h(
      "table",
      { class: "data" },
      h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows.map(([outcome, count]) => h("tr", {}, [outcome, formatNumber(count)].map((v, i) => h("td", { "data-label": t(columns[i]) }, v))))),
    ),
  );
}

/** What shadow mode compared in its window (GET /api/runtime-config/shadow): the mismatch
 * rate per route against the ramp check's limit as a chart, and per route the figures and
 * the paths where v2 answers differently (paths and types only: the report keeps no text). */
function showShadowReport(report) {
  const routes = Object.entries(report.routes || {});
  const labels = routes.map(([route]) => route.replace("/api/v1/", ""));
  drawChart($("chart-shadow"), {
    labels,
    datasets: [
      { label: t("ops.mismatchRate"), data: routes.map(([, entry]) => (entry.compared ? entry.mismatchRate : null)) },
      { label: t("ops.maxMismatch"), data: routes.map(() => report.maxMismatch) },
    ],
    percent: true,
  });
  $("shadow-summary").textContent = t("ops.shadowSummary", {
    rate: formatNumber(Math.round(report.mismatchRate * 1000) / 10),
    max: formatNumber(report.maxMismatch * 100),
    compared: formatNumber(report.compared),
    minutes: formatNumber(report.windowS / 60),
  });
  const columns = ["ops.route", "ops.compared", "ops.mismatchRate", "ops.verdictAgreement", "ops.paths"];
  const percent = (value) => (value == null ? "–" : `${formatNumber(Math.round(value * 1000) / 10)} %`);
  const paths = (entry) => entry.topMismatchPaths.map((p) => `${p.path} (${p.v1Type} → ${p.v2Type}) × ${formatNumber(p.count)}`).join("; ") || "–";
  const rows = routes.map(([route, entry]) => [route, formatNumber(entry.compared), percent(entry.mismatchRate), percent(entry.verdictAgreement), paths(entry)]);
  $("shadow-paths").replaceChildren(
    rows.length
      ? h(
          "table",
          { class: "data" },
          h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col" }, t(key))))),
          h("tbody", {}, rows.map((row) => h("tr", {}, row.map((v, i) => h("td", { "data-label": t(columns[i]) }, v))))),
        )
      : h("p", { class: "empty" }, t("ops.noShadow")),
  );
}

/** One side of a guard decision's figures: requests, error rate, p95. */
function guardSide(side) {
  if (!side) return t("ops.guardNoBaseline");
  const errorRate = formatNumber(Math.round(side.errorRate * 1000) / 10);
  return t("ops.guardSide", { requests: formatNumber(side.requests), errorRate, p95: formatNumber(side.p95Ms) });
}

/** The SLO guard (GET /api/runtime-config's `guard`): its state, its limits, the worker
 * that decides and the last rollback it took, with the figures that triggered it. */
function showGuard(guard) {
  const target = $("guard");
  if (!guard) {
    target.replaceChildren(h("p", { class: "empty" }, t("ops.noGuard")));
    return;
  }
  const limits = guard.settings;
  const decision = guard.lastDecision;
  const facts = [
    [t("ops.guardState"), t(`ops.guardState.${guard.state}`)],
    [
      t("ops.guardLimits"),
      t("ops.guardLimitsText", {
        delta: formatNumber(limits.maxErrorDelta * 100),
        ratio: formatNumber(limits.maxLatencyRatio),
        slo: formatNumber(limits.latencySloMs),
        min: formatNumber(limits.minRequests),
        window: formatNumber(limits.windowS),
        interval: formatNumber(limits.intervalS),
      }),
    ],
    [t("ops.guardHolder"), guard.holder || "–"],
    [
      t("ops.guardDecision"),
      decision
        ? t("ops.guardDecisionText", {
            action: decision.action,
            at: formatTime(decision.at),
            route: decision.route,
            causes: (decision.figures.causes || []).join(", "),
            v2: guardSide(decision.figures.v2),
            v1: guardSide(decision.figures.v1),
          })
        : t("ops.guardNoDecision"),
    ],
  ];
  target.dataset.state = guard.state;
  target.replaceChildren(h("dl", { class: "facts", id: "guard-facts" }, facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])));
}

function showOps(ops) {
  drawTraffic(ops.variants);
  showShadow(ops.shadow);
  showGuard(ops.guard || null);
  $("metrics-source").textContent = t("ops.sourceOps", { minutes: ops.windowMinutes, fallbacks: ops.fallbacks });
}

/** The gateway's ops summary (admin token): the traffic of its last minutes per variant,
 * the shadow outcomes and the fallbacks, measured by the gateway itself (docs/pages.md). */
async function sampleMetrics() {
  if (!token()) {
    drawTraffic({});
    $("metrics-source").textContent = t("ops.metricsNeedToken");
    return;
  }
  try {
    const [ops, shadow] = await Promise.all([getJson(OPS, { token: token() }), getJson(SHADOW, { token: token() })]);
    showOps(ops);
    showShadowReport(shadow);
  } catch (error) {
    $("metrics-source").textContent = describeError(error, t);
  }
}

function wire() {
  $("ramp").append(
    ...RAMP.map((percent) => h("button", { type: "button", class: "ramp", dataset: { percent }, onclick: () => ramp(percent) }, `${percent} %`)),
  );
  $("shadow").append(...RAMP.map((percent) => h("option", { value: percent }, `${percent} %`)));
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    $("token").value = "";
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    showTokenState();
    loadAudit();
    sampleMetrics();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showTokenState();
    loadAudit();
    sampleMetrics();
  });
  $("use-v2").addEventListener("click", () =>
    change("/api/runtime-config/flags", "PATCH", { featureFlagUseV2: !state.flags?.featureFlagUseV2, reason: reason("flag (ops page)") }, "ops.changed"),
  );
  $("set-shadow").addEventListener("click", () =>
    change("/api/runtime-config/flags", "PATCH", { shadowPercent: Number($("shadow").value), reason: reason("shadow (ops page)") }, "ops.changed"),
  );
  $("rollback").addEventListener("click", () => $("confirm").showModal());
  $("confirm-no").addEventListener("click", () => $("confirm").close());
  $("confirm-yes").addEventListener("click", () => {
    $("confirm").close();
    rollback();
  });
  $("refresh-audit").addEventListener("click", loadAudit);
  $("sample-now").addEventListener("click", sampleMetrics);
  $("metric-charts").append(
    chartFigure("chart-rate", t("ops.rate")),
    chartFigure("chart-errors", t("ops.errorRate")),
    chartFigure("chart-p95", t("ops.p95")),
  );
  $("shadow-chart").append(chartFigure("chart-shadow", t("ops.shadowChart")));
}

async function start() {
  initPage();
  wire();
  showTokenState();
  await Promise.all([loadFlags(), loadAudit(), sampleMetrics()]);
  setInterval(() => {
    if (!document.hidden && token()) sampleMetrics();
  }, POLL_MS);
}

start();
