"""Applying suggestion atoms to a requirement text, without a model: merge and split.

An atom's `correction` is the complete requirement with its one defect fixed (DESIGN §6),
so a client may put it in place of the whole text. merge turns every atom into the edit it
makes, the span where the correction differs from the original, and makes all of them
that do not overlap, in atom order: several atoms combine into one text. Atoms of older
clients, whose correction replaces only `original_fragment`, still apply (first
occurrence, whole words); an atom whose fragment is the whole text is a complete rewrite.

split: the merged text cut into its sentences once an atomicity atom has split it, and at
the legacy split points (atomicity atoms whose correction equals their fragment, the
joining "and"/"und"), each part repeating the subject and modal verb of the first.
Pure text functions: no store, no engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.atoms import SuggestionAtom
from core.engines.heuristic._lexicon import load

SPLIT_CRITERION = "atomicity"
# The modal verbs of both languages' lexicons, longest first (one word each).
_MODALS = "|".join(
    re.escape(word)
    for word in sorted(load("en").words("modal_words") | load("de").words("modal_words"), key=len)[
        ::-1
    ]
)
# Subject and modal verb of a requirement ("The application shall"), repeated in split parts.
_LEAD = re.compile(rf"^(.*?\b(?:{_MODALS})\b)\s", re.I)
_MODAL_FIRST = re.compile(rf"^(?:{_MODALS})\b", re.I)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ\[\"'„])")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[,.;:!?])")
# Characters a fix may touch beside its fragment (the comma before a deleted loophole).
_SLACK = 2
Edit = tuple[int, int, str]


def tidy(text: str) -> str:
    """Collapse the doubled spaces and stray commas that deleting words leaves behind."""
    return _SPACE_BEFORE_PUNCT.sub("", _SPACES.sub(" ", text)).replace(",,", ",")


def is_split_point(atom: SuggestionAtom) -> bool:
    """An atomicity atom that changes nothing itself marks where to cut (older clients)."""
    fragment = atom.original_fragment.strip()
    return (
        bool(fragment) and SPLIT_CRITERION in atom.criteria and atom.correction.strip() == fragment
    )


def edit_of(text: str, atom: SuggestionAtom) -> Edit | None:
    """The span of `text` the atom replaces and its replacement; None for advice."""
    fragment, correction = atom.original_fragment.strip(), atom.correction.strip()
    if not fragment or is_split_point(atom):
        return None
    start, end = _differing_span(text, correction)
    if correction and end - start <= len(fragment) + _SLACK:
        # The span that really changes, even when the fragment is the whole text: a split
        # changes only its joint, so it combines with an atom elsewhere in the sentence.
        return start, end, correction[start : len(correction) - (len(text) - end)]
    if fragment == text.strip():
        return (0, len(text), correction) if correction else None
    whole = _reads_as_whole(text, correction)
    found = _whole_words(fragment).search(text)
    if found is not None and not whole:
        return found.start(), found.end(), atom.correction
    # A correction that reads as the whole requirement but changes more than its fragment.
    return (0, len(text), correction) if whole else None


def _reads_as_whole(text: str, correction: str) -> bool:
    """A correction that starts like the requirement and is at least half as long is a
    complete text, not a replacement for the fragment alone."""
    first = text.split(maxsplit=1)[:1]
    return (
        bool(first)
        and correction.split(maxsplit=1)[:1] == first
        and len(correction) >= len(text) / 2
    )


def _differing_span(text: str, correction: str) -> tuple[int, int]:
    """[start, end) of text outside the longest common prefix and suffix with correction."""
    head, tail = common_affixes(text, correction)
    return head, len(text) - tail


def common_affixes(a: str, b: str) -> tuple[int, int]:
    """Lengths of the longest common prefix and, in what is left, common suffix of a and b.

    Binary search over slice comparisons: the character work runs in C, so it stays fast on
    long texts (a Python loop per character cost 77 us on a sentence).
    """
    limit = min(len(a), len(b))
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    head = lo
    lo, hi = 0, limit - head
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return head, lo


def _whole_words(fragment: str) -> re.Pattern[str]:
    # Word boundaries only at word-character edges: "may" leaves "mayor" alone, while
    # ", if possible" still matches right after a word.
    before = r"(?<!\w)" if re.match(r"\w", fragment) else ""
    after = r"(?!\w)" if re.search(r"\w$", fragment) else ""
    return re.compile(before + re.escape(fragment) + after)


def merge(text: str, atoms: Sequence[SuggestionAtom]) -> str:
    """Every atom's edit that does not overlap an earlier atom's, made on one text."""
    chosen: list[Edit] = []
    for atom in atoms:
        edit = edit_of(text, atom)
        if edit is not None and not any(_overlap(edit, other) for other in chosen):
            chosen.append(edit)
    if not chosen:
        return text.strip()
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in sorted(chosen):
        pieces += [text[cursor:start], replacement]
        cursor = end
    pieces.append(text[cursor:])
    return tidy("".join(pieces)).strip()


def _overlap(a: Edit, b: Edit) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions collide only at the same point
        return a[0] == b[0] or (b[0] < a[0] < b[1]) or (a[0] < b[0] < a[1])
    return a[0] < b[1] and b[0] < a[1]


def _sentence(part: str) -> str:
    part = part.strip().rstrip(".,;")
    return f"{part[:1].upper()}{part[1:]}." if part else ""


def split_sentence(
    text: str, start: int, end: int, binding: dict[str, str] | None = None
) -> str | None:
    """The sentence `text` cut at the conjunction text[start:end] into two sentences; each
    names the subject and modal verb, and a verb or object the two parts shared goes to
    both ('shall display and print the receipt', 'muss die Daten speichern und anzeigen').
    `binding` maps a weak modal to the binding one the repeated subject gets ('should' ->
    'shall'), so the new sentence does not copy a defect."""
    left, right = text[:start].rstrip(" ,"), text[end:].strip()
    lead = _LEAD.match(left + " ")
    if lead is None or not left or not right.rstrip(".!? "):
        return None
    lead_text = lead.group(1)
    subject, _, modal = lead_text.rpartition(" ")
    if binding and modal.lower() in binding:
        lead_text = f"{subject} {binding[modal.lower()]}".strip()
    left_words, right_words = left.split(), right.rstrip(".!? ").split()
    modal_ends_left = _MODAL_FIRST.match(left_words[-2]) if len(left_words) >= 2 else None
    if len(right_words) == 1 and not modal_ends_left:
        middle = left_words[len(lead_text.split()) : -1]  # "speichern und anzeigen"
        second = " ".join([lead_text, *middle, right_words[0]])
    elif _MODAL_FIRST.match(right):
        second = f"{subject} {right}"  # "and shall print"
    elif _LEAD.match(right + " "):
        second = right
    else:
        second = f"{lead_text} {right}"
    first = left
    if modal_ends_left and len(right_words) > 1:
        first = " ".join([left, *right_words[1:]])  # "shall display and print the receipt"
    return f"{_sentence(first)} {_sentence(second)}"


def split(text: str, atoms: Sequence[SuggestionAtom]) -> list[str]:
    """The merged text cut into its requirements; one text when there is nothing to cut."""
    merged = merge(text, atoms)
    joints = sorted(
        {a.original_fragment.strip() for a in atoms if is_split_point(a)}, key=len, reverse=True
    )
    parts = [merged]
    if joints:
        pattern = re.compile(r"\s*,?\s+(?:" + "|".join(re.escape(j) for j in joints) + r")\s+")
        cut = [part for part in pattern.split(merged) if part.strip()]
        if len(cut) >= 2:
            lead = _LEAD.match(cut[0])
            prefix = lead.group(1) if lead else ""
            parts = [cut[0]] + [
                p if _LEAD.match(p) or not prefix else f"{prefix} {p.strip()}" for p in cut[1:]
            ]
    if any(SPLIT_CRITERION in a.criteria and not is_split_point(a) for a in atoms):
        parts = [s for part in parts for s in _SENTENCE_BREAK.split(part)]
    return [sentence for sentence in (_sentence(p) for p in parts) if sentence]


def apply_atoms(text: str, atoms: Sequence[SuggestionAtom], mode: str) -> list[str]:
    """The redefined requirement(s): one for merge, one or more for split."""
    return [merge(text, atoms)] if mode == "merge" else split(text, atoms)
