"""The API contract (DESIGN §6) that v1 and v2 share, in one place.

- `wire`: the camelCase base model, the one error body, JSON-ready dicts.
- `evaluations`: criteria, evaluations, validate/batch (schema families per resource).
- `batch`: batch tables, suggestions, corrections, refine.
- `decisions`: accepted or rejected suggestions (checksum-only).
- `bodies`: every route's raw body (JSON or markdown) into a validated model.
- `errors`: a framework's bare HTTP status as the project's error.
- `framing`: NDJSON and SSE lines of the streaming route.
"""
