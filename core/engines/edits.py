"""Applying suggestion atoms to a requirement text, without a model: merge and split.

merge: each atom's `original_fragment` is replaced by its `correction`, first occurrence, whole
words only (an atom whose fragment is the whole text is a complete rewrite; one without a
fragment is advice and changes nothing). split: the merged text is cut at the split points,
atomicity atoms whose correction equals their fragment (the joining "and"/"und"), each part
repeating the subject and modal verb of the first. Pure text functions: no store, no engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from core.atoms import SuggestionAtom
from core.engines.heuristic import tidy

SPLIT_CRITERION = "atomicity"
# Subject and modal verb of a requirement ("The application shall"), repeated in split parts.
_LEAD = re.compile(
    r"^(.*?\b(?:shall|must|will|should|muss|müssen|soll|sollen|wird|werden|sollte)\b)\s", re.I
)


def is_split_point(atom: SuggestionAtom) -> bool:
    """An atomicity atom that changes nothing itself marks where to cut."""
    fragment = atom.original_fragment.strip()
    return (
        bool(fragment) and SPLIT_CRITERION in atom.criteria and atom.correction.strip() == fragment
    )


def _whole_words(fragment: str) -> re.Pattern[str]:
    # Word boundaries only at word-character edges: "may" leaves "mayor" alone, while
    # ", if possible" still matches right after a word.
    before = r"(?<!\w)" if re.match(r"\w", fragment) else ""
    after = r"(?!\w)" if re.search(r"\w$", fragment) else ""
    return re.compile(before + re.escape(fragment) + after)


def merge(text: str, atoms: Sequence[SuggestionAtom]) -> str:
    """Every atom applied in order to one text."""
    changed = False
    for atom in atoms:
        fragment = atom.original_fragment.strip()
        if not fragment or is_split_point(atom):
            continue
        if fragment == text.strip():
            text, changed = atom.correction.strip(), True
        elif fragment in text:
            replaced = _whole_words(fragment).sub(_verbatim(atom.correction), text, count=1)
            changed, text = changed or replaced != text, replaced
    return tidy(text).strip() if changed else text.strip()


def _verbatim(replacement: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement used as is: a plain string would expand backslashes and \\1."""
    return lambda _match: replacement


def _sentence(part: str) -> str:
    part = part.strip().rstrip(".,;")
    return f"{part[:1].upper()}{part[1:]}." if part else ""


def split(text: str, atoms: Sequence[SuggestionAtom]) -> list[str]:
    """The merged text cut at the split points; one text when there are none."""
    merged = merge(text, atoms)
    joints = sorted(
        {a.original_fragment.strip() for a in atoms if is_split_point(a)}, key=len, reverse=True
    )
    if not joints:
        return [merged]
    pattern = re.compile(r"\s*,?\s+(?:" + "|".join(re.escape(j) for j in joints) + r")\s+")
    parts = [part for part in pattern.split(merged) if part.strip()]
    if len(parts) < 2:
        return [merged]
    lead = _LEAD.match(parts[0])
    prefix = lead.group(1) if lead else ""
    out = [_sentence(parts[0])]
    out += [
        _sentence(p if _LEAD.match(p) or not prefix else f"{prefix} {p.strip()}") for p in parts[1:]
    ]
    return [sentence for sentence in out if sentence]


def apply_atoms(text: str, atoms: Sequence[SuggestionAtom], mode: str) -> list[str]:
    """The redefined requirement(s): one for merge, one or more for split."""
    return [merge(text, atoms)] if mode == "merge" else split(text, atoms)
