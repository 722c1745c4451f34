"""All v2 routers, in the order the app includes them (app_v2.main).

The app includes each one itself, not under one api_router: FastAPI (0.165) matches a
request through nested inclusions lazily, and again at each level it hands the request
down, so the one extra level cost an evaluation ~3,300 Python bytecodes, a third of what
v2 ran around the core work (docs/benchmarks.md §2, "v2 hot path"). Same paths in the
same order: the OpenAPI document is the same byte for byte.
"""

from fastapi import APIRouter

from app_v2.routers import (
    batch,
    corrections,
    criteria,
    evaluations,
    health,
    ingest,
    mining,
    rag,
    refine,
    reports,
    suggest,
    validate,
    vectors,
)

MODULES = (
    health,
    criteria,
    evaluations,
    validate,
    suggest,
    refine,
    batch,
    corrections,
    mining,
    reports,
)
ROUTERS: tuple[APIRouter, ...] = tuple(module.router for module in (*MODULES, ingest, rag, vectors))
