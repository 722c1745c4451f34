// ops.html: the flags and their epoch, the canary ramp, rollback (confirmed), traffic per
// variant, the shadow report, the guard and the audit log. The admin token is typed here and
// kept in sessionStorage only: it goes in the Authorization header, never in a URL.

import { call, describeError, getJson, hasRoute } from "./api.js";
import { chartFigure, drawChart } from "./charts.js";
import { t } from "./i18n.js";
import { MetricsWindow, VARIANTS, parseMetrics } from "./metrics.js";
import { announce, formatNumber, formatTime, h, initPage } from "./ui.js";

const TOKEN_KEY = "reqgate.adminToken";
const OPS = "/api/runtime-config/ops";
const RAMP = [0, 5, 10, 25, 50, 100];
const POLL_MS = 5000;
const $ = (id) => document.getElementById(id);
const state = { flags: null, window: new MetricsWindow(), opsRoute: false };

const token = () => sessionStorage.getItem(TOKEN_KEY) || "";

function showTokenState() {
  $("token-state").textContent = t(token() ? "ops.tokenSet" : "ops.tokenUnset");
  for (const button of document.querySelectorAll(".ramp, #use-v2, #set-shadow, #rollback, #refresh-audit")) {
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

function drawMetrics(intervals) {
  const labels = intervals.map((point) => new Date(point.at).toLocaleTimeString());
  const series = (figure) => VARIANTS.map((variant) => ({ label: variant, data: intervals.map((point) => point[variant]?.[figure] ?? null) }));
  drawChart($("chart-rate"), { type: "line", labels, datasets: series("rate") });
  drawChart($("chart-errors"), { type: "line", labels, datasets: series("errorRate"), percent: true });
  drawChart($("chart-p95"), { type: "line", labels, datasets: series("p95Ms") });
}

function showShadow(rows) {
  const target = $("shadow-report");
  if (!rows.length) {
    target.replaceChildren(h("p", { class: "empty" }, t("ops.noShadow")));
    return;
  }
  const columns = ["ops.route", "ops.outcome", "ops.count"];
  target.replaceChildren(
    h(
      "table",
      { class: "data" },
      h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows.map((row) => h("tr", {}, [row.route, row.outcome, formatNumber(row.count)].map((v, i) => h("td", { "data-label": t(columns[i]) }, v))))),
    ),
  );
}

function showGuard(guard) {
  const target = $("guard");
  if (!guard) {
    target.replaceChildren(h("p", { class: "empty" }, t("ops.noGuard")));
    return;
  }
  target.replaceChildren(
    h("dl", { class: "facts" }, Object.entries(guard).flatMap(([key, value]) => [h("dt", {}, key), h("dd", {}, typeof value === "object" ? JSON.stringify(value) : String(value))])),
  );
}

/** The gateway's ops summary, where it documents the route (with the token): the last
 * minutes per variant, the shadow outcomes and the fallbacks (docs/pages.md). Null when the
 * page must sample /metrics itself. */
async function opsSummary() {
  if (!state.opsRoute || !token()) return null;
  try {
    return await getJson(OPS, { token: token() });
  } catch {
    return null;
  }
}

/** The summary's one-minute buckets as chart points (per second, as the /metrics samples). */
function minutePoints(ops) {
  const [first] = VARIANTS.map((variant) => ops.variants[variant]?.minutes || []);
  return first.map((minute, index) => {
    const point = { at: Date.parse(minute.start) };
    for (const variant of VARIANTS) {
      const bucket = ops.variants[variant]?.minutes[index];
      point[variant] = bucket && {
        rate: bucket.requests / 60,
        errorRate: bucket.requests ? bucket.errors / bucket.requests : null,
        p95Ms: bucket.p95Ms ?? null,
      };
    }
    return point;
  });
}

function showOps(ops) {
  drawMetrics(minutePoints(ops));
  const outcomes = Object.entries(ops.shadow || {}).filter(([, count]) => count > 0);
  showShadow(outcomes.map(([outcome, count]) => ({ route: t("ops.allRoutes"), outcome, count })));
  showGuard(ops.guard || null);
  $("metrics-source").textContent = t("ops.sourceOps", { minutes: ops.windowMinutes, fallbacks: ops.fallbacks });
}

async function sampleMetrics() {
  const ops = await opsSummary();
  if (ops) {
    showOps(ops);
    return;
  }
  try {
    const response = await call("/metrics", { accept: "text/plain" });
    const sample = parseMetrics(await response.text());
    state.window.add(sample);
    drawMetrics(state.window.intervals());
    showShadow(sample.shadow);
    showGuard(null);
    $("metrics-source").textContent = t("ops.sourceMetrics", { s: POLL_MS / 1000 });
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
}

async function start() {
  initPage();
  wire();
  showTokenState();
  state.opsRoute = await hasRoute(OPS);
  await Promise.all([loadFlags(), loadAudit(), sampleMetrics()]);
  setInterval(() => {
    if (!document.hidden) sampleMetrics();
  }, POLL_MS);
}

start();
