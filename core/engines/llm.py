"""The LLM engine: evaluate, suggest, rewrite and apply with any OpenAI-compatible model,
and find the requirements of a document (core.mining's LLM pass).

Coroutines here run on the LLM loop (core.engines.llm_loop) only. Each builds the prompt
payload (with the project glossary's terms, if any), asks llm_client for a structured answer
(cached by checksum, criteria, glossary checksum, model and prompt version), validates it
with pydantic and turns it into the engine result types. Any problem raises LlmFailure;
core.engines answers with the heuristic engine instead.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.atoms import SuggestionAtom
from core.catalogue import load_entries
from core.checksums import text_checksum
from core.engines import edits, llm_loop
from core.engines.base import Assessment, CriterionResult, Finding, Language, Suggestion
from core.engines.cache import AnswerCache
from core.engines.heuristic import placeholders
from core.engines.llm_client import LlmClient, LlmConfig, LlmFailure
from core.engines.llm_schemas import (
    ApplyAnswer,
    CriterionAnswer,
    EvaluationAnswer,
    FindAnswer,
    JsonSchema,
    RewriteAnswer,
    SuggestAnswer,
    apply_schema,
    evaluate_schema,
    find_schema,
    rewrite_schema,
    suggest_schema,
)
from core.engines.prompts import PromptSet, Task, load_prompts
from core.engines.results import (
    ApplyMode,
    ApplyResult,
    DocumentPiece,
    EngineMeta,
    FindResult,
    FoundRequirement,
    RewriteResult,
    SuggestResult,
)
from core.engines.severity import rule_of
from core.glossary import Glossary
from core.scoring import clamp_score

log = logging.getLogger("reqgate.llm")
AnswerT = TypeVar("AnswerT", bound=BaseModel)
ResultT = TypeVar("ResultT")


@dataclass(slots=True)
class LlmRuntime:
    """Client, prompts and cache for one configuration; one per process in practice."""

    config: LlmConfig
    client: LlmClient
    prompts: PromptSet
    cache: AnswerCache

    def meta(self) -> EngineMeta:
        return EngineMeta("llm", self.config.model, self.prompts.version)


_runtimes: dict[LlmConfig, LlmRuntime] = {}
_runtimes_pid = os.getpid()


@lru_cache(maxsize=8)
def prompts_for(prompts_dir: Path | None) -> PromptSet:
    """Prompts are read once per directory; editing them takes a restart."""
    return load_prompts(prompts_dir)


def runtime_for(config: LlmConfig) -> LlmRuntime:
    """The runtime for this configuration, created on first use (on the LLM loop)."""
    global _runtimes_pid
    if _runtimes_pid != os.getpid():
        # A forked worker inherits runtimes bound to the parent's (dead) loop: start afresh.
        _runtimes.clear()
        _runtimes_pid = os.getpid()
    runtime = _runtimes.get(config)
    if runtime is None:
        runtime = LlmRuntime(
            config,
            LlmClient(config),
            prompts_for(config.prompts_dir),
            AnswerCache(config.cache_size, config.cache_ttl_s),
        )
        _runtimes[config] = runtime
    return runtime


async def close_runtimes() -> None:
    """Forget every runtime (cache, limits, connections); tests start from a clean slate."""
    runtimes = list(_runtimes.values())
    _runtimes.clear()
    for runtime in runtimes:
        await runtime.client.close()


@atexit.register
def _close_at_exit() -> None:
    """Close the HTTP sessions when the process ends: aiohttp reports unclosed ones as errors
    on stderr. (The LLM loop is a daemon thread, still running while atexit hooks run.)"""
    if _runtimes and _runtimes_pid == os.getpid():
        with contextlib.suppress(Exception):
            llm_loop.call(close_runtimes(), timeout=5)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[Language, tuple[str, str]]]:
    return {
        entry.key: {
            "en": (entry.name_en, entry.description_en),
            "de": (entry.name_de, entry.description_de),
        }
        for entry in load_entries()
    }


def _criteria_payload(criteria: Sequence[str], language: Language) -> list[dict[str, str]]:
    catalogue = _catalogue()
    described = []
    for key in criteria:
        name, description = catalogue.get(key, {}).get(language, (key, ""))
        described.append({"key": key, "name": name, "description": description})
    return described


async def _ask(
    runtime: LlmRuntime,
    task: Task,
    language: Language,
    payload: dict[str, Any],
    schema: JsonSchema,
    answer_type: type[AnswerT],
) -> AnswerT:
    system = runtime.prompts.system(task, language)
    raw = await runtime.client.complete(task, system, payload, schema)
    try:
        return answer_type.model_validate(raw)
    except ValidationError as exc:
        # Error texts quote the answer (and so the requirement): log the count only.
        log.warning("llm answer violates schema", extra={"task": task, "errors": exc.error_count()})
        raise LlmFailure("schema_violation") from None


def _key(runtime: LlmRuntime, task: Task, *parts: object) -> tuple[object, ...]:
    return (task, *parts, runtime.config.model, runtime.prompts.version)


def _glossary_payload(glossary: Glossary | None, language: Language) -> list[dict[str, str]]:
    """The project's terms for the prompt: defined terms not to report, its own weak words."""
    terms = glossary.for_language(language) if glossary else ()
    return [{"term": t.term, "kind": t.kind, "definition": t.definition} for t in terms]


async def _on_text(
    runtime: LlmRuntime,
    task: Task,
    text: str,
    criteria: Sequence[str],
    language: Language,
    schema: JsonSchema,
    answer_type: type[AnswerT],
    convert: Callable[[AnswerT], ResultT],
    glossary: Glossary | None = None,
) -> ResultT:
    """Ask about one requirement text (cached), validate the answer and convert it."""
    terms = _glossary_payload(glossary, language)

    async def compute() -> ResultT:
        payload: dict[str, Any] = {
            "requirement": text,
            "language": language,
            "criteria": _criteria_payload(criteria, language),
        }
        if terms:
            payload["glossary"] = terms
        return convert(await _ask(runtime, task, language, payload, schema, answer_type))

    glossary_sum = glossary.checksum(language) if glossary and terms else None
    key = _key(runtime, task, text_checksum(text), tuple(criteria), language, glossary_sum)
    return await runtime.cache.get_or_compute(key, compute)


async def evaluate(
    runtime: LlmRuntime,
    text: str,
    criteria: Sequence[str],
    language: Language,
    glossary: Glossary | None = None,
) -> Assessment:
    """The LLM's assessment of one requirement on the given criteria."""
    return await _on_text(
        runtime,
        "evaluate",
        text,
        criteria,
        language,
        evaluate_schema(criteria),
        EvaluationAnswer,
        lambda answer: _assessment(answer, runtime, text, criteria, language),
        glossary,
    )


async def suggest(
    runtime: LlmRuntime,
    text: str,
    criteria: Sequence[str],
    language: Language,
    glossary: Glossary | None = None,
) -> SuggestResult:
    """Selectable corrections (atoms) for one requirement."""

    def convert(answer: SuggestAnswer) -> SuggestResult:
        atoms = (_complete(_known_criteria(atom, criteria), text) for atom in answer.suggestions)
        return SuggestResult(tuple(atom for atom in atoms if atom is not None), runtime.meta())

    return await _on_text(
        runtime,
        "suggest",
        text,
        criteria,
        language,
        suggest_schema(criteria),
        SuggestAnswer,
        convert,
        glossary,
    )


async def rewrite(
    runtime: LlmRuntime,
    text: str,
    criteria: Sequence[str],
    language: Language,
    glossary: Glossary | None = None,
) -> RewriteResult:
    """The requirement rewritten to satisfy the criteria."""

    def convert(answer: RewriteAnswer) -> RewriteResult:
        if not answer.rewrite.strip():
            raise LlmFailure("schema_violation")
        return RewriteResult(answer.rewrite.strip(), runtime.meta())

    return await _on_text(
        runtime,
        "rewrite",
        text,
        criteria,
        language,
        rewrite_schema(),
        RewriteAnswer,
        convert,
        glossary,
    )


async def apply(
    runtime: LlmRuntime,
    original: str,
    atoms: Sequence[SuggestionAtom],
    mode: ApplyMode,
    language: Language,
) -> ApplyResult:
    """The original with the selected atoms applied: one requirement (merge) or several."""
    corrections = [atom.model_dump(mode="json", by_alias=True, exclude_none=True) for atom in atoms]

    async def compute() -> ApplyResult:
        payload = {
            "requirement": original,
            "language": language,
            "mode": mode,
            "corrections": corrections,
        }
        answer = await _ask(runtime, "apply", language, payload, apply_schema(), ApplyAnswer)
        items = tuple(item.strip() for item in answer.items if item.strip())
        if not items or (mode == "merge" and len(items) != 1):
            raise LlmFailure("schema_violation")
        return ApplyResult(items, runtime.meta())

    atoms_sum = text_checksum(SuggestAnswer(suggestions=list(atoms)).model_dump_json())
    key = _key(runtime, "apply", text_checksum(original), atoms_sum, mode, language)
    return await runtime.cache.get_or_compute(key, compute)


async def find_requirements(runtime: LlmRuntime, pieces: Sequence[DocumentPiece]) -> FindResult:
    """The requirements each piece states beyond its known ones, as the LLM quotes them.

    One call per piece (cached by the piece's and its known texts' checksums), all at once
    under MAX_PARALLEL; any piece failing fails the whole (a partial search would look
    complete), after every call has ended.
    """

    async def one(piece: DocumentPiece) -> tuple[FoundRequirement, ...]:
        async def compute() -> tuple[FoundRequirement, ...]:
            language = piece.language
            payload = {"document": piece.text, "language": language, "known": list(piece.known)}
            answer = await _ask(runtime, "find", language, payload, find_schema(), FindAnswer)
            return tuple(FoundRequirement(r.text.strip(), r.kind) for r in answer.requirements)

        known_sum = text_checksum("\0".join(piece.known))
        key = _key(runtime, "find", text_checksum(piece.text), known_sum, piece.language)
        return await runtime.cache.get_or_compute(key, compute)

    answers = await asyncio.gather(*(one(piece) for piece in pieces), return_exceptions=True)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return FindResult(tuple(a for a in answers if not isinstance(a, BaseException)), runtime.meta())


def _assessment(
    answer: EvaluationAnswer,
    runtime: LlmRuntime,
    text: str,
    criteria: Sequence[str],
    language: Language,
) -> Assessment:
    by_key: dict[str, CriterionAnswer] = {}
    for result in answer.results:
        if result.criterion in criteria:
            by_key.setdefault(result.criterion, result)
    unknown = sum(1 for result in answer.results if result.criterion not in criteria)
    if unknown:
        log.info("llm answer: ignored unknown criteria", extra={"count": unknown})
    if len(by_key) < len(criteria):
        log.warning(
            "llm answer misses criteria",
            extra={"missing": [key for key in criteria if key not in by_key]},
        )
        raise LlmFailure("schema_violation")
    return Assessment(
        language=language,
        results=tuple(_criterion_result(by_key[key], text) for key in criteria),
        suggestions=tuple(Suggestion(s.text.strip(), s.priority) for s in answer.suggestions),
        rewrite=(answer.rewrite or "").strip() or None,
        engine="llm",
        model=runtime.config.model,
        extras={"promptVersion": runtime.prompts.version},
        # The same placeholder rule as the heuristic engine, whatever the model said.
        placeholders=placeholders(text, language),
    )


def _criterion_result(answer: CriterionAnswer, text: str) -> CriterionResult:
    score = clamp_score(answer.score)
    if score != round(answer.score, 3):
        log.info("llm score clamped", extra={"criterion": answer.criterion})
    findings = tuple(
        finding
        for finding in (
            _locate(f.code, f.message, f.fragment, text, answer.criterion) for f in answer.findings
        )
        if finding is not None
    )
    return CriterionResult(answer.criterion, score, answer.feedback.strip(), findings)


def _locate(code: str, message: str, fragment: str, text: str, criterion: str) -> Finding | None:
    """A finding with offsets where the model's fragment occurs in the text; else dropped."""
    fragment = fragment.strip()
    match = re.search(re.escape(fragment), text, re.IGNORECASE) if fragment else None
    if match is None:
        return None
    code = re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")[:64] or "llm_finding"
    # A code from the shared table fails the same criteria as the heuristic engine's.
    rule = rule_of(code)
    fails = (criterion,) if criterion in rule.fails else ()
    return Finding(
        code,
        message.strip(),
        match.start(),
        match.end(),
        match.group(0),
        (criterion,),
        rule.severity if fails else "minor",
        fails,
    )


def _complete(atom: SuggestionAtom, text: str) -> SuggestionAtom | None:
    """The atom as DESIGN §6 promises it, whatever the model wrote: `correction` the whole
    requirement with the fix made (a model that answered a fragment's replacement gets it
    merged in), `needsInput` only when true and with its question, no `findingCode` (the
    model is not asked for one, so one it wrote is no finding's); None for a no-op."""
    if not atom.correction.strip():
        return None
    corrected = edits.merge(text, [atom])
    if corrected == text.strip():
        log.info("llm atom: dropped a correction that changes nothing")
        return None
    asks = bool(atom.needs_input and atom.question)
    return atom.model_copy(
        update={
            "correction": corrected,
            "needs_input": True if asks else None,
            "question": atom.question if asks else None,
            "finding_code": None,
        }
    )


def _known_criteria(atom: SuggestionAtom, criteria: Sequence[str]) -> SuggestionAtom:
    """The atom with only the requested criteria keys (others ignored, with a log line)."""
    kept = {key: value for key, value in atom.criteria.items() if key in criteria}
    if len(kept) < len(atom.criteria):
        log.info(
            "llm atom: ignored unknown criteria", extra={"count": len(atom.criteria) - len(kept)}
        )
    return atom.model_copy(update={"criteria": kept})
