"""Requirement text never reaches the database file or the logs (DESIGN §5)."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import gateway.app
from core.settings import Settings


def _marker() -> str:
    return f"Zanzibar{secrets.token_hex(6)}"


def _post(client: TestClient, path: str, body: Any, status: int = 200) -> Any:
    """Every call must really be served, or scanning the files afterwards proves nothing."""
    response = client.post(path, json=body)
    assert response.status_code == status, (path, response.text)
    return response.json() if response.headers["content-type"] == "application/json" else None


@pytest.mark.parametrize("use_v2", [False, True], ids=["v1", "v2"])
def test_shared_routes_text_absent_from_database_and_logs(
    make_settings: type[Settings],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    use_v2: bool,
) -> None:
    settings = make_settings(feature_flag_use_v2=use_v2, log_level="DEBUG")
    client = TestClient(gateway.app.create_app(settings))
    caplog.set_level(logging.DEBUG)
    m = [_marker() for _ in range(9)]
    _post(
        client,
        "/api/v1/evaluations",
        {"requirementText": f"The {m[0]} module should be fast and user-friendly."},
    )
    _post(
        client,
        "/api/v1/validate/batch",
        {
            "items": [f"Das {m[1]} System sollte schnell sein.", f"{m[2]} may crash"],
            "includeSuggestions": True,
        },
    )
    _post(client, "/api/v1/evaluations", {"requirementText": m[0], "criteriaKeys": ["x"]}, 400)
    table = (
        "| id | requirementText | context |\n|---|---|---|\n"
        f"| R1 | The {m[3]} service should respond fast. | {{}} |\n"
        f"| R2 | Der {m[3]} Dienst sollte schnell sein. | {{}} |\n"
    )
    for mode in ("evaluate", "suggest", "rewrite"):
        _post(client, f"/api/v1/batch/{mode}", {"markdown": table})
    _post(client, "/api/v1/validate/batch/stream", [f"The {m[4]} may fail."])
    original = f"The {m[5]} should be fast and easy."
    atoms = _post(client, "/api/v1/validate/suggest", [original])["items"]["REQ_1"]["suggestions"]
    for mode in ("merge", "split"):
        _post(
            client,
            "/api/v1/corrections/apply",
            {"originalText": original, "selectedSuggestions": atoms, "mode": mode},
        )
    _post(
        client,
        "/api/v1/corrections/text",
        {"originalText": f"The {m[6]} should start.", "text": f"The {m[6]} shall start."},
    )

    decision = {"requirementText": original, "suggestion": atoms[0]["correction"]}
    _post(client, "/api/v1/corrections/decision", {**decision, "decision": "accepted"})
    _post(
        client,
        "/api/v1/corrections/decision/batch",
        [
            {"requirementText": f"The {m[7]} should start.", "decision": "rejected"},
            {"requirementText": "x", "suggestion": f"{m[8]} now", "decision": "accepted"},
        ],
    )

    reports = [client.get(f"/api/v1/reports/{name}") for name in ("summary", "export")]
    assert [r.status_code for r in reports] == [200, 200] and reports[0].json()["evaluations"]

    stored = b"".join(p.read_bytes() for p in tmp_path.glob("reqgate.db*"))
    assert stored, "the database files should exist"
    logged = caplog.text + "".join(capfd.readouterr())
    for marker in m:
        assert marker.encode() not in stored
        assert marker not in logged
        assert not any(marker in report.text for report in reports)
