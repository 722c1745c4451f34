// DOM helpers shared by the pages. Text always goes in as text nodes (never innerHTML):
// requirement texts and documents are user input.

import { onVariant } from "./api.js";
import { applyI18n, lang, t } from "./i18n.js";

/** sessionStorage key under which mining_demo.html hands its selection to index.html. */
export const HANDOFF_KEY = "reqgate.handoff";

/** h("button", {class: "primary", onclick: fn}, "text", child) -> element. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** The page's status line (role=status, so screen readers hear it). */
export function announce(text, { error = false } = {}) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("error", error);
}

/** Offer text as a file to save. */
export function download(filename, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 });

export function formatScore(score) {
  return typeof score === "number" ? percent.format(score) : "–";
}

export function formatNumber(value) {
  return typeof value === "number" && Number.isFinite(value) ? decimal.format(value) : "–";
}

export function formatTime(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString(lang);
}

/** A verdict badge with its word and sign, not colour alone. */
export function verdictBadge(verdict) {
  const passed = verdict === "pass";
  return h(
    "span",
    { class: `badge ${passed ? "pass" : "fail"}`, dataset: { verdict } },
    `${passed ? "✓" : "✗"} ${t(passed ? "verdict.pass" : "verdict.fail")}`,
  );
}

const PAGES = [
  ["/", "nav.evaluate"],
  ["/mining_demo.html", "nav.mining"],
  ["/reports.html", "nav.reports"],
  ["/ops.html", "nav.ops"],
];

/** The parts every page shares: skip link, menu (the current page marked) and the footer
 * that names the variant which served the page's last API answer. */
function chrome() {
  const here = location.pathname === "/index.html" ? "/" : location.pathname;
  const links = PAGES.map(([path, key]) =>
    h("li", {}, h("a", { href: path, "aria-current": path === here ? "page" : null }, t(key))),
  );
  document.body.prepend(
    h("a", { class: "skip-link", href: "#main" }, t("nav.skip")),
    h(
      "header",
      { class: "site" },
      h("a", { class: "brand", href: "/" }, "reqgate"),
      h("nav", { class: "site", "aria-label": t("nav.label") }, h("ul", {}, links)),
    ),
  );
  const variant = h("span", { id: "variant" }, "–");
  document.body.append(h("footer", { class: "site" }, `${t("footer.variant")}: `, variant));
  return variant;
}

/** Translate the page, add the shared parts, show the serving variant as answers come. */
export function initPage() {
  applyI18n(document);
  const variant = chrome();
  onVariant(({ variant: name, reason, bucket }) => {
    if (name === "gateway") return; // the pages' own files and the ops routes
    const parts = [name, reason, bucket && `${t("footer.bucket")} ${bucket}`].filter(Boolean);
    variant.textContent = parts.join(" · ");
    variant.dataset.variant = name;
  });
}
