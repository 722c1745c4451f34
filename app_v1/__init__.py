"""The legacy API (v1) as a Flask application factory; a thin adapter over core."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app_v1 import context, errors
from app_v1.blueprints import (
    batch,
    corrections,
    criteria,
    evaluations,
    health,
    suggest,
    validate,
)
from core.runtime import open_store
from core.settings import Settings, get_settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the v1 app; `test_config` may carry a SETTINGS object and Flask overrides."""
    app = Flask(__name__)
    config = dict(test_config or {})
    settings: Settings = config.pop("SETTINGS", None) or get_settings()
    # One byte over MAX_BODY_BYTES: werkzeug stops a body without Content-Length (chunked,
    # under gunicorn) at this limit without a word, so the routes must see one byte more to
    # refuse it with core's 413 instead of parsing a truncated body.
    max_read = settings.max_body_bytes + 1
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=max_read, **config)
    # same key order as v2; app.json is typed as the JSONProvider base, but Flask's default
    # provider (DefaultJSONProvider) is the one with sort_keys
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["reqgate_db"] = open_store(settings)
    # No redirects for a doubled slash: werkzeug's 308 would echo the client's Host header
    # in Location and answer HTML; a 404 in the error shape instead.
    app.url_map.merge_slashes = False

    context.init_app(app)
    errors.init_app(app)
    for blueprint in (
        health.bp,
        criteria.bp,
        evaluations.bp,
        validate.bp,
        suggest.bp,
        batch.bp,
        corrections.bp,
    ):
        app.register_blueprint(blueprint)
    return app
