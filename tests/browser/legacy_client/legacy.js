// A web client of the original system (test data for tests/browser/test_legacy_client.py):
// plain fetch calls to the API's absolute base URL, from whatever origin serves this page.
// Each step writes its result, or its failure, into its <output data-status>.
"use strict";

var API = (new URLSearchParams(location.search).get("api") || "http://127.0.0.1:8087") + "/api/v1";
var state = { atoms: [], redefined: "" };

function $(id) {
  return document.getElementById(id);
}

function lines() {
  return $("requirements").value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
}

async function request(path, init) {
  var response = await fetch(API + path, init);
  var body = await response.json();
  if (!response.ok) {
    throw new Error(response.status + " " + body.error + " (" + response.headers.get("X-Request-Id") + ")");
  }
  return body;
}

function postJson(path, body) {
  return request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function step(button, output, action) {
  $(button).addEventListener("click", async function () {
    var out = $(output);
    out.dataset.status = "busy";
    out.textContent = "";
    try {
      out.textContent = await action();
      out.dataset.status = "ok";
    } catch (error) {
      out.textContent = String(error.message || error);
      out.dataset.status = "error";
    }
  });
}

step("load-demo", "out-demo", async function () {
  var body = await request("/demo/requirements");
  $("requirements").value = body.items.map(function (item) { return item.requirementText; }).join("\n");
  return body.items.length + " requirements";
});

// One item at a time, as the original page did, so that each row shows up as it is judged.
step("validate", "out-validate", async function () {
  var withSuggestions = $("with-suggestions").checked;
  var rows = $("results").tBodies[0];
  rows.textContent = "";
  var texts = lines();
  for (var i = 0; i < texts.length; i++) {
    var body = withSuggestions ? { items: [texts[i]], includeSuggestions: true } : [texts[i]];
    var answer = await postJson("/validate/batch", body);
    if (!Array.isArray(answer) || answer.length !== 1) throw new Error("expected an array of one");
    var item = answer[0];
    var atoms = item.suggestions || [];
    var row = rows.insertRow();
    row.dataset.verdict = item.verdict;
    row.dataset.score = item.score;
    row.dataset.atoms = atoms.length;
    row.dataset.suggestions = "suggestions" in item ? "yes" : "no";
    [item.originalText, item.score.toFixed(2), item.verdict, atoms.length ? atoms[0].correction : ""].forEach(
      function (text) { row.insertCell().textContent = text; }
    );
    row.addEventListener("click", pick.bind(null, item.originalText));
  }
  return texts.length + " validated";
});

function pick(text) {
  $("current").value = text;
}

step("suggest", "out-suggest", async function () {
  var body = await postJson("/validate/suggest", [$("current").value]);
  state.atoms = body.items.REQ_1.suggestions;
  var list = $("atoms");
  list.textContent = "";
  state.atoms.forEach(function (atom) {
    list.appendChild(document.createElement("li")).textContent = atom.correction;
  });
  return state.atoms.length + " suggestions";
});

step("apply", "out-apply", async function () {
  var body = await postJson("/corrections/apply", {
    originalText: $("current").value,
    selectedSuggestions: state.atoms,
    mode: "merge",
  });
  state.redefined = body.items[0].redefinedRequirement;
  return state.redefined;
});

step("save-text", "out-text", async function () {
  var body = await postJson("/corrections/text", { originalText: $("current").value, text: state.redefined });
  return body.status;
});

step("upload", "out-upload", async function () {
  var form = new FormData();
  Array.prototype.forEach.call($("files").files, function (file) { form.append("files", file); });
  var body = await request("/files/ingest", { method: "POST", body: form });
  return ["countFiles", "countChunks", "upserted", "collection", "qdrantPort"].map(function (key) {
    return key + "=" + body[key];
  }).join(" ");
});

step("reset", "out-reset", async function () {
  var body = await request("/vector/reset?confirm=true", {
    method: "POST",
    headers: { Authorization: "Bearer " + $("token").value },
  });
  return body.status + " " + body.deleted;
});
