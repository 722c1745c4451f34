// The API as the pages call it: same origin only, JSON in and out, the one error shape of
// docs/api.md turned into an ApiError, and the variant that served each answer reported.

const variantListeners = new Set();

/** Call fn({variant, reason, bucket}) for every answer that names its variant. */
export function onVariant(fn) {
  variantListeners.add(fn);
}

function noteVariant(response) {
  const variant = response.headers.get("X-Variant");
  if (!variant) return;
  const info = {
    variant,
    reason: response.headers.get("X-Variant-Reason") || "",
    bucket: response.headers.get("X-Variant-Bucket") || "",
  };
  for (const fn of variantListeners) fn(info);
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.error || "http_error";
    this.details = body.details;
    this.requestId = body.requestId || "";
  }
}

/** fetch() with the project's conventions; resolves to the Response, throws ApiError. */
export async function call(path, { method = "GET", json, body, token, signal, accept } = {}) {
  const headers = { Accept: accept || "application/json" };
  const init = { method, headers, signal, credentials: "same-origin", cache: "no-store" };
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, init);
  noteVariant(response);
  if (!response.ok) {
    let payload = {};
    try {
      payload = await response.json();
    } catch {
      // not the error shape (a proxy's page): keep the status alone
    }
    throw new ApiError(response.status, payload);
  }
  return response;
}

/** call() and parse the JSON answer. */
export async function getJson(path, options) {
  const response = await call(path, options);
  return response.json();
}

/** The objects of an NDJSON body, one per line, as they arrive. */
export async function* ndjson(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    let cut;
    while ((cut = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, cut).trim();
      buffer = buffer.slice(cut + 1);
      if (line) yield JSON.parse(line);
    }
    if (done) break;
  }
  if (buffer.trim()) yield JSON.parse(buffer);
}

/** validate/batch/stream over texts, with suggestions: the serving variant and the events
 * (item, error, duplicates, end) as they arrive, in input order. */
export async function streamValidate(texts, signal) {
  const response = await call("/api/v1/validate/batch/stream", {
    method: "POST",
    json: { items: texts, includeSuggestions: true },
    accept: "application/x-ndjson",
    signal,
  });
  return { variant: response.headers.get("X-Variant") || "", events: ndjson(response) };
}

/** A message for the person: the API's own, and the request id to quote. */
export function describeError(error, t) {
  if (error instanceof ApiError) {
    const id = error.requestId ? ` (${t("error.requestId")} ${error.requestId})` : "";
    return `${error.message}${id}`;
  }
  if (error && error.name === "AbortError") return t("status.cancelled");
  return t("error.network");
}
