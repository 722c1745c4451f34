"""The gateway's own routes, included by the ops app under one api_router."""

from fastapi import APIRouter

from gateway.routers import health, metrics, ops_summary, pages, runtime_config

api_router = APIRouter()
for module in (health, metrics, runtime_config, ops_summary, pages):
    api_router.include_router(module.router)
