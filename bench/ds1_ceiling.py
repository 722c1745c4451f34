"""How far a general-purpose engine can go on ARTA DS1's three dictionary-driven smells.

Issue 4 asks to beat ARTA on every DS1 smell. On subjective language, ambiguous adverbs and
adjectives and non-verifiable terms the engine does not. This script prints the evidence for
why, so the claim can be checked rather than believed:

1. the trivial baseline (flag every requirement);
2. the best F1 any re-mapping of the engine's lexical finding codes reaches (exhaustive search
   over every set of up to four codes, an optimistic bound since it is fitted on DS1 itself);
3. how concentrated the gold labels are: the share of positives carried by the five most
   frequent gold trigger words, and the share of ARTA's true positives whose trigger is exactly
   the gold trigger (both tools came out of the same labelling UI and dictionary);
4. with --lexicon-xml, a published general subjectivity lexicon (the Pattern/TextBlob
   `en-sentiment.xml`, PDDL) as a subjective-language detector, alone and added to the engine,
   at several subjectivity thresholds.

Measures only; nothing from the dataset is stored in the repository.

    .venv/bin/python bench/ds1_ceiling.py [--data DIR] [--lexicon-xml en-sentiment.xml]
"""

from __future__ import annotations

import argparse
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

from heuristic_quality import ROOT, confusion, prf, read_csv

from core.engines.heuristic import analyse

HARD_SMELLS = ("Subjective_lang.", "Ambiguous_adv._adj.", "Nonverifiable_term")
# Every code whose findings are word-list hits of vague, subjective or open-ended wording.
LEXICAL_CODES = (
    "subjective_term",
    "vague_term",
    "vague_adverb",
    "nonverifiable_term",
    "unbounded_objective",
    "loophole",
    "vague_quantifier",
    "weak_phrase",
    "filler",
    "vague_reference",
    "missing_measure",
)
MAX_CODES = 4
WORD_RE = re.compile(r"[a-z][a-z\-]*")


def triggers(cell: str) -> list[str]:
    """The trigger words of one label cell ('-' means none; several are joined by '*')."""
    cell = cell.strip().lower()
    return [] if cell == "-" else [w.strip(" ,") for w in cell.split("*") if w.strip(" ,")]


def f1_of(truth: list[bool], pred: list[bool]) -> str:
    return "{:.2f}/{:.2f}/{:.3f}".format(*prf(*confusion(truth, pred)))


def baselines(
    gold: list[dict[str, str]], arta: list[dict[str, str]], codes: list[set[str]]
) -> None:
    print("\nDS1: ARTA, flag-all and the best re-mapping of the engine's codes (P/R/F1)")
    print("| smell | gold+ | ARTA | flag all | best mapping | codes of the best mapping |")
    print("|---|---:|---:|---:|---:|---|")
    for col in HARD_SMELLS:
        truth = [triggers(r[col]) != [] for r in gold]
        best = max(
            (prf(*confusion(truth, [bool(c & set(subset)) for c in codes]))[2], subset)
            for k in range(1, MAX_CODES + 1)
            for subset in combinations(LEXICAL_CODES, k)
        )
        best_pred = [bool(c & set(best[1])) for c in codes]
        print(
            f"| {col} | {sum(truth)} | {f1_of(truth, [triggers(r[col]) != [] for r in arta])} | "
            f"{f1_of(truth, [True] * len(truth))} | {f1_of(truth, best_pred)} | "
            f"{', '.join(best[1])} |"
        )


def concentration(gold: list[dict[str, str]], arta: list[dict[str, str]]) -> None:
    print("\nDS1: how concentrated the gold triggers are, and how often ARTA hits the same word")
    print("| smell | distinct triggers | positives with a top-5 trigger | ARTA TPs, same trigger |")
    print("|---|---:|---:|---:|")
    for col in HARD_SMELLS:
        counts = Counter(w for r in gold for w in set(triggers(r[col])))
        top5 = {w for w, _ in counts.most_common(5)}
        positives = [r for r in gold if triggers(r[col])]
        carried = sum(bool(top5 & set(triggers(r[col]))) for r in positives)
        true_pos = [
            (g, a) for g, a in zip(gold, arta, strict=True) if triggers(g[col]) and triggers(a[col])
        ]
        same = sum(bool(set(triggers(g[col])) & set(triggers(a[col]))) for g, a in true_pos)
        print(
            f"| {col} | {len(counts)} | {carried}/{len(positives)} "
            f"({carried / len(positives):.0%}; {', '.join(sorted(top5))}) | "
            f"{same}/{len(true_pos)} ({same / len(true_pos):.0%}) |"
        )


def subjectivity_lexicon(gold: list[dict[str, str]], codes: list[set[str]], xml_path: Path) -> None:
    """A published adjective subjectivity lexicon as the subjective-language detector."""
    senses: dict[str, list[float]] = defaultdict(list)
    for word in ET.parse(xml_path).getroot().iter("word"):
        senses[word.get("form", "").lower()].append(float(word.get("subjectivity", "0")))
    words = [set(WORD_RE.findall(r["Requirement_text"].lower())) for r in gold]
    ours = ["subjective_term" in c for c in codes]
    truth = [triggers(r["Subjective_lang."]) != [] for r in gold]
    print(f"\nDS1 subjective language with the general lexicon {xml_path.name} (P/R/F1)")
    print("| mean subjectivity >= | words | lexicon alone | lexicon + engine |")
    print("|---:|---:|---:|---:|")
    for threshold in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
        lexicon = {w for w, s in senses.items() if sum(s) / len(s) >= threshold}
        alone = [bool(lexicon & ws) for ws in words]
        both = [a or o for a, o in zip(alone, ours, strict=True)]
        row = f"| {threshold:.1f} | {len(lexicon)} | {f1_of(truth, alone)} | {f1_of(truth, both)} |"
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--lexicon-xml", type=Path, default=None)
    args = parser.parse_args()
    folder = args.data / "arta-smells"
    gold = read_csv(folder / "DS1.csv")
    arta = read_csv(folder / "baselines" / "DS1_pred_ARTA.csv")
    # The engine's finding codes per requirement, computed once for every table.
    codes = [{h.code for h in analyse(r["Requirement_text"], "en")[0]} for r in gold]
    baselines(gold, arta, codes)
    concentration(gold, arta)
    if args.lexicon_xml:
        subjectivity_lexicon(gold, codes, args.lexicon_xml)


if __name__ == "__main__":
    main()
