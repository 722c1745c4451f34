"""POST /api/v1/batch/{evaluate,suggest,rewrite} and GET /api/v1/demo/requirements."""

from typing import Literal

from fastapi import APIRouter, Request

from app_v2.deps import RawBody, SessionDep, SettingsDep
from core.batch import demo_requirements, run_table
from core.batch_payloads import parse_batch_input
from core.batch_schemas import BatchPublic, DemoRequirementsPublic

router = APIRouter(prefix="/api/v1", tags=["batch"])


@router.post("/batch/{mode}", response_model=BatchPublic, response_model_exclude_none=True)
def run_batch(
    mode: Literal["evaluate", "suggest", "rewrite"], request: Request, body: RawBody,
    session: SessionDep, settings: SettingsDep,
) -> BatchPublic:
    """Evaluate (and suggest, rewrite) every row of a requirements table; merge the results."""
    source = parse_batch_input(body, request.headers.get("content-type"), settings)
    return run_table(session=session, settings=settings, source=source, mode=mode, variant="v2")


@router.get("/demo/requirements", response_model=DemoRequirementsPublic)
def read_demo_requirements(settings: SettingsDep) -> DemoRequirementsPublic:
    """List the example requirements of the table at REQUIREMENTS_MD_PATH."""
    return demo_requirements(settings)
