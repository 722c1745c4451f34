"""Settings: defaults, validation messages that name the variable, start-up refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.exceptions import ConfigError
from core.settings import load_settings

ROOT = Path(__file__).parents[2]


def test_load_settings_defaults() -> None:
    settings = load_settings(_env_file=None)
    assert settings.api_port == 8087
    assert settings.canary_percent == 0 and settings.feature_flag_use_v2 is False
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.max_batch_items == 1000 and settings.max_requirement_chars == 5000
    assert settings.canary_group == "reqgate-v2" and settings.canary_sticky_header == "X-User-Id"
    assert settings.sqlalchemy_url.startswith("sqlite:///")
    assert settings.llm_enabled is False


@pytest.mark.parametrize(
    "overrides, variable",
    [
        ({"canary_percent": 150}, "CANARY_PERCENT"),
        ({"canary_percent": -1}, "CANARY_PERCENT"),
        ({"shadow_percent": 101}, "SHADOW_PERCENT"),
        ({"feature_flag_use_v2": "maybe"}, "FEATURE_FLAG_USE_V2"),
        ({"purge_retention_h": -5}, "PURGE_RETENTION_H"),
        ({"verdict_threshold": 1.5}, "VERDICT_THRESHOLD"),
        ({"api_port": 70000}, "API_PORT"),
        ({"api_workers": 0}, "API_WORKERS"),
        ({"api_workers": 2}, "API_WORKERS above 1 needs QDRANT_URL"),
        ({"api_workers": 2, "qdrant_path": ":memory:"}, "API_WORKERS above 1 needs QDRANT_URL"),
        ({"log_format": "xml"}, "LOG_FORMAT"),
        ({"max_concurrent_batches": 0}, "MAX_CONCURRENT_BATCHES"),
        ({"admin_token": "changeme"}, "ADMIN_TOKEN"),
        ({"admin_token": "short"}, "ADMIN_TOKEN"),
        ({"http_header_timeout_s": 0}, "HTTP_HEADER_TIMEOUT_S"),
        ({"http_body_timeout_s": -1}, "HTTP_BODY_TIMEOUT_S"),
        ({"http_keep_alive_s": 0.5}, "HTTP_KEEP_ALIVE_S"),
        ({"http_max_head_bytes": 100}, "HTTP_MAX_HEAD_BYTES"),
        ({"v2_engine": "gpt"}, "V2_ENGINE"),
        ({"v2_llm_prompts_dir": "/no/such/dir"}, "V2_LLM_PROMPTS_DIR"),
    ],
)
def test_load_settings_invalid_names_variable(overrides: dict[str, object], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings(_env_file=None, **overrides)


@pytest.mark.parametrize(
    "elsewhere", [{"qdrant_url": "http://qdrant:6333"}, {"v2_upstream_url": "http://v2:8088"}]
)
def test_load_settings_workers_with_knowledge_base_elsewhere(elsewhere: dict[str, str]) -> None:
    """No worker opens an embedded Qdrant: a server holds it, or v2 runs in its own process."""
    assert load_settings(_env_file=None, api_workers=4, **elsewhere).api_workers == 4


def test_load_settings_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANARY_PERCENT", "25")
    monkeypatch.setenv("FEATURE_FLAG_USE_V2", "true")
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    settings = load_settings(_env_file=None)
    assert settings.canary_percent == 25 and settings.feature_flag_use_v2 is True
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CANARY_PERCENT", "150", "less than or equal to 100"),
        ("V2_ENGINE", "llm", "needs OPENAI_BASE_URL or OPENAI_API_KEY"),
    ],
)
def test_start_gateway_invalid_setting_exits_nonzero(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")},
        variable: value,
        "SQLITE_PATH": str(tmp_path / "x.db"),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "uvicorn", "gateway.main:app", "--port", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode != 0
    assert variable in completed.stderr and message in completed.stderr
    assert "Traceback" not in completed.stderr


def test_env_example_lists_every_setting() -> None:
    from core.settings import Settings

    documented = (ROOT / ".env.example").read_text()
    missing = [
        name.upper() for name in Settings.model_fields if f"\n{name.upper()}=" not in documented
    ]
    assert missing == []


def test_load_settings_env_example_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copying .env.example to .env must start, empty values meaning 'not set'."""
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.admin_token is None and settings.database_url is None
    assert settings.cors_origins == [] and settings.api_port == 8087


@pytest.mark.parametrize("token", ["MySecret123", "change-me-please-now"])
def test_load_settings_never_echoes_a_secret(token: str) -> None:
    """Issue 12, defect 9: a refused ADMIN_TOKEN stops start-up without showing its value."""
    with pytest.raises(ConfigError) as refused:
        load_settings(admin_token=token, _env_file=None)
    assert "ADMIN_TOKEN" in str(refused.value) and token not in str(refused.value)


def test_load_settings_model_rule_never_echoes_a_secret() -> None:
    """A rule over several settings has no one value to show: it must not show them all."""
    with pytest.raises(ConfigError) as refused:
        load_settings(
            _env_file=None, chunk_tokens=16, chunk_overlap_tokens=20, openai_api_key="sk-s3cret"
        )
    assert "CHUNK_OVERLAP_TOKENS" in str(refused.value) and "sk-s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    "endpoint", [{"openai_api_key": "sk-x"}, {"openai_base_url": "http://l/v1"}]
)
def test_load_settings_v2_engine_llm_with_endpoint(endpoint: dict[str, str]) -> None:
    settings = load_settings(_env_file=None, v2_engine="llm", **endpoint)
    assert settings.llm_enabled is False and settings.for_variant("v2").llm_enabled is True


def test_load_settings_v2_engine_llm_without_endpoint_refused() -> None:
    with pytest.raises(ConfigError, match="V2_ENGINE: .*needs OPENAI_BASE_URL or OPENAI_API_KEY"):
        load_settings(_env_file=None, v2_engine="llm", mock_mode=False)


@pytest.mark.parametrize("v2_own", [False, True])
def test_for_variant_v2_replaces_engine_model_and_prompts_where_set(
    tmp_path: Path, v2_own: bool
) -> None:
    for name in ("v1", "v2"):
        (tmp_path / name).mkdir()
    own = {"v2_engine": "heuristic", "v2_openai_model": "b", "v2_llm_prompts_dir": tmp_path / "v2"}
    shared = load_settings(
        _env_file=None,
        mock_mode=False,
        openai_base_url="http://llm.test/v1",
        openai_model="a",
        llm_prompts_dir=tmp_path / "v1",
        **(own if v2_own else {}),
    )
    v2 = shared.for_variant("v2")
    assert (v2.mock_mode, v2.openai_model, v2.llm_prompts_dir) == (
        (True, "b", tmp_path / "v2") if v2_own else (False, "a", tmp_path / "v1")
    )
    assert shared.for_variant("v1") is shared
    assert (shared.mock_mode, shared.openai_model) == (False, "a")
    assert v2.for_variant("v2") == v2  # asking the copy again changes nothing more
