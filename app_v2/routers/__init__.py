"""All v2 routers, included by the app under one api_router."""

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

api_router = APIRouter()
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
for module in (*MODULES, ingest, rag, vectors):
    api_router.include_router(module.router)
