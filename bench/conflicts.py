"""Precision and recall of the duplicates and conflicts report (core.mining's find_pairs) on
labelled requirement pairs.

bench/data/conflicts/{de,en}.jsonl hold pairs written for this bench before the detector:
`{"label": "duplicate"|"conflict"|"unrelated", "a": ..., "b": ...}`, near duplicates (small
edits and paraphrases), conflicts (numeric bounds, polarity) and unrelated pairs that look
alike (the same subject with another action, a compatible range). All texts of a file are
sent as one set, as a specification would be, so a pair the detector reports across two
labelled pairs counts as a false positive too. `heldout/` holds pairs written at the same
time but never looked at while the rules were built; they are scored separately. The
thresholds are the settings' defaults (NEAR_DUPLICATE_THRESHOLD, CONFLICT_MIN_SIMILARITY).

    .venv/bin/python bench/conflicts.py [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from core.engines.base import Language  # noqa: E402
from core.mining import Pair, find_pairs  # noqa: E402
from core.settings import Settings  # noqa: E402

DATA = ROOT / "bench" / "data" / "conflicts"
KINDS = ("duplicate", "conflict")


@dataclass(frozen=True, slots=True)
class Score:
    """Counts of one kind: labelled pairs, reported pairs, reported labelled pairs."""

    labelled: int
    reported: int
    right: int

    @property
    def precision(self) -> float:
        return self.right / self.reported if self.reported else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.labelled if self.labelled else 1.0


def read_pairs(path: Path) -> tuple[list[str], dict[tuple[int, int], str]]:
    """The texts of a file in order (a, b of each line) and the label of each pair."""
    texts: list[str] = []
    labels: dict[tuple[int, int], str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels[(len(texts), len(texts) + 1)] = row["label"]
        texts += [row["a"], row["b"]]
    return texts, labels


def report(texts: list[str], language: Language) -> list[Pair]:
    """The detector's pairs with the shipped default thresholds."""
    fields = Settings.model_fields
    return find_pairs(
        texts,
        language=language,
        duplicate_threshold=float(fields["near_duplicate_threshold"].default),
        conflict_threshold=float(fields["conflict_min_similarity"].default),
    )


def score(path: Path, *, show: bool = False) -> dict[str, Score]:
    """Per kind, the score of one file; with `show`, print what went wrong."""
    texts, labels = read_pairs(path)
    language: Language = "de" if path.name.startswith("de") else "en"
    found = {(p.a, p.b): p for p in report(texts, language)}
    scores = {}
    for kind in KINDS:
        wanted = {pair for pair, label in labels.items() if label == kind}
        got = {pair for pair, p in found.items() if p.kind == kind}
        scores[kind] = Score(len(wanted), len(got), len(wanted & got))
        if show:
            for a, b in sorted(got - wanted):
                print(
                    f"  FP {kind} {path.name} {labels.get((a, b), 'cross')}: {found[(a, b)].reason}"
                )
                print(f"     {texts[a]} | {texts[b]}")
            for a, b in sorted(wanted - got):
                print(f"  FN {kind} {path.name}: {texts[a]} | {texts[b]}")
    return scores


def files(held_out: bool) -> list[Path]:
    return sorted((DATA / "heldout" if held_out else DATA).glob("*.jsonl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show", action="store_true", help="print the tuned sets' misses and false positives"
    )
    args = parser.parse_args()
    print(
        f"{'set':<10} {'file':<9} {'kind':<10} {'labelled':>8} {'reported':>8} {'right':>6} "
        f"{'precision':>9} {'recall':>7}"
    )
    for held_out in (False, True):
        for path in files(held_out):
            for kind, s in score(path, show=args.show and not held_out).items():
                print(
                    f"{'held-out' if held_out else 'tuned':<10} {path.name:<9} {kind:<10} "
                    f"{s.labelled:>8} {s.reported:>8} {s.right:>6} {s.precision:>9.3f} "
                    f"{s.recall:>7.3f}"
                )


if __name__ == "__main__":
    main()
