"""A client of the original system, played on v1, v2 and the gateway forced to each.

What such a client does (DESIGN §6): validate/batch with includeSuggestions, put an atom's
`correction` in place of the requirement when a person accepts it, send the atoms on to
corrections/apply (merge) when a person promotes several, and validate again. No step may
answer 4xx, every text it ends up with must be a complete requirement, no atom may be a
no-op, and every target must return the same JSON.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.utils.targets import Target, normalized

VALIDATE = "/api/v1/validate/batch"
APPLY = "/api/v1/corrections/apply"
TEXTS = [
    "The uploader shall finish as fast as possible.",
    "The new importer shall be faster than the current one.",
    "Der Export kann bei Bedarf eine Zusammenfassung erzeugen.",
    "Der Server muss stabil laufen.",
    "The service shall work reliably.",
    "The log shall be archived if feasible.",
    "The backup shall not lose records.",
    "The gateway forwards the order and then it is stored and a mail is sent.",
    "Das System sollte schnell und benutzerfreundlich sein.",
    "The system shall display the balance and shall print the receipt.",
    "Das System soll die Daten speichern und anzeigen.",
    "In order to save power, the display should dim after 30 s.",
]
CHUNK = 5
WORD = re.compile(r"\w+")


def _complete(text: str, original: str, atoms: list[dict[str, Any]]) -> bool:
    """A requirement, not a fragment or an advice line: whole sentences (capital start, full
    stop, at least three words) that keep every word of the original the atoms did not
    target (actor, action and object survive)."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])", text.strip()) if s]
    whole = bool(sentences) and all(
        s[:1].isupper() and s.endswith(".") and len(s.split()) >= 3 for s in sentences
    )
    rest = original
    for atom in atoms:
        rest = rest.replace(atom["original_fragment"], " ")
    kept = {w.lower() for w in WORD.findall(text)}
    return whole and all(w.lower() in kept for w in WORD.findall(rest))


def _ok(target: Target, path: str, body: Any) -> Any:
    reply = target.request("POST", path, json=body)
    assert reply.status == 200, (path, reply.status, reply.body)
    return reply.body


def _validate(target: Target, texts: list[str]) -> list[Any]:
    """validate/batch in chunks the contract settings allow (MAX_BATCH_ITEMS)."""
    items: list[Any] = []
    for at in range(0, len(texts), CHUNK):
        body = {"items": texts[at : at + CHUNK], "includeSuggestions": True}
        items += _ok(target, VALIDATE, body)
    return items


def _session(target: Target) -> list[dict[str, Any]]:
    """One client session: what it sent and read at each step, for the parity check."""
    first = _validate(target, TEXTS)
    steps: list[dict[str, Any]] = [first]
    for text, item in zip(TEXTS, first, strict=True):
        atoms = item["suggestions"]
        assert isinstance(atoms, list)
        if not atoms:
            continue
        accepted = atoms[0]["correction"]
        merged = _ok(
            target,
            APPLY,
            {"originalText": text, "selectedSuggestions": atoms, "mode": "merge"},
        )["items"][0]["redefinedRequirement"]
        again = _ok(target, VALIDATE, {"items": [accepted, merged], "includeSuggestions": True})
        steps.append(
            {"text": text, "atoms": atoms, "accepted": accepted, "merged": merged, "again": again}
        )
    return steps


def test_original_client_round_trip_applies_cleanly(target: Target) -> None:
    steps = _session(target)
    first = steps[0]
    for text, item in zip(TEXTS, first, strict=True):
        assert item["status"] == "rejected", text  # every text has a real defect
        for atom in item["suggestions"]:
            assert atom["correction"].strip() != text, atom  # no atom is a no-op
            assert atom["original_fragment"] and atom["original_fragment"] in text
            if atom.get("needsInput"):
                assert atom["question"] and atom["correction"].count("[") == 1
            assert _complete(atom["correction"], text, [atom]), atom["correction"]
    assert len(steps) > len(TEXTS) // 2
    for step in steps[1:]:
        assert _complete(step["accepted"], step["text"], step["atoms"][:1]), step
        assert _complete(step["merged"], step["text"], step["atoms"]), step
        assert step["merged"] != step["text"]
        for item in step["again"]:
            for atom in item["suggestions"]:
                assert atom["correction"].strip() != item["originalText"].strip()


@pytest.mark.parametrize(
    ("index", "mode", "parts"), [(2, "merge", 1), (5, "merge", 1), (9, "split", 2)]
)
def test_original_client_applying_what_needs_no_input_passes(
    target: Target, index: int, mode: str, parts: int
) -> None:
    """Atoms that need no input fix the text on their own: applied together, the loophole
    and the weak modal are gone, two requirements become two, and every result passes."""
    text = TEXTS[index]
    (item,) = _ok(target, VALIDATE, {"items": [text], "includeSuggestions": True})
    ready = [a for a in item["suggestions"] if not a.get("needsInput")]
    body = {"originalText": text, "selectedSuggestions": ready, "mode": mode}
    applied = [i["redefinedRequirement"] for i in _ok(target, APPLY, body)["items"]]
    assert len(applied) == parts
    for again in _ok(target, VALIDATE, {"items": applied}):
        assert again["verdict"] == "pass", (applied, again["evaluation"])


def test_original_client_same_json_on_every_target(all_targets: list[Target]) -> None:
    sessions = {target.name: normalized(_session(target)) for target in all_targets}
    reference = sessions["flask-v1"]
    for name, session in sessions.items():
        assert session == reference, f"{name} differs from flask-v1"
