// One requirement of index.html as a list item: score, verdict, criterion chips, the text
// with its findings marked, and the panels to act on it (suggestions, edit, auto-refine).
// Rendering only: what a button does is the `actions` the page passes in.

import { highlighted } from "./highlight.js";
import { t } from "./i18n.js";
import { formatScore, h, verdictBadge } from "./ui.js";

/** The atoms a person can act on: those not rejected yet. */
export function openAtoms(row) {
  return (row.result?.suggestions || []).filter((_atom, index) => !row.rejected.has(index));
}

function chips(row, criteria) {
  return h(
    "ul",
    { class: "chips", "aria-label": t("row.criteria") },
    row.result.evaluation.map((entry) =>
      h(
        "li",
        { class: `chip ${entry.isValid ? "pass" : "fail"}`, title: entry.reason, dataset: { criterion: entry.criterion } },
        `${entry.isValid ? "✓" : "✗"} ${criteria.get(entry.criterion) || entry.criterion}`,
      ),
    ),
  );
}

function feedback(row, criteria) {
  const failing = row.result.evaluation.filter((entry) => !entry.isValid);
  if (!failing.length) return null;
  return h(
    "details",
    { class: "feedback" },
    h("summary", {}, t("row.feedback", { n: failing.length })),
    h("ul", {}, failing.map((entry) => h("li", {}, `${criteria.get(entry.criterion) || entry.criterion}: ${entry.reason}`))),
  );
}

function suggestionCard(row, atom, index, actions) {
  const id = `row${row.index}-atom${index}`;
  const card = h("article", { class: "suggestion", dataset: { needsInput: String(Boolean(atom.needsInput)), atom: index } });
  if (!atom.needsInput) {
    card.append(
      h(
        "label",
        { class: "inline" },
        h("input", {
          type: "checkbox",
          class: "select-atom",
          checked: row.selected.has(index),
          onchange: (event) => actions.select(row, index, event.target.checked),
        }),
        t("row.selectForMerge"),
      ),
    );
  }
  card.append(
    h("p", { class: "correction" }, atom.correction),
    atom.notes ? h("p", { class: "meta" }, atom.notes) : null,
  );
  const buttons = h("div", { class: "toolbar" });
  if (atom.needsInput) {
    const input = h("input", { type: "text", id: `${id}-answer`, class: "answer", autocomplete: "off" });
    card.append(
      h("label", { for: `${id}-answer` }, atom.question || t("row.answerLabel")),
      input,
    );
    buttons.append(
      h("button", { type: "button", class: "primary apply-answer", onclick: () => actions.answer(row, atom, input.value) }, t("row.applyAnswer")),
    );
  } else {
    buttons.append(h("button", { type: "button", class: "primary accept", onclick: () => actions.accept(row, atom) }, t("row.accept")));
  }
  buttons.append(h("button", { type: "button", class: "reject", onclick: () => actions.reject(row, index) }, t("row.reject")));
  card.append(buttons);
  return card;
}

function suggestionsPanel(row, actions) {
  const atoms = row.result.suggestions || [];
  const cards = atoms.map((atom, index) => (row.rejected.has(index) ? null : suggestionCard(row, atom, index, actions)));
  const merge = h(
    "button",
    { type: "button", class: "merge", disabled: row.selected.size < 2, onclick: () => actions.merge(row) },
    t("row.merge", { n: row.selected.size }),
  );
  return h(
    "section",
    { class: "suggestions", "aria-label": t("row.suggestions") },
    h("div", { class: "cards" }, cards),
    h("div", { class: "toolbar" }, merge),
  );
}

function editor(row, actions) {
  const id = `row${row.index}-edit`;
  const area = h("textarea", { id, rows: 3 });
  area.value = row.text;
  return h(
    "div",
    { class: "editor" },
    h("label", { for: id }, t("row.editLabel")),
    area,
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "button", class: "primary reanalyse", onclick: () => actions.edit(row, area.value) }, t("row.reanalyse")),
      h("button", { type: "button", onclick: () => actions.panel(row, null) }, t("row.close")),
    ),
  );
}

function refinePanel(row, actions) {
  const refine = row.refine;
  const panel = h("section", { class: "refine", "aria-label": t("row.refine") });
  panel.append(h("h4", {}, t("row.refine")));
  panel.append(
    h(
      "ol",
      { class: "iterations", start: 0 },
      refine.iterations.map((step) =>
        h(
          "li",
          { dataset: { score: step.score, verdict: step.verdict } },
          `${formatScore(step.score)} · ${t(step.verdict === "pass" ? "verdict.pass" : "verdict.fail")}: ${step.text}`,
        ),
      ),
    ),
  );
  panel.append(h("p", { class: "stop-reason", dataset: { reason: refine.stopReason } }, t(`stop.${refine.stopReason}`)));
  if (refine.questions?.length) {
    panel.append(h("ul", {}, refine.questions.map((question) => h("li", {}, question))));
  }
  panel.append(
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "button", class: "primary use-final", onclick: () => actions.useText(row, refine.finalText) }, t("row.useFinal")),
      h("button", { type: "button", onclick: () => actions.panel(row, null) }, t("row.close")),
    ),
  );
  return panel;
}

function toggle(row, panel, label, actions, count) {
  const open = row.panel === panel;
  return h(
    "button",
    { type: "button", class: `toggle-${panel}`, "aria-expanded": String(open), onclick: () => actions.panel(row, open ? null : panel) },
    count === undefined ? label : `${label} (${count})`,
  );
}

function head(row) {
  const result = row.result;
  const heading = h("h3", { class: "row-id", tabindex: -1 }, row.id);
  const parts = [heading];
  if (result) {
    parts.push(h("span", { class: "score" }, formatScore(result.score)), verdictBadge(result.verdict));
    if (row.history.length > 1) {
      parts.push(h("span", { class: "history" }, `${t("row.history")}: ${row.history.map(formatScore).join(" → ")}`));
    }
    if (row.variant) parts.push(h("span", { class: "meta variant-tag", title: t("footer.variant") }, row.variant));
  } else if (row.state === "error") {
    parts.push(h("span", { class: "badge fail" }, t("row.error")));
  } else if (row.state === "cancelled") {
    parts.push(h("span", { class: "badge info" }, t("status.cancelled")));
  } else {
    parts.push(h("span", { class: "meta" }, t("row.pending")));
  }
  if (row.busy) parts.push(h("span", { class: "meta" }, t("row.working")));
  return h("div", { class: "row-head" }, parts);
}

/** The <li> of one row; `criteria` maps criterion keys to their names. */
export function renderRow(row, criteria, actions) {
  const result = row.result;
  const item = h("li", {
    class: "row",
    id: `row-${row.index}`,
    dataset: { index: row.index, state: row.state, verdict: result?.verdict || "", score: result?.score ?? "" },
  });
  item.append(head(row));
  if (!result) {
    item.append(h("p", { class: "req-text" }, row.text));
    if (row.error) item.append(h("p", { class: "status error" }, row.error));
    return item;
  }
  const findings = openAtoms(row).map((atom) => ({ fragment: atom.original_fragment, message: atom.notes || atom.question || "" }));
  item.append(highlighted(row.text, findings), chips(row, criteria));
  const details = feedback(row, criteria);
  if (details) item.append(details);
  const atoms = openAtoms(row);
  item.append(
    h(
      "div",
      { class: "row-actions" },
      atoms.length ? toggle(row, "suggestions", t("row.suggestions"), actions, atoms.length) : null,
      toggle(row, "edit", t("row.edit"), actions),
      h("button", { type: "button", class: "refine-button", disabled: row.busy, onclick: () => actions.refine(row) }, t("row.autoRefine")),
    ),
  );
  if (row.error) item.append(h("p", { class: "status error" }, row.error));
  if (row.panel === "suggestions" && atoms.length) item.append(suggestionsPanel(row, actions));
  if (row.panel === "edit") item.append(editor(row, actions));
  if (row.panel === "refine" && row.refine) item.append(refinePanel(row, actions));
  return item;
}
