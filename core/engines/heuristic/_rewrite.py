"""A mechanically improved text: binding modals, loopholes removed, gaps marked.

Only edits that cannot change the meaning for the worse are made: a weak modal becomes the
binding one when the swap is a single word; loopholes are deleted; vague and subjective terms
keep their place but get a bracketed note naming the measure to add.
"""

from __future__ import annotations

import re

from core.engines.heuristic._hits import Hit
from core.engines.heuristic._lexicon import Lexicon

NOTE_CODES = frozenset(
    {"vague_term", "vague_quantifier", "subjective_term", "superlative", "missing_measure"}
)
SPACES_RE = re.compile(r"[ \t]{2,}")
SPACE_BEFORE_PUNCT_RE = re.compile(r"[ \t]+(?=[,.;:!?])")
Edit = tuple[int, int, str]


def rewrite(text: str, hits: list[Hit], lex: Lexicon) -> str | None:
    """Return the improved text, or None when no mechanical edit applies."""
    edits = _edits(text, hits, lex)
    if not edits:
        return None
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in sorted(edits):
        if start < cursor:
            continue  # overlaps an edit already made
        pieces += [text[cursor:start], replacement]
        cursor = end
    pieces.append(text[cursor:])
    out = "".join(pieces)
    out = tidy(out)
    return out if out != text else None


def tidy(text: str) -> str:
    """Collapse the doubled spaces and stray commas that deleting words leaves behind."""
    return SPACE_BEFORE_PUNCT_RE.sub("", SPACES_RE.sub(" ", text)).replace(",,", ",")


def _edits(text: str, hits: list[Hit], lex: Lexicon) -> list[tuple[int, int, str]]:
    noted: set[int] = set()
    return [edit for hit in hits if (edit := edit_for(text, hit, lex, noted)) is not None]


def edit_for(text: str, hit: Hit, lex: Lexicon, noted: set[int]) -> Edit | None:
    """The mechanical edit for one hit as (start, end, replacement), or None when it has
    none. `noted` holds the ends of spans already given a note (one note per word)."""
    notes: dict[str, str] = lex.data["rewrite_notes"]
    fragment = text[hit.start : hit.end]
    if hit.code in {"weak_modal", "weak_phrase"} and hit.hint and "..." not in hit.hint:
        return hit.start, hit.end, _match_case(fragment, hit.hint)
    if hit.code == "loophole":
        return _deletion(text, hit.start, hit.end)
    if _noted(text, hit.end) or fragment.startswith("["):
        # Already marked (a note follows, or the fragment is a bracketed gap): marking it
        # again would only grow the text on every refine round.
        return None
    if hit.code in NOTE_CODES and hit.end not in noted:
        noted.add(hit.end)
        note = notes["measure"].format(hint=hit.hint) if hit.hint else notes["measure_nohint"]
        return hit.start, hit.end, f"{fragment} {note}"
    if hit.code == "placeholder":
        return hit.start, hit.end, f"{fragment} {notes['placeholder']}"
    return None


def _noted(text: str, end: int) -> bool:
    return text[end:].lstrip(" \t").startswith("[")


def _deletion(text: str, start: int, end: int) -> tuple[int, int, str]:
    """Delete a loophole together with the comma that set it off."""
    before = text[:start].rstrip()
    if before.endswith(","):
        return len(before) - 1, end, ""
    after = text[end:]
    stripped = after.lstrip()
    if stripped.startswith(","):
        return start, end + (len(after) - len(stripped)) + 1, ""
    return start, end, ""


def _match_case(original: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if original[:1].isupper() else replacement
