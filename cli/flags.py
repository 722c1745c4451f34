"""`reqgate flags show|set|rollback|audit`: operate the flags of a running gateway.

Talks HTTP to the gateway's admin API (never to the database directly), so the change is
audited and every worker and replica picks it up within a second.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

import httpx

from core.exceptions import ConfigError
from core.settings import get_settings

FLAGS = "/api/runtime-config/flags"


def _bool(value: str) -> bool:
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off"):
        return False
    raise argparse.ArgumentTypeError("expected true or false")


def _percent(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 100:
        raise argparse.ArgumentTypeError("expected 0..100")
    return number


def _defaults() -> tuple[str, str | None]:
    try:
        settings = get_settings()
    except ConfigError:
        return "http://127.0.0.1:8087", None
    return f"http://{settings.api_host}:{settings.api_port}", settings.admin_token


def _call(args: argparse.Namespace, method: str, path: str, body: Any = None) -> int:
    url, token = _defaults()
    headers = {"X-Actor": getpass.getuser()}
    if token := args.token or token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = httpx.request(
            method, (args.url or url).rstrip("/") + path, json=body, headers=headers, timeout=10
        )
    except httpx.TransportError as exc:
        print(f"reqgate: gateway unreachable: {type(exc).__name__}", file=sys.stderr)
        return 1
    print(json.dumps(response.json(), indent=2))
    return 0 if response.is_success else 1


def _show(args: argparse.Namespace) -> int:
    return _call(args, "GET", "/api/runtime-config")


def _set(args: argparse.Namespace) -> int:
    body = {
        key: value
        for key, value in (
            ("canaryPercent", args.canary),
            ("featureFlagUseV2", args.use_v2),
            ("shadowPercent", args.shadow),
        )
        if value is not None
    }
    if not body:
        print("reqgate: give at least one of --canary, --use-v2, --shadow", file=sys.stderr)
        return 2
    return _call(args, "PATCH", FLAGS, {**body, "reason": args.reason})


def _rollback(args: argparse.Namespace) -> int:
    return _call(args, "POST", FLAGS + "/rollback", {"reason": args.reason or "rollback"})


def _audit(args: argparse.Namespace) -> int:
    return _call(args, "GET", f"{FLAGS}/audit?limit={args.limit}")


def add_parser(commands: Any) -> None:
    """Register `flags` and its subcommands on the top-level parser."""
    flags = commands.add_parser("flags", help="show or change a running gateway's flags")
    flags.add_argument("--url", help="gateway base URL (default http://API_HOST:API_PORT)")
    flags.add_argument("--token", help="admin token (default ADMIN_TOKEN)")
    actions = flags.add_subparsers(dest="action", required=True)
    actions.add_parser("show", help="flags with epoch and source, effective settings").set_defaults(
        handler=_show
    )
    change = actions.add_parser("set", help="change flags (audited)")
    change.add_argument("--canary", type=_percent, help="CANARY_PERCENT 0..100")
    change.add_argument("--use-v2", type=_bool, help="FEATURE_FLAG_USE_V2 true|false")
    change.add_argument("--shadow", type=_percent, help="SHADOW_PERCENT 0..100")
    change.add_argument("--reason", default="", help="why (kept in the audit)")
    change.set_defaults(handler=_set)
    rollback = actions.add_parser("rollback", help="all traffic to v1 now")
    rollback.add_argument("--reason", default="", help="why (kept in the audit)")
    rollback.set_defaults(handler=_rollback)
    audit = actions.add_parser("audit", help="latest flag changes, newest first")
    audit.add_argument("--limit", type=int, default=20)
    audit.set_defaults(handler=_audit)
