"""Offline rule-based requirement quality engine for German and English.

Detects requirement smells (vague and subjective terms, loopholes, weak modals, superlatives,
comparatives, negatives, agentless passives, ambiguous pronouns, several requirements in one,
numbers without units, missing measures, placeholders), classifies the EARS pattern and scores
the quality criteria from the findings. Word lists live in core/lexicons/<lang>.json; a
project glossary (core.glossary, `glossary=`) adds a project's own weak words and keeps its
defined terms from being reported as vague.

    >>> from core.engines.heuristic import assess
    >>> a = assess("Das System sollte schnell sein.", criteria=["clarity"])
    >>> [f.code for f in a.results[0].findings]
    ['weak_modal', 'vague_term']
"""

from core.engines.heuristic._analysis import Analysis, analysis, assess, placeholders, suggest
from core.engines.heuristic._engine import MODEL_NAME, analyse
from core.engines.heuristic._language import detect_language

__all__ = [
    "MODEL_NAME",
    "Analysis",
    "analyse",
    "analysis",
    "assess",
    "detect_language",
    "placeholders",
    "suggest",
]
