"""Issue 12, defect 6: a held SQLite lock on a real gateway (v1 and v2 in-process).

The gateway's own routes do not wait for the database, and reads do not wait for the
write lock. The lock is held 2 s (issue: 10 s); what is measured does not depend on it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.testclient import TestClient

import gateway.app
from core.settings import Settings
from tests.conftest import SettingsFactory
from tests.utils.faults import sqlite_lock_held

ADMIN_TOKEN = "test-admin-token-0123456789"
LOCK_HOLD_S, LOCK_TIMEOUT_S = 2.0, 0.25
FAST_S = 0.2


def _settings(make_settings: SettingsFactory, **overrides: Any) -> Settings:
    return make_settings(
        admin_token=ADMIN_TOKEN,
        v2_fallback_to_v1=False,  # v2's own answer, not v1's in its place
        db_lock_timeout_s=LOCK_TIMEOUT_S,
        **overrides,
    )


def _headers(variant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}", "X-Variant-Override": variant}


def test_gateway_routes_and_reads_answer_fast_while_the_file_is_locked(
    make_settings: SettingsFactory,
) -> None:
    settings = _settings(make_settings)
    client = TestClient(gateway.app.create_app(settings))
    assert client.get("/health").status_code == 200
    latencies: dict[str, float] = {}
    with sqlite_lock_held(settings.sqlite_path, LOCK_HOLD_S):
        time.sleep(0.6)  # the flags are due for a refresh (gateway.flags.MAX_AGE_S)
        for path in (
            "/health",
            "/metrics",
            "/api/runtime-config/explain?key=u1",
            "/api/runtime-config",
        ):
            started = time.monotonic()
            assert client.get(path).status_code == 200
            latencies[path] = time.monotonic() - started
        for variant in ("v1", "v2"):  # the first criteria read of the process: a real read
            started = time.monotonic()
            response = client.get("/api/v1/criteria", headers=_headers(variant))
            assert response.status_code == 200 and response.json()["items"]
            latencies[f"criteria {variant}"] = time.monotonic() - started
    print(json.dumps({k: round(v * 1000) for k, v in latencies.items()}))  # noqa: T201
    assert all(v < FAST_S for v in latencies.values()), latencies
