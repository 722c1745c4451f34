"""The README's quick start and curl examples work as written against a real gateway."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.utils.server import ROOT


def _readme_block(heading: str) -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"## {heading}", 1)[1]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def _curl_commands() -> list[str]:
    """Every curl command of the README that talks to the gateway on :8087."""
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    joined = re.sub(r"\\\n\s*", " ", "\n".join(blocks))
    return [
        line.split("  #")[0].strip()
        for line in joined.splitlines()
        if line.strip().startswith("curl") and "localhost:8087" in line
    ]


def _json_lines(output: str) -> list[dict[str, object]]:
    """One JSON document, or NDJSON (one per line) from the streaming route."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_readme_quick_start_is_exactly_make_run_and_make_test() -> None:
    commands = [line.split("#")[0].strip() for line in _readme_block("Quick start").splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]


def test_readme_curl_examples_work(served_gateway: str) -> None:
    commands = _curl_commands()
    assert len(commands) >= 6
    for command in commands:
        command = command.replace("localhost:8087", served_gateway.removeprefix("http://"))
        output = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True
        ).stdout
        documents = _json_lines(output)
        assert documents and all("error" not in d for d in documents), (command, output)
        body = documents[0]
        if "evaluations" in command:
            details = {d["criterion"]: d for d in body["details"]}
            assert details["testability"]["passed"] and details["measurability"]["passed"]


@pytest.mark.parametrize("target", ["run", "test"])
def test_makefile_has_readme_targets(target: str) -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^{target}:", makefile, re.M)
