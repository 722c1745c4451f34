"""The LLM's system prompts: files under core/prompts, optionally replaced from LLM_PROMPTS_DIR.

The prompt version names the exact prompt texts in use (the VERSION label plus a hash of
every file), so a changed prompt never reuses cached answers of the old one and every LLM
response says which prompts produced it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core.engines.base import Language

Task = Literal["evaluate", "suggest", "rewrite", "apply", "find"]
TASKS: tuple[Task, ...] = ("evaluate", "suggest", "rewrite", "apply", "find")
LANGUAGES: tuple[Language, ...] = ("de", "en")
BUILTIN_DIR = Path(__file__).resolve().parents[1] / "prompts"


@dataclass(frozen=True, slots=True)
class PromptSet:
    """Every task's system prompt in both languages, and their common version."""

    texts: dict[tuple[Task, Language], str]
    version: str

    def system(self, task: Task, language: Language) -> str:
        return self.texts[(task, language)]


def _read(name: str, override_dir: Path | None) -> str:
    """The override file when it exists, else the built-in one (overrides may be partial)."""
    if override_dir is not None and (override_dir / name).is_file():
        return (override_dir / name).read_text(encoding="utf-8")
    return (BUILTIN_DIR / name).read_text(encoding="utf-8")


def load_prompts(override_dir: Path | None = None) -> PromptSet:
    """Read all prompts once; a missing built-in file is a packaging bug and raises."""
    texts = {
        (task, lang): _read(f"{task}.{lang}.md", override_dir).strip()
        for task in TASKS
        for lang in LANGUAGES
    }
    label = _read("VERSION", override_dir).strip() or "v0"
    digest = hashlib.sha256()
    for (task, lang), text in sorted(texts.items()):
        digest.update(f"{task}.{lang}\0{text}\0".encode())
    return PromptSet(texts=texts, version=f"{label}-{digest.hexdigest()[:8]}")
