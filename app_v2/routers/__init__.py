"""All v2 routers, included by the app under one api_router."""

from fastapi import APIRouter

from app_v2.routers import (
    batch,
    corrections,
    criteria,
    evaluations,
    health,
    mining,
    refine,
    suggest,
    validate,
)

api_router = APIRouter()
for module in (
    health,
    criteria,
    evaluations,
    validate,
    suggest,
    refine,
    batch,
    corrections,
    mining,
):
    api_router.include_router(module.router)
