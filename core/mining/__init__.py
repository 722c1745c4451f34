"""Requirement mining: the candidates a specification's prose states, rule-based, German and
English, without a web framework.

    >>> from core.mining import mine
    >>> [(c.line, c.modal, c.kind) for c in mine("# Export\\n\\nDas System muss CSV exportieren.")]
    [(3, 'muss', 'functional')]
"""

from core.mining._answer import Document, extract, read_documents, requirements_table
from core.mining._conflicts import Pair, find_pairs
from core.mining._extract import Candidate, Kind, classify, mine
from core.mining._modal import find_modal
from core.mining._report import conflicts
from core.mining._sentences import sentences

__all__ = [
    "Candidate",
    "Document",
    "Kind",
    "Pair",
    "classify",
    "conflicts",
    "extract",
    "find_modal",
    "find_pairs",
    "mine",
    "read_documents",
    "requirements_table",
    "sentences",
]
