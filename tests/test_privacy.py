"""Requirement text never reaches the database file or the logs (DESIGN §5)."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import gateway.app
from core.settings import Settings


def _marker() -> str:
    return f"Zanzibar{secrets.token_hex(6)}"


@pytest.mark.parametrize("use_v2", [False, True], ids=["v1", "v2"])
def test_evaluate_text_absent_from_database_and_logs(
    make_settings: type[Settings],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    use_v2: bool,
) -> None:
    settings = make_settings(feature_flag_use_v2=use_v2, log_level="DEBUG")
    client = TestClient(gateway.app.create_app(settings))
    caplog.set_level(logging.DEBUG)
    markers = [_marker() for _ in range(3)]
    client.post(
        "/api/v1/evaluations",
        json={
            "requirementText": f"The {markers[0]} module should be fast and user-friendly.",
        },
    )
    client.post(
        "/api/v1/validate/batch",
        json={
            "items": [f"Das {markers[1]} System sollte schnell sein.", f"{markers[2]} may crash"],
            "includeSuggestions": True,
        },
    )
    client.post("/api/v1/evaluations", json={"requirementText": markers[0], "criteriaKeys": ["x"]})

    stored = b"".join(p.read_bytes() for p in tmp_path.glob("reqgate.db*"))
    assert stored, "the database files should exist"
    logged = caplog.text + "".join(capfd.readouterr())
    for marker in markers:
        assert marker.encode() not in stored
        assert marker not in logged
