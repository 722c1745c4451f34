"""Fast language detection: stopword votes plus German letters; no model, no download."""

from __future__ import annotations

import re

from core.engines.base import Language
from core.engines.heuristic._lexicon import load

WORD_RE = re.compile(r"[^\W\d_]+")
GERMAN_LETTERS = frozenset("äöüßÄÖÜ")
# Umlauts are strong evidence: one counts as this many stopword votes.
LETTER_WEIGHT = 2
SAMPLE_CHARS = 2000


def detect_language(text: str) -> Language:
    """Return "de" or "en" for a requirement text; English when there is no evidence."""
    sample = text[:SAMPLE_CHARS]
    de_words, en_words = load("de").words("stopwords"), load("en").words("stopwords")
    de = en = 0
    for m in WORD_RE.finditer(sample):
        word = m.group().lower()
        de += word in de_words
        en += word in en_words
    de += LETTER_WEIGHT * sum(1 for ch in sample if ch in GERMAN_LETTERS)
    return "de" if de > en else "en"
