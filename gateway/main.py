"""The gateway process on API_PORT: `uvicorn gateway.main:app`.

Importing this module reads the environment and opens the database, so only servers
import it; tests and tools build apps with gateway.app.create_app.
"""

from __future__ import annotations

from starlette.types import ASGIApp

from core.engines import log_engine_status
from core.exceptions import ConfigError
from core.logging import configure_logging
from core.settings import get_settings
from gateway.app import create_app


def _create_process_app() -> ASGIApp:
    try:
        settings = get_settings()
    except ConfigError as exc:
        raise SystemExit(f"reqgate: {exc}") from None
    configure_logging(settings.log_level, settings.log_format)
    log_engine_status(settings)
    return create_app(settings)


app = _create_process_app()
