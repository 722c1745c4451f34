"""Fixes: for each finding, the edit that removes its defect from the text.

A fix replaces one span of the text. It either resolves the defect on its own (a binding
modal, a loophole deleted, two requirements split into two sentences) or, where only a
person knows the missing fact (a bound, a unit, an actor, a reference), it puts one clear
placeholder where that fact belongs and says which question answers it (`needs_input`).
The vague word is replaced, never kept beside a note. The wording of placeholders and
questions is the lexicon's "fixes" table; a finding without an entry there, or whose fix
would change nothing, gets no fix (its advice stays in the evaluation's suggestions).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from core.engines.base import Language
from core.engines.edits import common_affixes, split_sentence, tidy
from core.engines.heuristic._hits import Hit
from core.engines.heuristic._lexicon import Lexicon, load

CLAUSE_END_RE = re.compile(r"[,;:.!?]|$")
SENTENCE_END_RE = re.compile(r"[.!?](?:\s|$)|$")
WORD_RE = re.compile(r"[^\W\d_][\w'-]*")
# Codes whose fix deletes the fragment ("if possible", "basically").
DELETED = frozenset({"loophole", "filler"})
# Codes whose fix cuts the text into two sentences: still two requirements in one text
# until apply(split) makes them two.
SPLITTING = frozenset({"multiple_requirements"})
# Codes whose fix swaps the fragment for the lexicon's binding form ("should" -> "shall").
SWAPPED = frozenset({"weak_modal", "weak_phrase", "ambiguous_modal"})


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace text[start:end] with `replacement`; `question` is set when a person must
    answer it to fill the placeholder the replacement carries."""

    start: int
    end: int
    replacement: str
    question: str | None = None

    @property
    def needs_input(self) -> bool:
        return self.question is not None

    def applied_to(self, text: str) -> str:
        """The whole text with this fix made."""
        return tidy(text[: self.start] + self.replacement + text[self.end :]).strip()


def fix_for(text: str, hit: Hit, lex: Lexicon) -> Fix | None:
    """The fix for one finding, or None when it has none."""
    fragment = text[hit.start : hit.end]
    if hit.code in SWAPPED:
        return _swap(hit, fragment, hit.hint)
    if hit.code == "mixed_modals":
        return _swap(hit, fragment, hit.other)
    if hit.code in DELETED:
        return _reordered(text, _deletion(text, hit.start, hit.end), lex)
    if hit.code == "rationale":
        return _deletion(text, hit.start, _clause_end(text, hit.end), keep_comma=False)
    if hit.code == "extra_sentence":
        return _deletion(text, hit.start, _sentence_end(text, hit.end))
    if hit.code == "multiple_requirements":
        return _split(text, hit, lex)
    if hit.code == "missing_modal":
        return _binding_modal(text, hit, lex)
    return _gap(text, hit, lex)


def _swap(hit: Hit, fragment: str, replacement: str) -> Fix | None:
    if not replacement or "..." in replacement or replacement.lower() == fragment.lower():
        return None
    return Fix(hit.start, hit.end, _match_case(fragment, replacement))


def _deletion(text: str, start: int, end: int, *, keep_comma: bool = True) -> Fix | None:
    """Delete [start, end) with the comma that set it off, so the sentence still reads (and
    keep the full stop of a deleted 'etc.' that ended it)."""
    if text[start:end].endswith(".") and not text[end:].strip():
        before = text[:start].rstrip()
        cut = len(before) - 1 if before.endswith(",") else start
        return Fix(cut, end, ".")
    before = text[:start].rstrip()
    if before.endswith(",") and keep_comma:
        return Fix(len(before) - 1, end, "")
    after = text[end:]
    stripped = after.lstrip()
    if stripped.startswith(","):
        end += len(after) - len(stripped) + 1
    if start == 0:
        # Deleting the opening words: the new first word starts the sentence.
        rest = text[end:].lstrip()
        if not rest:
            return None
        word = WORD_RE.match(rest)
        first_word = word.group() if word else rest[:1]
        first = len(text) - len(rest)
        return Fix(0, first + len(first_word), first_word[:1].upper() + first_word[1:])
    return Fix(start, end, "")


def _reordered(text: str, fix: Fix | None, lex: Lexicon) -> Fix | None:
    """German puts the finite verb second: once a fronted 'Bei Bedarf' is deleted, 'Muss das
    System ...' must become 'Das System muss ...' (subject: up to its first noun)."""
    if fix is None or fix.start != 0 or not lex.data.get("verb_second"):
        return fix
    rest = fix.replacement + text[fix.end :]
    words = rest.split(" ")
    if len(words) < 3 or words[0].lower() not in lex.words("modal_words"):
        return fix
    noun = next((i for i in range(2, len(words)) if words[i][:1].isupper()), None)
    if noun is None:
        return fix
    subject = " ".join(words[1 : noun + 1])
    moved = f"{subject[:1].upper()}{subject[1:]} {words[0].lower()} {' '.join(words[noun + 1 :])}"
    return Fix(0, len(text), moved)


def _split(text: str, hit: Hit, lex: Lexicon) -> Fix | None:
    """'... shall A and shall B' -> two sentences, the second repeating subject and the
    binding modal."""
    if text[hit.start : hit.end].strip().lower() in lex.words("modal_words"):
        return None  # the modal of a further sentence: the sentences are already apart
    end = _sentence_end(text, hit.end)
    start = _sentence_start(text, hit.start)
    split = split_sentence(
        text[start:end], hit.start - start, hit.end - start, _binding_modals(lex)
    )
    return None if split is None else _narrowed(text, start, end, split)


def _narrowed(text: str, start: int, end: int, replacement: str) -> Fix:
    """The fix reduced to the characters it really changes (the joint of a split, not the
    whole sentence), so it does not collide with a fix elsewhere in the sentence."""
    old = text[start:end]
    head, tail = common_affixes(old, replacement)
    # Whole words: widen to the word edges, so the fragment reads as words ("and").
    while head > 0 and old[head - 1].isalnum():
        head -= 1
    while tail > 0 and old[len(old) - tail].isalnum():
        tail -= 1
    return Fix(start + head, end - tail, replacement[head : len(replacement) - tail])


def _binding_modals(lex: Lexicon) -> dict[str, str]:
    return _binding_modals_of(lex.language)


@cache
def _binding_modals_of(language: Language) -> dict[str, str]:
    """Weak modal -> the binding one that replaces it, where both are one word."""
    terms = load(language).data["terms"]
    entries = [*terms["weak_modal"], *terms.get("ambiguous_modal", [])]
    return {
        entry["t"]: entry["hint"]
        for entry in entries
        if isinstance(entry, dict) and " " not in entry["t"] and " " not in entry.get("hint", " ")
    }


def _binding_modal(text: str, hit: Hit, lex: Lexicon) -> Fix | None:
    """'The gateway forwards the order' -> 'The gateway shall forward the order': the first
    verb the lexicon knows, in its third-person form, becomes modal + base form. Languages
    whose verbs move (German: 'muss ... weiterleiten') get no mechanical fix."""
    rule = lex.data.get("fixes", {}).get("missing_modal")
    if not rule:
        return None
    verbs = lex.words("verbs")
    irregular: dict[str, str] = rule["irregular"]
    for m in WORD_RE.finditer(text, hit.start, hit.end):
        word = m.group().lower()
        base = irregular.get(word) or _base_form(word, verbs)
        if base is not None and m.start() > hit.start:
            return Fix(m.start(), m.end(), f"{rule['modal']} {base}")
    return None


def _base_form(word: str, verbs: frozenset[str]) -> str | None:
    """'forwards' -> 'forward', 'pushes' -> 'push', 'copies' -> 'copy' (known verbs only)."""
    if not word.endswith("s") or len(word) < 4:
        return None
    candidates = [word[:-1], word[:-2], word[:-3] + "y" if word.endswith("ies") else ""]
    return next((c for c in candidates if c and c in verbs), None)


def _gap(text: str, hit: Hit, lex: Lexicon) -> Fix | None:
    """A placeholder where the missing fact belongs, with the question that fills it."""
    rule = lex.data.get("fixes", {}).get(hit.code)
    if not rule:
        return None
    end = _clause_end(text, hit.end) if rule.get("to") == "clause_end" else hit.end
    span = text[hit.start : end]
    template = rule["gap"] if hit.hint or "gap_nohint" not in rule else rule["gap_nohint"]
    values = {"fragment": span, "hint": hit.hint, "other": hit.other}
    replacement = template.format(**values)
    if replacement == span:
        return None
    return Fix(hit.start, end, replacement, rule["question"].format(**values))


def _clause_end(text: str, pos: int) -> int:
    """Where the clause holding pos ends: before the next comma or sentence mark."""
    match = CLAUSE_END_RE.search(text, pos)
    return match.start() if match else len(text)


def _sentence_end(text: str, pos: int) -> int:
    match = SENTENCE_END_RE.search(text, pos)
    return match.start() + 1 if match and match.group() else len(text)


def _sentence_start(text: str, pos: int) -> int:
    marks = [m.end() for m in re.finditer(r"[.!?]\s", text[:pos])]
    return marks[-1] if marks else 0


def _match_case(original: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if original[:1].isupper() else replacement


def fixes_for(text: str, hits: list[Hit], lex: Lexicon) -> list[tuple[Hit, Fix]]:
    """The fix of every hit that has one and changes the text, in text order; a hit whose
    fix overlaps an earlier one gets none (one edit per stretch of text). Linear-log: the
    chosen spans stay sorted, so each new one is checked against its two neighbours."""
    chosen: list[tuple[Hit, Fix]] = []
    spans: list[tuple[int, int]] = []
    split: set[int] = set()  # sentences already cut once: the next cut is the next round's
    for hit in hits:
        if hit.code in SPLITTING:
            sentence = _sentence_start(text, hit.start)
            if sentence in split:
                continue
            split.add(sentence)
        fix = fix_for(text, hit, lex)
        if fix is None or text[fix.start : fix.end] == fix.replacement:
            continue
        at = bisect.bisect_left(spans, (fix.start, fix.end))
        neighbours = spans[max(0, at - 1) : at + 1]
        if any(_overlap((fix.start, fix.end), span) for span in neighbours):
            continue
        spans.insert(at, (fix.start, fix.end))
        chosen.append((hit, fix))
    return chosen


def rewrite(text: str, fixes: list[Fix]) -> str | None:
    """All fixes made on one text; None when there is none."""
    if not fixes:
        return None
    pieces: list[str] = []
    cursor = 0
    for fix in sorted(fixes, key=lambda f: (f.start, f.end)):
        pieces += [text[cursor : fix.start], fix.replacement]
        cursor = fix.end
    pieces.append(text[cursor:])
    return tidy("".join(pieces)).strip()


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0]
