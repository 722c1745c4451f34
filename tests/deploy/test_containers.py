"""Dockerfiles and compose, checked by reading them: no Docker engine runs here."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    text = (ROOT / dockerfile).read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.mark.parametrize(
    "dockerfile, command",
    [
        ("Dockerfile.v1", ["gunicorn", "app_v1.wsgi:app"]),
        ("Dockerfile.v2", ["reqgate", "serve"]),
    ],
)
def test_dockerfile_runs_expected_app_on_8087(dockerfile: str, command: list[str]) -> None:
    instructions = _instructions(dockerfile)
    cmd = [args for name, args in instructions if name == "CMD"]
    assert len(cmd) == 1
    assert all(part in cmd[0] for part in command)
    assert ("EXPOSE", "8087") in instructions
    assert any(name == "USER" and args != "root" for name, args in instructions)


@pytest.mark.parametrize("dockerfile", ["Dockerfile.v1", "Dockerfile.v2"])
def test_dockerfile_copies_existing_paths(dockerfile: str) -> None:
    copies = [shlex.split(args) for name, args in _instructions(dockerfile) if name == "COPY"]
    assert copies
    for parts in copies:
        for source in parts[:-1]:
            assert (ROOT / source).exists(), f"{dockerfile} copies missing {source}"


def test_dockerfile_installs_the_packages_entry_points_need() -> None:
    copied = {shlex.split(a)[0] for n, a in _instructions("Dockerfile.v2") if n == "COPY"}
    assert {"core", "app_v1", "app_v2", "gateway", "edge"} <= copied


def test_compose_services_ports_volumes() -> None:
    services = _compose()["services"]
    assert {"gateway", "qdrant"} <= set(services)
    gateway = services["gateway"]
    assert gateway["build"]["dockerfile"] == "Dockerfile.v2"
    assert "8087:8087" in gateway["ports"]
    assert {"./data:/data", "./docs:/app/docs:ro"} <= set(gateway["volumes"])
    assert gateway["environment"]["QDRANT_URL"] == "http://qdrant:6333"
    assert gateway["environment"]["SQLITE_PATH"].startswith("/data/")
    assert any(e == ".env" or e.get("path") == ".env" for e in gateway["env_file"])
    assert "qdrant" in gateway["depends_on"]
    assert services["qdrant"]["image"].startswith("qdrant/qdrant:")


def test_compose_rollback_service_uses_v1_image() -> None:
    v1 = _compose()["services"]["v1"]
    assert v1["build"]["dockerfile"] == "Dockerfile.v1"
    assert v1["profiles"] == ["rollback"]


def test_compose_build_contexts_exist() -> None:
    for name, service in _compose()["services"].items():
        if "build" in service:
            assert (
                ROOT / service["build"]["context"] / service["build"]["dockerfile"]
            ).is_file(), name
