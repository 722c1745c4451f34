"""Plausible structured answers for the fake LLM server: small rules, same shape as a model's.

Deterministic for a given request, so two calls with the same input get the same answer
(the v1/v2 parity tests rely on it). Word lists are tiny on purpose: this is a stand-in
for a model, not a second heuristic engine.
"""

from __future__ import annotations

import json
import re
from typing import Any

# weak wording -> (replacement, finding code, criteria it hurts, metric it introduces)
_REPLACEMENTS: dict[str, dict[str, tuple[str, str, tuple[str, ...], dict[str, Any] | None]]] = {
    "en": {
        "should": ("shall", "weak_modal", ("testability",), None),
        "may": ("shall", "weak_modal", ("testability",), None),
        "fast": (
            "within 2 seconds",
            "vague_term",
            ("clarity", "measurability"),
            {"name": "response_time", "op": "<=", "value": 2, "unit": "s"},
        ),
        "user-friendly": (
            "usable without training by 90 % of first-time users",
            "vague_term",
            ("clarity", "measurability"),
            {"name": "untrained_success_rate", "op": ">=", "value": 90, "unit": "%"},
        ),
        "and": ("; the system shall also", "multiple_requirements", ("atomicity",), None),
    },
    "de": {
        "sollte": ("muss", "weak_modal", ("testability",), None),
        "kann": ("muss", "weak_modal", ("testability",), None),
        "schnell": (
            "innerhalb von 2 Sekunden",
            "vague_term",
            ("clarity", "measurability"),
            {"name": "antwortzeit", "op": "<=", "value": 2, "unit": "s"},
        ),
        "benutzerfreundlich": (
            "ohne Schulung von 90 % der Erstnutzer bedienbar",
            "vague_term",
            ("clarity", "measurability"),
            {"name": "erfolgsquote", "op": ">=", "value": 90, "unit": "%"},
        ),
        "und": ("; das System muss außerdem", "multiple_requirements", ("atomicity",), None),
    },
}
_FEEDBACK = {
    "en": ("Satisfied.", "Weakened by: {words}."),
    "de": ("Erfüllt.", "Geschwächt durch: {words}."),
}
_NUMBER = re.compile(r"\d")


def _hits(text: str, language: str) -> list[tuple[str, tuple[str, str, tuple[str, ...], Any]]]:
    return [(match.group(0), rule) for match, rule in _located(text, language)]


def _located(text: str, language: str) -> list[tuple[re.Match[str], Any]]:
    """The first whole-word occurrence of each known word, in text order."""
    found = []
    for word, rule in _REPLACEMENTS.get(language, _REPLACEMENTS["en"]).items():
        match = re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
        if match:
            found.append((match, rule))
    return sorted(found, key=lambda item: item[0].start())


def _replaced(text: str, language: str) -> str:
    """Every known word replaced where it stood (one pass, so a replacement is never
    replaced again, and "und" inside "Sekunden" stays)."""
    out, cursor = [], 0
    for match, (replacement, *_rest) in _located(text, language):
        before = text[cursor : match.start()]
        out += [before.rstrip() if replacement.startswith(";") else before, replacement]
        cursor = match.end()
    return "".join([*out, text[cursor:]])


def _one_replaced(text: str, match: re.Match[str], replacement: str) -> str:
    before = text[: match.start()]
    before = before.rstrip() if replacement.startswith(";") else before
    return before + replacement + text[match.end() :]


def _criterion(key: str, text: str, language: str) -> dict[str, Any]:
    own = [(fragment, rule) for fragment, rule in _hits(text, language) if key in rule[2]]
    score = 0.95 - 0.3 * len(own)
    if key == "measurability" and not _NUMBER.search(text):
        score = min(score, 0.4)
    ok, weak = _FEEDBACK.get(language, _FEEDBACK["en"])
    return {
        "criterion": key,
        "score": round(max(score, 0.05), 2),
        "feedback": weak.format(words=", ".join(f for f, _ in own)) if own else ok,
        "findings": [
            {"code": rule[1], "message": f"'{fragment}' -> '{rule[0]}'", "fragment": fragment}
            for fragment, rule in own
        ],
    }


def evaluate(payload: dict[str, Any]) -> dict[str, Any]:
    text, language = payload["requirement"], payload.get("language", "en")
    return {
        "results": [_criterion(c["key"], text, language) for c in payload.get("criteria", [])],
        "suggestions": [
            {"text": f"'{fragment}' -> '{rule[0]}'", "priority": "high"}
            for fragment, rule in _hits(text, language)
        ],
        "rewrite": _replaced(text, language),
    }


def suggest(payload: dict[str, Any]) -> dict[str, Any]:
    text, language = payload["requirement"], payload.get("language", "en")
    keys = [c["key"] for c in payload.get("criteria", [])]
    atoms = []
    for match, (replacement, code, hurt, metric) in _located(text, language):
        fragment = match.group(0)
        atoms.append(
            {
                "original_fragment": fragment,
                # A conforming model: the whole requirement with this one word replaced.
                "correction": _one_replaced(text, match, replacement),
                "needsInput": False,
                "question": None,
                "acceptance_criteria": [f"{code}: '{replacement}' verified by test"],
                "metrics": [metric] if metric else [],
                "criteria": {key: key in hurt for key in keys},
                "notes": code,
            }
        )
    return {"suggestions": atoms}


def rewrite(payload: dict[str, Any]) -> dict[str, Any]:
    return {"rewrite": _replaced(payload["requirement"], payload.get("language", "en"))}


def apply(payload: dict[str, Any]) -> dict[str, Any]:
    original, corrections = payload["requirement"], payload.get("corrections", [])

    rules = _REPLACEMENTS.get(payload.get("language", "en"), _REPLACEMENTS["en"])

    def applied(text: str, atom: dict[str, Any]) -> str:
        fragment = atom.get("original_fragment") or ""
        if not fragment:
            return text
        correction = str(atom.get("correction", ""))
        if correction.split()[:1] == original.split()[:1] and fragment.lower() in rules:
            correction = rules[fragment.lower()][0]  # a whole-text correction: its own rule
        pattern = re.compile(rf"(?<!\w){re.escape(fragment)}(?!\w)")
        return pattern.sub(lambda _m: correction, text, count=1)

    merged = original
    for atom in corrections:
        merged = applied(merged, atom)
    merged = re.sub(r"\s+;", ";", merged)
    if payload.get("mode") == "split":
        # One requirement per clause the corrections separated with ";".
        parts = [part.strip().rstrip(".") for part in merged.split(";") if part.strip()]
        return {"items": [f"{part[:1].upper()}{part[1:]}." for part in parts]}
    return {"items": [merged]}


# Sentences the mining rules skip (possibility, present tense) that this model calls
# requirements: what the LLM pass of core.mining exists for.
_FINDS = {
    "en": ("can", "supports", "provides", "allows"),
    "de": ("kann", "können", "unterstützt", "bietet", "ermöglicht"),
}
_SENTENCE_END = re.compile(r"(?<=[.!])\s+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def find(payload: dict[str, Any]) -> dict[str, Any]:
    """Every sentence of the document with one of the words above, quoted as written."""
    words = _FINDS.get(payload.get("language", "en"), _FINDS["en"])
    known = set(payload.get("known", []))
    found = []
    for line in payload["document"].splitlines():
        for sentence in _SENTENCE_END.split(_LIST_MARK.sub("", line).strip()):
            lowered = set(re.findall(r"\w+", sentence.lower()))
            if sentence and sentence not in known and lowered & set(words):
                found.append({"text": sentence, "kind": "functional"})
    return {"requirements": found}


ANSWERS = {
    "evaluate": evaluate,
    "suggest": suggest,
    "rewrite": rewrite,
    "apply": apply,
    "find": find,
}
# In json_object mode the task is recognised by the schema the client appends to the prompt.
_SCHEMA_MARKERS = {
    '"properties": {"results"': "evaluate",
    '"properties": {"suggestions"': "suggest",
    '"properties": {"rewrite"': "rewrite",
    '"properties": {"items"': "apply",
    '"properties": {"requirements"': "find",
}


def task_of(body: dict[str, Any]) -> str:
    """The task a chat request asks for: the json_schema name, else the schema in the prompt."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return str(response_format["json_schema"]["name"])
    system = next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
    return next((task for marker, task in _SCHEMA_MARKERS.items() if marker in system), "rewrite")


def answer(body: dict[str, Any]) -> str:
    """The JSON text a model would answer to this chat request."""
    payload = json.loads(body["messages"][-1]["content"])
    return json.dumps(ANSWERS[task_of(body)](payload), ensure_ascii=False)
