"""Precision and recall of requirement mining (core.mining) on marked specification documents.

The documents in bench/data/mining/ are specification-like prose written for this bench
(headings, notes, lists, tables, abbreviations, numbers, requirements in several styles and
non-requirements that look like them). A requirement is marked by `[[f]]`, `[[q]]` or
`[[c]]` (its kind) right where its sentence starts; the markers are stripped before mining,
so the miner never sees them. A candidate matches a marked requirement when it starts on
the same line and holds at least half of the words that follow the marker on that line;
each marked requirement matches at most one candidate. `heldout/` holds documents written
after the rules were tuned, scored separately.

    .venv/bin/python bench/mining.py [--show]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from core.mining import Candidate, mine  # noqa: E402

DATA = ROOT / "bench" / "data" / "mining"
MARKER = re.compile(r"\[\[([fqc])\]\]")
KINDS = {"f": "functional", "q": "quality", "c": "constraint"}
WORD = re.compile(r"\w+")
MIN_OVERLAP = 0.5


@dataclass(frozen=True, slots=True)
class Marked:
    """A requirement as the author marked it: line, the words after the marker, kind."""

    line: int
    text: str
    kind: str


@dataclass(frozen=True, slots=True)
class Score:
    """Counts for one document (or a sum of documents)."""

    marked: int
    mined: int
    matched: int
    kind_right: int

    @property
    def precision(self) -> float:
        return self.matched / self.mined if self.mined else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.marked if self.marked else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.marked + other.marked,
            self.mined + other.mined,
            self.matched + other.matched,
            self.kind_right + other.kind_right,
        )


def read_marked(path: Path) -> tuple[str, list[Marked]]:
    """The document as the miner sees it (markers stripped) and its marked requirements."""
    clean, marked = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        pieces = MARKER.split(line)
        for k in range(1, len(pieces), 2):
            if not WORD.search(pieces[k + 1]):  # a marker goes where its sentence starts
                raise ValueError(f"{path.name}:{number}: a marker without text after it")
            marked.append(Marked(number, pieces[k + 1], KINDS[pieces[k]]))
        clean.append(MARKER.sub("", line))
    return "\n".join(clean) + "\n", marked


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def _matches(candidate: Candidate, marked: Marked) -> bool:
    wanted = _words(marked.text)
    if candidate.line != marked.line or not wanted:
        return False
    return len(wanted & _words(candidate.text)) >= MIN_OVERLAP * len(wanted)


def pair(
    candidates: list[Candidate], marked: list[Marked]
) -> tuple[list[tuple[Candidate, Marked]], list[Candidate], list[Marked]]:
    """Matched pairs, unmatched candidates (false positives), unmatched marks (misses)."""
    free = list(marked)
    pairs, extra = [], []
    for candidate in candidates:
        hit = next((m for m in free if _matches(candidate, m)), None)
        if hit is None:
            extra.append(candidate)
        else:
            free.remove(hit)
            pairs.append((candidate, hit))
    return pairs, extra, free


def score_document(path: Path, *, show: bool = False) -> Score:
    """Mine one marked document and count; with `show`, print what did not match."""
    text, marked = read_marked(path)
    candidates = mine(text, source=path.name)
    pairs, extra, missed = pair(candidates, marked)
    if show:
        for c in extra:
            print(f"  FP {path.name}:{c.line} [{c.modal}] {c.text}")
        for m in missed:
            print(f"  FN {path.name}:{m.line} {m.text}")
        for c, m in pairs:
            if c.kind != m.kind:
                print(f"  KIND {path.name}:{c.line} {c.kind} != {m.kind}: {c.text}")
    right = sum(c.kind == m.kind for c, m in pairs)
    return Score(len(marked), len(candidates), len(pairs), right)


def documents(held_out: bool) -> list[Path]:
    """The tuned documents, or the held-out ones."""
    return sorted((DATA / "heldout" if held_out else DATA).glob("*.md"))


def language_of(path: Path) -> str:
    return path.name.split("_", 1)[0]


def by_language(held_out: bool) -> dict[str, Score]:
    """Summed scores per language (de, en)."""
    totals: dict[str, Score] = {}
    for path in documents(held_out):
        score = score_document(path)
        lang = language_of(path)
        totals[lang] = totals[lang] + score if lang in totals else score
    return totals


def _row(name: str, s: Score) -> str:
    kind = s.kind_right / s.matched if s.matched else 1.0
    return (
        f"{name:<28} {s.marked:>6} {s.mined:>6} {s.matched:>7} "
        f"{s.precision:>9.3f} {s.recall:>7.3f} {kind:>9.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print misses and false positives")
    args = parser.parse_args()
    header = f"{'document':<28} {'marked':>6} {'mined':>6} {'matched':>7} {'precision':>9} "
    header += f"{'recall':>7} {'kind acc':>9}"
    for held_out in (False, True):
        print("held-out documents" if held_out else "tuned documents")
        print(header)
        for path in documents(held_out):
            print(_row(path.name, score_document(path, show=args.show)))
        for lang, total in sorted(by_language(held_out).items()):
            print(_row(f"all {lang}", total))
        print()


if __name__ == "__main__":
    main()
