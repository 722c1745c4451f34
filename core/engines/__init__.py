"""Quality engines: the rule-based heuristic engine and the OpenAI-compatible LLM engine.

These functions are the one entry point the rest of core uses (core.engines.tasks); each
picks the engine for the settings and falls back to the heuristic engine when the LLM fails
(core.engines.dispatch).
"""

from core.engines.dispatch import engine_status, log_engine_status
from core.engines.results import DocumentPiece, FindResult, FoundRequirement
from core.engines.tasks import (
    Review,
    apply,
    assess,
    find_requirements,
    review,
    rewrite,
    suggest,
)

__all__ = [
    "DocumentPiece",
    "FindResult",
    "FoundRequirement",
    "Review",
    "apply",
    "assess",
    "engine_status",
    "find_requirements",
    "log_engine_status",
    "review",
    "rewrite",
    "suggest",
]
