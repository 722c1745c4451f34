"""`reqgate flags ...` against a running gateway (uvicorn in a thread on 127.0.0.1)."""

from __future__ import annotations

import json

import pytest

import gateway.app
from cli.main import main
from tests.conftest import SettingsFactory
from tests.gateway.conftest import ADMIN_TOKEN
from tests.gateway.fakes import answering, serving


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_run_flags_commands_against_gateway(
    make_settings: SettingsFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(admin_token=ADMIN_TOKEN)
    app = gateway.app.create_app(settings, v1=answering("v1"), v2=answering("v2"))
    with serving(app) as url:
        base = ["flags", "--url", url, "--token", ADMIN_TOKEN]
        code, shown = _run(capsys, *base, "show")
        assert code == 0 and shown["flags"]["canaryPercent"] == 0  # type: ignore[index]
        code, changed = _run(
            capsys, *base, "set", "--canary", "25", "--use-v2", "false", "--reason", "ramp"
        )
        assert code == 0 and changed["flags"]["canaryPercent"] == 25  # type: ignore[index]
        code, rolled = _run(capsys, *base, "rollback", "--reason", "alarm")
        assert code == 0 and rolled["flags"]["canaryPercent"] == 0  # type: ignore[index]
        code, audit = _run(capsys, *base, "audit")
        reasons = [item["reason"] for item in audit["items"]]  # type: ignore[attr-defined]
        assert reasons[:2] == ["alarm", "ramp"]
        code, denied = _run(capsys, "flags", "--url", url, "--token", "x" * 20, "rollback")
        assert code == 1 and denied["error"] == "unauthorized"


@pytest.mark.parametrize("argv", [["set"], ["set", "--canary", "101"], ["set", "--use-v2", "x"]])
def test_run_flags_set_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(["flags", "--url", "http://127.0.0.1:9", *argv])
    except SystemExit as exc:  # argparse refuses the value
        code = int(exc.code or 0)
    assert code == 2
