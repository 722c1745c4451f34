"""ASGI entry point for v2 served on its own: `uvicorn app_v2.server:app` (a remote v2 that
the gateway reaches through V2_UPSTREAM_URL, and bench/gateway_overhead.py's "v2 alone").

Like gateway/main.py and app_v1/wsgi.py, importing this module reads the environment and
opens the database, so only servers import it; tests build apps with create_app.
"""

from __future__ import annotations

from app_v2.main import create_app
from core.exceptions import ConfigError
from core.logging import configure_logging
from core.runtime import freeze_startup_heap
from core.settings import get_settings

try:
    settings = get_settings()
except ConfigError as exc:
    raise SystemExit(f"reqgate: {exc}") from None
configure_logging(settings.log_level, settings.log_format)
app = create_app(settings)
freeze_startup_heap()  # last: everything above lives as long as the worker
