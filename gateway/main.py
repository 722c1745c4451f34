"""The gateway process on API_PORT: `uvicorn gateway.main:app --http gateway.main:protocol`.

Importing this module reads the environment and opens the database, so only servers
import it; tests and tools build apps with gateway.app.create_app. uvicorn imports both
names in each worker process (`reqgate serve`, gateway/serving.py): a worker builds its own
app and its own protocol class, with the head limits, from the settings.
"""

from __future__ import annotations

from core.engines import log_engine_status
from core.exceptions import ConfigError
from core.logging import configure_logging
from core.runtime import freeze_startup_heap
from core.settings import Settings, get_settings
from gateway.app import create_app
from gateway.serving import head_limited


def _process_settings() -> Settings:
    try:
        settings = get_settings()
    except ConfigError as exc:
        raise SystemExit(f"reqgate: {exc}") from None
    configure_logging(settings.log_level, settings.log_format)
    log_engine_status(settings)
    return settings


_settings = _process_settings()
protocol = head_limited(_settings.http_header_timeout_s, _settings.http_max_head_bytes)
app = create_app(_settings)
freeze_startup_heap()  # last: everything above lives as long as the worker
