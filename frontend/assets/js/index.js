// index.html: evaluate a list of requirements as a live stream, then refine each one with
// its suggestions, answers to questions, hand edits or the auto-refine loop.

import { call, describeError, getJson, streamValidate } from "./api.js";
import { saveDecisions } from "./decisions.js";
import { lang, t } from "./i18n.js";
import { openAtoms, renderRow } from "./rows.js";
import { parseRequirementsTable, toCsv, toJson, toMarkdown } from "./tables.js";
import { HANDOFF_KEY, announce, download, initPage } from "./ui.js";

const $ = (id) => document.getElementById(id);
const state = { rows: [], criteria: new Map(), loaded: null, controller: null };

function newRow({ id, text }, index) {
  return { index, id, text, result: null, history: [], state: "pending", error: "", variant: "", panel: null, refine: null, busy: false, rejected: new Set(), selected: new Set() };
}

function render(row, { focus = false } = {}) {
  const fresh = renderRow(row, state.criteria, actions);
  const old = $(`row-${row.index}`);
  if (old) old.replaceWith(fresh);
  else $("results").append(fresh);
  if (focus) fresh.querySelector(".row-id").focus();
}

function renderAll() {
  $("results").replaceChildren();
  for (const row of state.rows) render(row);
  $("results-section").hidden = state.rows.length === 0;
}

function setResult(row, item, variant) {
  row.result = item;
  row.history.push(item.score);
  row.state = "done";
  row.error = "";
  row.variant = variant || row.variant;
  row.rejected = new Set();
  row.selected = new Set();
}

/** The rows to evaluate: the lines of the box, with the ids of a table loaded into it. */
function inputRows() {
  const lines = $("input").value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  return lines.map((text, index) => {
    const loaded = state.loaded && state.loaded[index];
    return { id: loaded && loaded.text === text ? loaded.id : `REQ_${index + 1}`, text };
  });
}

/** Put rows in the box, one per line (a table cell's line breaks become spaces), and keep
 * their ids for the lines that stay as they are. */
function load(rows) {
  state.loaded = rows.map((row) => ({ id: row.id, text: row.text.replace(/\s*\n\s*/g, " ").trim() }));
  $("input").value = state.loaded.map((row) => row.text).join("\n");
  announce(t("index.loaded", { n: rows.length }));
}

function progress(done, total) {
  const bar = $("progress");
  bar.max = Math.max(total, 1);
  bar.value = done;
  const share = total ? Math.round((100 * done) / total) : 100;
  $("progress-text").textContent = `${done} / ${total} (${share} %)`;
  $("progress-box").dataset.percent = String(share);
}

function running(on) {
  $("evaluate").disabled = on;
  $("demo").disabled = on;
  $("cancel").disabled = !on;
}

async function evaluateAll() {
  const items = inputRows();
  if (!items.length) {
    announce(t("index.nothing"), { error: true });
    return;
  }
  state.rows = items.map(newRow);
  renderAll();
  $("progress-box").hidden = false;
  progress(0, items.length);
  const controller = (state.controller = new AbortController());
  running(true);
  announce(t("index.running", { n: items.length }));
  let done = 0;
  try {
    const { variant, events } = await streamValidate(
      items.map((item) => item.text),
      controller.signal,
    );
    for await (const event of events) {
      const row = state.rows[event.index];
      if (event.event === "item" && row) {
        setResult(row, event, variant);
      } else if (event.event === "error" && row) {
        row.state = "error";
        row.error = event.message;
      } else if (event.event === "end") {
        announce(t("index.finished", { n: event.processed, failed: event.failed, ms: event.durationMs }));
        continue;
      } else {
        continue;
      }
      done += 1;
      render(row);
      progress(done, items.length);
    }
  } catch (error) {
    for (const row of state.rows.filter((r) => r.state === "pending")) {
      row.state = controller.signal.aborted ? "cancelled" : "error";
      render(row);
    }
    const text = controller.signal.aborted ? t("index.cancelledAt", { done, n: items.length }) : describeError(error, t);
    announce(text, { error: !controller.signal.aborted });
  } finally {
    state.controller = null;
    running(false);
  }
}

/** Evaluate one row's (new) text again, with its suggestions. */
async function reanalyse(row, text) {
  row.busy = true;
  render(row);
  try {
    const response = await call("/api/v1/validate/batch", {
      method: "POST",
      json: { items: [text], includeSuggestions: true },
    });
    const [item] = await response.json();
    row.text = text;
    row.panel = null;
    setResult(row, item, response.headers.get("X-Variant"));
    announce(t("row.reanalysed", { id: row.id, score: Math.round(item.score * 100) }));
  } catch (error) {
    row.error = describeError(error, t);
  } finally {
    row.busy = false;
    render(row, { focus: true });
  }
}

/** Put the answer in place of the atom's placeholder (or of the vague fragment). */
function filled(row, atom, answer) {
  const placeholder = /\[[^\]]*\]/;
  if (placeholder.test(atom.correction)) return atom.correction.replace(placeholder, answer);
  return atom.original_fragment ? row.text.replace(atom.original_fragment, answer) : atom.correction;
}

const actions = {
  panel(row, panel) {
    row.panel = panel;
    render(row);
    const target = $(`row-${row.index}`).querySelector(panel === "edit" ? "textarea" : panel ? `.${panel} button, .${panel} input` : ".row-id");
    if (target) target.focus();
  },
  select(row, index, on) {
    if (on) row.selected.add(index);
    else row.selected.delete(index);
    const merge = $(`row-${row.index}`).querySelector("button.merge");
    merge.disabled = row.selected.size < 2;
    merge.textContent = t("row.merge", { n: row.selected.size });
  },
  accept(row, atom) {
    saveDecisions(row.text, [atom], "accepted", row.variant);
    reanalyse(row, atom.correction);
  },
  reject(row, index) {
    saveDecisions(row.text, [row.result.suggestions[index]], "rejected", row.variant);
    row.rejected.add(index);
    row.selected.delete(index);
    if (!openAtoms(row).length) row.panel = null;
    render(row, { focus: true });
  },
  answer(row, atom, answer) {
    if (!answer.trim()) {
      row.error = t("row.answerMissing");
      render(row);
      return;
    }
    saveDecisions(row.text, [atom], "accepted", row.variant);
    reanalyse(row, filled(row, atom, answer.trim()));
  },
  async merge(row) {
    const atoms = [...row.selected].map((index) => row.result.suggestions[index]);
    row.busy = true;
    render(row);
    try {
      const merged = await getJson("/api/v1/corrections/apply", {
        method: "POST",
        json: { originalText: row.text, selectedSuggestions: atoms, mode: "merge" },
      });
      saveDecisions(row.text, atoms, "accepted", row.variant);
      row.busy = false;
      await reanalyse(row, merged.items[0].redefinedRequirement);
    } catch (error) {
      row.busy = false;
      row.error = describeError(error, t);
      render(row);
    }
  },
  async edit(row, text) {
    const changed = text.trim();
    if (!changed) {
      row.error = t("row.editEmpty");
      render(row);
      return;
    }
    if (changed !== row.text) {
      // Recorded checksum-only; the evaluation goes on whether or not the record was taken.
      call("/api/v1/corrections/text", { method: "POST", json: { originalText: row.text, text: changed } }).catch(() => {});
    }
    await reanalyse(row, changed);
  },
  async refine(row) {
    row.busy = true;
    render(row);
    try {
      row.refine = await getJson("/api/v1/validate/refine", {
        method: "POST",
        json: { requirementText: row.text, maxIterations: 3 },
      });
      row.panel = "refine";
      announce(t(`stop.${row.refine.stopReason}`));
    } catch (error) {
      row.error = describeError(error, t);
    } finally {
      row.busy = false;
      render(row);
      $(`row-${row.index}`).querySelector(".refine button, .row-id").focus();
    }
  },
  useText(row, text) {
    reanalyse(row, text);
  },
};

const COLUMNS = [
  { key: "id", label: "id" },
  { key: "requirementText", label: "requirementText" },
  { key: "originalText", label: "originalText" },
  { key: "score", label: "score" },
  { key: "verdict", label: "verdict" },
  { key: "failedCriteria", label: "failedCriteria" },
  { key: "suggestions", label: "suggestions" },
  { key: "variant", label: "variant" },
];

function exportRows() {
  return state.rows.map((row) => ({
    id: row.id,
    requirementText: row.text,
    originalText: row.result?.originalText ?? row.text,
    score: row.result?.score ?? "",
    verdict: row.result?.verdict ?? row.state,
    failedCriteria: (row.result?.evaluation || []).filter((e) => !e.isValid).map((e) => e.criterion).join(", "),
    suggestions: openAtoms(row).length,
    variant: row.variant,
    evaluation: row.result?.evaluation || [],
    correctedText: row.result?.correctedText ?? "",
    history: row.history,
  }));
}

async function loadDemo() {
  try {
    const demo = await getJson("/api/v1/demo/requirements");
    load(demo.items.map((item) => ({ id: item.id, text: item.requirementText })));
  } catch (error) {
    announce(describeError(error, t), { error: true });
  }
}

async function loadTableFile(file) {
  const rows = parseRequirementsTable(await file.text());
  if (!rows || !rows.length) announce(t("index.noTable"), { error: true });
  else load(rows);
}

async function loadCriteria() {
  try {
    const criteria = await getJson(`/api/v1/criteria?language=${lang}`);
    state.criteria = new Map(criteria.items.map((item) => [item.key, item.name]));
  } catch {
    // names fall back to the criterion keys
  }
}

function wire() {
  $("evaluate").addEventListener("click", evaluateAll);
  $("cancel").addEventListener("click", () => state.controller?.abort());
  $("demo").addEventListener("click", loadDemo);
  $("table-file").addEventListener("change", (event) => event.target.files[0] && loadTableFile(event.target.files[0]));
  $("export-md").addEventListener("click", () => download("requirements.md", "text/markdown", toMarkdown(COLUMNS, exportRows())));
  $("export-csv").addEventListener("click", () => download("requirements.csv", "text/csv", toCsv(COLUMNS, exportRows())));
  $("export-json").addEventListener("click", () => download("requirements.json", "application/json", toJson(exportRows())));
  const handoff = sessionStorage.getItem(HANDOFF_KEY);
  if (handoff) {
    sessionStorage.removeItem(HANDOFF_KEY);
    load(JSON.parse(handoff));
  }
}

initPage();
wire();
loadCriteria();
