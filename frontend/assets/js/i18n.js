// UI text in German and English, chosen by the browser's language (German for any de-*,
// else English). Pages mark static text with data-i18n (and data-i18n-placeholder,
// -aria-label, -title); scripts call t(key, {name: value}).

import { MESSAGES } from "./messages.js";

const preferred = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
export const lang = preferred.toLowerCase().startsWith("de") ? "de" : "en";

/** The text of key in the page's language, {name} replaced from vars. */
export function t(key, vars = {}) {
  const text = MESSAGES[lang][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

const ATTRIBUTES = { i18nPlaceholder: "placeholder", i18nAriaLabel: "aria-label", i18nTitle: "title" };

/** Translate every marked element under root, and set the document's language. */
export function applyI18n(root) {
  document.documentElement.lang = lang;
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const [data, attribute] of Object.entries(ATTRIBUTES)) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const element of root.querySelectorAll(selector)) element.setAttribute(attribute, t(element.dataset[data]));
  }
}
