"""The gateway's own routes, included by the ops app under one api_router."""

from fastapi import APIRouter

from gateway.routers import health, metrics, pages, runtime_config

api_router = APIRouter()
for module in (health, metrics, runtime_config, pages):
    api_router.include_router(module.router)
