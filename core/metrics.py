"""Prometheus metrics that core records, on prometheus_client's default registry.

The gateway's /metrics exposes the default registry, so anything defined here shows up
there without wiring. Labels are bounded sets (reasons, models, kinds), never request data.
Each gauge says how the values of several workers combine (gateway/metrics.py).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

LLM_FALLBACKS = Counter(
    "reqgate_llm_fallbacks",
    "LLM calls answered by the heuristic engine instead, by reason.",
    ["reason"],
)
LLM_TOKENS = Counter(
    "reqgate_llm_tokens",
    "Tokens reported by the LLM server, by model and kind (prompt|completion).",
    ["model", "kind"],
)
LLM_CALLS = Counter(
    "reqgate_llm_calls",
    "LLM HTTP attempts, by task (evaluate|suggest|rewrite|apply) and outcome.",
    ["task", "outcome"],
)
LLM_CACHE = Counter(
    "reqgate_llm_cache",
    "LLM answer cache lookups, by result (hit|miss|shared).",
    ["result"],
)
LLM_CIRCUIT_OPEN = Gauge(
    "reqgate_llm_circuit_open",
    "1 while the LLM server's circuit breaker is open or half-open (calls go to the heuristic"
    " engine, embeddings fail fast); each worker has its own breaker: 1 while any is open.",
    multiprocess_mode="livemax",
)
LLM_IN_FLIGHT = Gauge(
    "reqgate_llm_in_flight",
    "LLM calls in flight now, all workers together; never above MAX_PARALLEL per worker.",
    multiprocess_mode="livesum",
)
SEARCH_DEGRADED = Counter(
    "reqgate_search_degraded",
    "Knowledge-base searches answered from the sparse vector alone: no query embedding.",
)
