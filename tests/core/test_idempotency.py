"""Derived row ids (core.idempotency): exactly the UUID5 that uuid.uuid5 gives, for good."""

from __future__ import annotations

import uuid

import pytest

from core.idempotency import NAMESPACE, derived_id


@pytest.mark.parametrize(
    "parts",
    [
        (),
        ("",),
        ("a1b2c3d4-0000-4000-8000-000000000000", "detail", "clarity"),
        ("req-1", "evaluations", "0", "f" * 64),
        ("Grüße", "€", "\U0001f600", "x" * 500),
    ],
)
def test_derived_id_is_the_uuid5_of_the_joined_parts(parts: tuple[str, ...]) -> None:
    assert derived_id(parts) == str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def test_derived_ids_match_uuid5_over_many_names() -> None:
    """Every version/variant digit the digest can give (the variant's 8, 9, a and b)."""
    for number in range(4096):
        parts = (f"request-{number}", "suggestion", str(number % 7))
        assert derived_id(parts) == str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def test_derived_id_is_stable_across_releases() -> None:
    # a stored row's id: another value would give a retry new ids, and so duplicate rows
    assert derived_id(("r", "detail", "clarity")) == "6e2409ae-4c82-501c-a1d8-ae6113f5fa2a"
