// mining_demo.html: requirement candidates from a document (mining/extract), judged on
// request, exported, or handed to the evaluate page; and the knowledge base: upload
// (files/ingest) and search (rag/search).

import { describeError, getJson, streamValidate } from "./api.js";
import { t } from "./i18n.js";
import { toCsv, toJson, toMarkdown } from "./tables.js";
import { HANDOFF_KEY, announce, download, formatNumber, formatScore, h, initPage, verdictBadge } from "./ui.js";

const $ = (id) => document.getElementById(id);
const state = { items: [], selected: new Set(), markdown: "" };

function cell(labelKey, ...content) {
  return h("td", { "data-label": t(labelKey) }, ...content);
}

function renderCandidates() {
  const body = $("candidates").tBodies[0];
  body.replaceChildren(
    ...state.items.map((item, index) =>
      h(
        "tr",
        { dataset: { index, kind: item.kind } },
        h(
          "td",
          {},
          h("input", {
            type: "checkbox",
            class: "select-candidate",
            "aria-label": `${t("mining.select")} ${item.id}`,
            checked: state.selected.has(index),
            onchange: (event) => select(index, event.target.checked),
          }),
        ),
        cell("mining.colLine", String(item.line)),
        cell("mining.colKind", t(`kind.${item.kind}`)),
        cell(
          "mining.colText",
          item.text,
          h("br"),
          h("span", { class: "meta" }, [item.id, item.language, item.modal].filter(Boolean).join(" · ")),
        ),
        cell("mining.colScore", item.evaluation ? formatScore(item.evaluation.score) : "–"),
        cell("mining.colVerdict", item.evaluation ? verdictBadge(item.evaluation.verdict) : "–"),
      ),
    ),
  );
  $("candidates-section").hidden = state.items.length === 0;
  $("select-all").checked = state.items.length > 0 && state.selected.size === state.items.length;
}

function select(index, on) {
  if (on) state.selected.add(index);
  else state.selected.delete(index);
  $("select-all").checked = state.selected.size === state.items.length;
}

async function mine() {
  const text = $("doc").value;
  if (!text.trim()) {
    announce(t("mining.nothing"), { error: true });
    return;
  }
  const body = { text, source: $("source").value.trim() || "document" };
  if ($("language").value) body.language = $("language").value;
  try {
    const answer = await getJson("/api/v1/mining/extract", { method: "POST", json: body });
    state.items = answer.items;
    state.markdown = answer.markdown;
    state.selected = new Set(answer.items.map((_item, index) => index));
    renderCandidates();
    announce(t("mining.found", { n: answer.items.length }));
  } catch (error) {
    announce(describeError(error, t), { error: true });
  }
}

function chosen() {
  return [...state.selected].sort((a, b) => a - b);
}

async function evaluateSelected() {
  const indexes = chosen();
  if (!indexes.length) {
    announce(t("mining.noneSelected"), { error: true });
    return;
  }
  $("progress-box").hidden = false;
  let done = 0;
  const show = () => {
    $("progress").max = indexes.length;
    $("progress").value = done;
    $("progress-text").textContent = `${done} / ${indexes.length}`;
  };
  show();
  $("evaluate-selected").disabled = true;
  try {
    const { events } = await streamValidate(indexes.map((index) => state.items[index].text));
    for await (const event of events) {
      if (event.event !== "item" && event.event !== "error") continue;
      const item = state.items[indexes[event.index]];
      item.evaluation = event.event === "item" ? event : null;
      done += 1;
      show();
    }
    renderCandidates();
    announce(t("mining.evaluated", { n: done }));
  } catch (error) {
    announce(describeError(error, t), { error: true });
  } finally {
    $("evaluate-selected").disabled = false;
  }
}

function handoff() {
  const rows = chosen().map((index) => ({ id: state.items[index].id, text: state.items[index].text }));
  if (!rows.length) {
    announce(t("mining.noneSelected"), { error: true });
    return;
  }
  sessionStorage.setItem(HANDOFF_KEY, JSON.stringify(rows));
  location.assign("/");
}

const COLUMNS = ["id", "line", "kind", "language", "modal", "source", "text", "score", "verdict"].map((key) => ({ key, label: key }));

function exportRows() {
  const indexes = state.selected.size ? chosen() : state.items.map((_item, index) => index);
  return indexes.map((index) => {
    const item = state.items[index];
    return { ...item, score: item.evaluation?.score ?? "", verdict: item.evaluation?.verdict ?? "" };
  });
}

async function readFile(input, target) {
  const file = input.files[0];
  if (!file) return;
  target.value = await file.text();
  $("source").value = file.name.slice(0, 200);
  announce(t("mining.fileLoaded", { name: file.name }));
}

async function kbHealth() {
  try {
    const health = await getJson("/api/v1/vector/health");
    const points = health.pointsCount ?? 0;
    $("kb-health").textContent = t("kb.health", { collection: health.collection, n: points, search: health.search });
  } catch (error) {
    $("kb-health").textContent = describeError(error, t);
  }
}

async function upload(files) {
  if (!files.length) {
    $("kb-result").textContent = t("kb.noFiles");
    return;
  }
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  try {
    const answer = await getJson("/api/v1/files/ingest", { method: "POST", body: form });
    $("kb-result").textContent = t("kb.uploaded", { files: answer.countFiles, chunks: answer.countChunks });
    kbHealth();
  } catch (error) {
    $("kb-result").textContent = describeError(error, t);
  }
}

function uploadDocument() {
  const text = $("doc").value;
  if (!text.trim()) {
    $("kb-result").textContent = t("mining.nothing");
    return;
  }
  const name = ($("source").value.trim() || "document").replace(/[\\/]/g, "_");
  const fileName = /\.(md|txt)$/i.test(name) ? name : `${name}.md`;
  upload([new File([text], fileName, { type: "text/markdown" })]);
}

async function search(event) {
  event.preventDefault();
  const query = $("kb-query").value.trim();
  if (!query) return;
  const topK = Math.min(100, Math.max(1, Number($("kb-topk").value) || 5));
  const list = $("kb-hits");
  try {
    const answer = await getJson(`/api/v1/rag/search?query=${encodeURIComponent(query)}&top_k=${topK}`);
    list.replaceChildren(
      ...answer.hits.map((hit) =>
        h(
          "li",
          {},
          h("span", { class: "meta" }, `${hit.payload.sourceFile} · ${t("kb.chunk")} ${hit.payload.chunkIndex} · ${formatNumber(hit.score)}`),
          h("p", { class: "req-text" }, hit.payload.text),
        ),
      ),
    );
    if (!answer.hits.length) list.replaceChildren(h("li", { class: "empty" }, t("kb.noHits")));
  } catch (error) {
    list.replaceChildren(h("li", { class: "status error" }, describeError(error, t)));
  }
}

function wire() {
  $("mine").addEventListener("click", mine);
  $("doc-file").addEventListener("change", (event) => readFile(event.target, $("doc")));
  $("select-all").addEventListener("change", (event) => {
    state.selected = event.target.checked ? new Set(state.items.map((_item, index) => index)) : new Set();
    renderCandidates();
  });
  $("evaluate-selected").addEventListener("click", evaluateSelected);
  $("handoff").addEventListener("click", handoff);
  $("export-md").addEventListener("click", () => download("candidates.md", "text/markdown", toMarkdown(COLUMNS, exportRows())));
  $("export-csv").addEventListener("click", () => download("candidates.csv", "text/csv", toCsv(COLUMNS, exportRows())));
  $("export-json").addEventListener("click", () => download("candidates.json", "application/json", toJson(exportRows())));
  $("kb-upload").addEventListener("click", () => upload([...$("kb-files").files]));
  $("kb-upload-doc").addEventListener("click", uploadDocument);
  $("kb-search").addEventListener("submit", search);
}

initPage();
wire();
kbHealth();
