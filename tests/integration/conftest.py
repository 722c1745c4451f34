"""Fixtures of the end-to-end LLM tests: dev/fake_llm.py on a free port, one per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.settings import Settings
from tests.conftest import SettingsFactory
from tests.utils.llm import configure_fake, fake_llm_server, reset_llm


@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    with fake_llm_server() as url:
        yield url


@pytest.fixture
def fake_llm(fake_url: str) -> Iterator[str]:
    """The fake server without faults and a clean LLM runtime (cache, circuit) around a test;
    a module that talks to it uses it for every test (`pytestmark`)."""
    configure_fake(fake_url, latency_ms=0, error_rate=0, malformed_rate=0)
    reset_llm()
    yield fake_url
    reset_llm()


@pytest.fixture
def llm_settings(make_settings: SettingsFactory, fake_url: str) -> Settings:
    return make_settings(
        mock_mode=False,
        openai_base_url=f"{fake_url}/v1",
        max_parallel=4,
        llm_max_retries=0,
        llm_timeout_s=10,
    )
