// A requirement's text with its findings marked in place. Each mark is focusable and names
// its message (aria-describedby), shown on hover and on keyboard focus.

import { h } from "./ui.js";

const WORD = /[\p{L}\p{N}_]/u;
let nextId = 0;

function isWordAt(text, index) {
  return index >= 0 && index < text.length && WORD.test(text[index]);
}

/** The first whole-word occurrence of fragment in text (exact case first), or -1. */
function find(text, fragment) {
  for (const haystack of [text, text.toLowerCase()]) {
    const needle = haystack === text ? fragment : fragment.toLowerCase();
    let at = haystack.indexOf(needle);
    while (at >= 0) {
      const edgeOk = !isWordAt(text, at - 1) || !WORD.test(needle[0]);
      const endOk = !isWordAt(text, at + needle.length) || !WORD.test(needle[needle.length - 1]);
      if (edgeOk && endOk) return at;
      at = haystack.indexOf(needle, at + 1);
    }
  }
  return -1;
}

/** Spans [{start, end, message}] of the findings, from spans with offsets or fragments;
 * overlapping ones are merged into the first (its messages joined). */
export function locate(text, findings) {
  const spans = [];
  for (const finding of findings) {
    let { start, end } = finding;
    if (!(Number.isInteger(start) && Number.isInteger(end) && text.slice(start, end) === finding.fragment)) {
      if (!finding.fragment) continue;
      start = find(text, finding.fragment);
      if (start < 0) continue;
      end = start + finding.fragment.length;
    }
    const overlapping = spans.find((span) => start < span.end && end > span.start);
    if (overlapping) {
      if (!overlapping.messages.includes(finding.message)) overlapping.messages.push(finding.message);
    } else {
      spans.push({ start, end, messages: [finding.message] });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** A <p> with the text, each finding a <mark class="finding"> that explains itself. */
export function highlighted(text, findings, className = "req-text") {
  const paragraph = h("p", { class: className });
  let at = 0;
  for (const span of locate(text, findings)) {
    paragraph.append(text.slice(at, span.start));
    nextId += 1;
    const tipId = `finding-tip-${nextId}`;
    paragraph.append(
      h(
        "mark",
        { class: "finding", tabindex: 0, "aria-describedby": tipId },
        text.slice(span.start, span.end),
        h("span", { class: "tip", role: "tooltip", id: tipId }, span.messages.join(" ")),
      ),
    );
    at = span.end;
  }
  paragraph.append(text.slice(at));
  return paragraph;
}
