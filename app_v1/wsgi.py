"""WSGI entry point for gunicorn: `gunicorn app_v1.wsgi:app` (Dockerfile.v1)."""

from app_v1 import create_app
from core.exceptions import ConfigError
from core.logging import configure_logging
from core.runtime import freeze_startup_heap
from core.settings import get_settings

try:
    settings = get_settings()
except ConfigError as exc:
    raise SystemExit(f"reqgate: {exc}") from None
configure_logging(settings.log_level, settings.log_format)
app = create_app({"SETTINGS": settings})
freeze_startup_heap()  # last: everything above lives as long as the worker
