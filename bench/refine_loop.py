"""How far the refine loop gets on its own: suggest -> apply -> re-evaluate, no person asked.

Runs the service's refine (core.refine, the route's code, on a throw-away SQLite file) over
our own labelled verdict set (tests/data/verdict_set.json) and, for the requirements the
engine fails at first, prints per language: the share the loop turns into a pass without
input, the share that stops because only a person can go on (needs_input), the rest, the
mean number of rounds applied, and the share whose meaning survives: every word of the
original outside the fragments the engine flagged or changed is still in the final text
(actor, action and object are never among them).

    .venv/bin/python bench/refine_loop.py [--max-iterations 5]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import Counter
from pathlib import Path

from sqlmodel import Session

from core.catalogue import catalogue_keys
from core.contract.batch import RefineCreate, RefinePublic
from core.engines import heuristic
from core.engines.base import Language
from core.refine import refine
from core.runtime import open_store
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SET_PATH = ROOT / "tests" / "data" / "verdict_set.json"
WORD_RE = re.compile(r"\w+")
MIN_WORD = 4  # articles and short function words may move in a rewrite


def touched_spans(text: str, language: str) -> list[tuple[int, int]]:
    """Spans of the original that a finding flags or an atom may change."""
    lang: Language = "de" if language == "de" else "en"
    hits, _ears = heuristic.analyse(text, lang)
    # Hits that span most of the text (a missing modal, a long sentence) mask nothing.
    spans = [(h.start, h.end) for h in hits if h.end - h.start < len(text) / 2]
    for atom in heuristic.suggest(text, criteria=catalogue_keys(), language=lang):
        start = text.find(atom.original_fragment)
        if start >= 0 and len(atom.original_fragment) < len(text) / 2:  # not a split
            spans.append((start, start + len(atom.original_fragment)))
    return spans


def meaning_survives(original: str, final: str, language: str) -> bool:
    """Every longer word outside the touched spans is still in the final text."""
    spans = touched_spans(original, language)
    kept = {w.lower() for w in WORD_RE.findall(final)}
    return all(
        m.group().lower() in kept
        for m in WORD_RE.finditer(original)
        if len(m.group()) >= MIN_WORD and not any(s <= m.start() < e for s, e in spans)
    )


def run(max_iterations: int) -> None:
    items = json.loads(SET_PATH.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, sqlite_path=Path(tmp) / "bench.db")
        engine = open_store(settings)
        results: list[tuple[dict[str, str], RefinePublic]] = []
        with Session(engine) as session:
            for item in items:
                request = RefineCreate(
                    requirementText=item["text"],
                    context={"language": item["language"]},
                    maxIterations=max_iterations,
                )
                results.append(
                    (
                        item,
                        refine(session=session, settings=settings, request=request, variant="v2"),
                    )
                )
        engine.dispose()
    print(
        f"\nRefine loop on the labelled verdict set ({len(items)} requirements, all active "
        f"criteria, heuristic engine, maxIterations {max_iterations}), the ones failing at first"
    )
    print(
        "| language | failing at first | passed without input | needs_input | other stop "
        "| mean rounds applied | meaning survives |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for language in ("en", "de", "all"):
        failing = [
            (item, r)
            for item, r in results
            if language in (item["language"], "all") and r.iterations[0].verdict == "fail"
        ]
        stops = Counter(r.stop_reason for _, r in failing)
        n = len(failing)
        rounds = sum(len(r.iterations) - 1 for _, r in failing) / n
        survives = sum(meaning_survives(i["text"], r.final_text, i["language"]) for i, r in failing)
        other = n - stops["passed"] - stops["needs_input"]
        print(
            f"| {language} | {n} | {stops['passed'] / n:.1%} | {stops['needs_input'] / n:.1%} "
            f"| {other / n:.1%} | {rounds:.2f} | {survives / n:.1%} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-iterations", type=int, default=5)
    run(parser.parse_args().max_iterations)


if __name__ == "__main__":
    main()
