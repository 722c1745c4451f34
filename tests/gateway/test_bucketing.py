"""Acceptance 1: sticky, Unleash-compatible canary buckets and their explanation."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.testclient import TestClient

from gateway.bucketing import bucket_for, cookie_value
from tests.gateway.conftest import ADMIN, GatewayFactory

CRITERIA = "/api/v1/criteria"
USERS = [f"user-{n}" for n in range(2000)]


def _variants(client: TestClient, users: list[str]) -> dict[str, str]:
    """Each user's variant, asked in one event loop (a TestClient call costs a loop each)."""

    async def ask() -> dict[str, str]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            return {
                user: (await http.get(CRITERIA, headers={"X-User-Id": user})).headers["X-Variant"]
                for user in users
            }

    return asyncio.run(ask())


@pytest.mark.parametrize(("group", "key", "bucket"), [("gr1", "123", 73), ("groupX", "999", 25)])
def test_compute_bucket_unleash_vectors(group: str, key: str, bucket: int) -> None:
    assert bucket_for(group, key) == bucket


@pytest.mark.parametrize(("group", "key", "bucket"), [("gr1", "123", 73), ("groupX", "999", 25)])
def test_explain_key_unleash_vectors(
    make_gateway: GatewayFactory, group: str, key: str, bucket: int
) -> None:
    client = make_gateway(canary_group=group, canary_percent=50)
    body = client.get("/api/runtime-config/explain", params={"key": key}).json()
    assert body["bucket"] == bucket
    assert body["group"] == group
    assert body["variant"] == ("v2" if bucket <= 50 else "v1")
    assert body["reason"] == ("canary" if bucket <= 50 else "canary-holdout")


def test_route_canary_share_sticky_and_monotonic(make_gateway: GatewayFactory) -> None:
    client = make_gateway(canary_percent=30)
    at_30 = _variants(client, USERS)
    share = sum(v == "v2" for v in at_30.values()) / len(USERS)
    assert 0.27 <= share <= 0.33
    for _ in range(5):
        assert _variants(client, USERS[:400]) == {user: at_30[user] for user in USERS[:400]}
    client.patch("/api/runtime-config/flags", json={"canaryPercent": 50}, headers=ADMIN)
    at_50 = _variants(client, USERS)
    assert all(at_50[user] == "v2" for user, variant in at_30.items() if variant == "v2")
    assert 0.47 <= sum(v == "v2" for v in at_50.values()) / len(USERS) <= 0.53


def test_route_canary_headers_match_explain(make_gateway: GatewayFactory) -> None:
    client = make_gateway(canary_percent=30)
    response = client.get(CRITERIA, headers={"X-User-Id": "alice"})
    explained = client.get("/api/runtime-config/explain", params={"key": "alice"}).json()
    assert response.headers["X-Variant-Bucket"] == str(explained["bucket"])
    assert response.headers["X-Variant"] == explained["variant"]
    assert response.headers["X-Variant-Reason"] == explained["reason"]


def test_route_sticky_cookie_set_and_used(make_gateway: GatewayFactory) -> None:
    client = make_gateway(canary_percent=50)
    first = client.get(CRITERIA)
    cookie = first.headers["set-cookie"]
    assert "reqgate_key=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    again = client.get(CRITERIA)  # the client sends the cookie back
    assert "set-cookie" not in again.headers
    assert again.headers["X-Variant-Bucket"] == first.headers["X-Variant-Bucket"]


def test_route_sticky_cookie_kept_beside_cookie_old_spec_refuses(
    make_gateway: GatewayFactory,
) -> None:
    """A browser also sends the cookies of other apps on the host, in whatever form they
    were set: the client keeps its bucket, and gets no new key."""
    client = make_gateway(canary_percent=50)
    response = client.get(CRITERIA, headers={"Cookie": "theme=dark mode; reqgate_key=zzz"})
    assert response.headers["X-Variant-Bucket"] == str(bucket_for("reqgate-v2", "zzz"))
    assert "set-cookie" not in response.headers


def test_route_sticky_header_beats_cookie(make_gateway: GatewayFactory) -> None:
    client = make_gateway(canary_percent=50, canary_sticky_header="X-Tenant")
    response = client.get(CRITERIA, headers={"X-Tenant": "t-1", "Cookie": "reqgate_key=zzz"})
    assert response.headers["X-Variant-Bucket"] == str(bucket_for("reqgate-v2", "t-1"))


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("reqgate_key=abc", "abc"),
        ("a=1; reqgate_key=abc; b=2", "abc"),
        ("other=1", None),
        ('reqgate_key=\x00"', None),
        (None, None),
        # another site's cookie that the old spec refuses must not hide ours
        ("theme=dark mode; reqgate_key=abc", "abc"),
        ('prefs={"a":1}; reqgate_key=abc', "abc"),
        ("reqgate_key=abc; note=a b", "abc"),
        ('reqgate_key="abc"', "abc"),
        ("reqgate_key=; a=1", None),
        ("xreqgate_key=abc", None),
        ("reqgate_key=a b", None),
    ],
)
def test_read_cookie_value_cases(header: str | None, value: str | None) -> None:
    assert cookie_value(header) == value


@pytest.mark.parametrize(("percent", "reason"), [(0, "default"), (100, "canary")])
def test_route_canary_edges(make_gateway: GatewayFactory, percent: int, reason: str) -> None:
    client = make_gateway(canary_percent=percent)
    reasons = {
        client.get(CRITERIA, headers={"X-User-Id": u}).headers["X-Variant-Reason"]
        for u in USERS[:50]
    }
    assert reasons == {reason}


def test_explain_key_missing_is_400(client: TestClient) -> None:
    response = client.get("/api/runtime-config/explain")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
