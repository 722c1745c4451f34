"""The routing headers a RequestInfo turns into (DESIGN §3)."""

from __future__ import annotations

import pytest

from gateway.context import RequestInfo


@pytest.mark.parametrize("bucket", [1, 73, 100, 0, 250])
def test_tag_response_bucket_any_value(bucket: int) -> None:
    info = RequestInfo("rid-1", variant="v2", reason="canary", bucket=bucket)
    assert info.tags() == [
        (b"x-request-id", b"rid-1"),
        (b"x-variant", b"v2"),
        (b"x-variant-reason", b"canary"),
        (b"x-variant-bucket", str(bucket).encode()),
    ]


def test_tag_response_cookie_no_bucket() -> None:
    info = RequestInfo("rid-2", set_cookie=b"reqgate_key=rid-2")
    assert info.tags() == [
        (b"x-request-id", b"rid-2"),
        (b"x-variant", b"gateway"),
        (b"x-variant-reason", b"gateway"),
        (b"set-cookie", b"reqgate_key=rid-2"),
    ]
