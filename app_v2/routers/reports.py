"""GET /api/v1/reports/summary and /export (v2 only): figures from the checksum-only records."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app_v2.deps import SessionDep, SettingsDep
from app_v2.streaming import in_threadpool
from core.contract.reports import (
    MAX_TOP,
    ReportEngine,
    ReportQuery,
    ReportSummaryPublic,
    ReportVariant,
    parse_report_query,
)
from core.report_export import export_csv, export_filename
from core.reports import report_summary
from core.settings import Settings
from edge.openapi import error_responses

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
REPORT_ERRORS = error_responses(
    {
        400: "a bad date, from after to, a range over REPORT_MAX_DAYS, a bad variant or engine",
        503: "the database is unavailable",
    }
)
CSV = "text/csv"
# ISO 8601 dates or date-times (naive means UTC); the range is [from, to).
From = Annotated[str | None, Query(alias="from", max_length=64, description="default: to - 7 d")]
To = Annotated[str | None, Query(max_length=64, description="default: now; a date: its end")]
Variant = Annotated[ReportVariant | None, Query()]
Engine = Annotated[ReportEngine | None, Query()]
Top = Annotated[int, Query(ge=1, le=MAX_TOP, description="finding codes listed")]


def _query(
    settings: Settings,
    start: str | None,
    end: str | None,
    variant: ReportVariant | None,
    engine: ReportEngine | None,
    top: int = 10,
) -> ReportQuery:
    return parse_report_query(
        start=start, end=end, variant=variant, engine=engine, top=top, settings=settings
    )


@router.get(
    "/summary",
    response_model=ReportSummaryPublic,
    response_model_exclude_none=True,
    responses=REPORT_ERRORS,
)
def read_report_summary(
    session: SessionDep,
    settings: SettingsDep,
    start: From = None,
    to: To = None,
    variant: Variant = None,
    engine: Engine = None,
    top: Top = 10,
) -> ReportSummaryPublic:
    """Summarise the evaluations, finding codes, decisions and corrections of a range."""
    query = _query(settings, start, to, variant, engine, top)
    return report_summary(session=session, query=query)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        **REPORT_ERRORS,
        200: {"description": "one CSV row per evaluation", "content": {CSV: {}}},
    },
)
def export_report(
    request: Request,
    settings: SettingsDep,
    start: From = None,
    to: To = None,
    variant: Variant = None,
    engine: Engine = None,
) -> StreamingResponse:
    """Export the range's evaluations as CSV, one row per evaluation (no text)."""
    query = _query(settings, start, to, variant, engine)
    chunks = export_csv(engine=request.app.state.db, query=query)
    disposition = f'attachment; filename="{export_filename(query)}"'
    return StreamingResponse(
        in_threadpool(chunks),
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
