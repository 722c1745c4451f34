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
    words = WORD_RE.findall(sample.lower())
    de = sum(map(de_words.__contains__, words))
    en = sum(map(en_words.__contains__, words))
    de += LETTER_WEIGHT * sum(sample.count(ch) for ch in GERMAN_LETTERS)
    return "de" if de > en else "en"
