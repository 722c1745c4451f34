"""`reqgate`: serve the gateway, and operate it from a shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import evaluate, flags, ingest, qdrant
from core.exceptions import ConfigError
from core.settings import get_settings, load_settings


def _serve(args: argparse.Namespace) -> int:
    from gateway.serving import serve  # uvicorn and the gateway load for `serve` alone

    try:
        settings = (
            get_settings() if args.workers is None else load_settings(api_workers=args.workers)
        )
    except ConfigError as exc:
        print(f"reqgate: {exc}", file=sys.stderr)
        return 2
    workers = f" ({settings.api_workers} workers)" if settings.api_workers > 1 else ""
    print(
        f"reqgate: gateway on http://{settings.api_host}:{settings.api_port}{workers}",
        file=sys.stderr,
    )
    serve(settings)
    return 0


def _purge(args: argparse.Namespace) -> int:
    """Delete old records, after saying what goes; destructive, so it needs a confirmation:
    --yes, or the word typed at a terminal."""
    from core.runtime import open_store
    from core.store.purge import count_older_than, purge_older_than

    settings = get_settings()
    hours = settings.purge_retention_h if args.older_than_hours is None else args.older_than_hours
    store = open_store(settings)
    planned = count_older_than(store, hours=hours)
    print(
        f"will delete {planned.evaluations} evaluations, {planned.rewrites} rewrites and "
        f"{planned.decisions} decisions "
        f"older than {planned.cutoff.isoformat(timespec='seconds')}"
    )
    if not args.yes and not _confirmed():
        print("reqgate: nothing deleted; confirm with --yes", file=sys.stderr)
        return 2
    report = purge_older_than(store, hours=hours)
    print(
        f"purged {report.evaluations} evaluations, {report.rewrites} rewrites and "
        f"{report.decisions} decisions "
        f"older than {report.cutoff.isoformat(timespec='seconds')}"
    )
    return 0


def _confirmed() -> bool:
    """At a terminal, the operator types 'purge'; without one (scripts, CI) only --yes."""
    if not sys.stdin.isatty():
        return False
    return input("type 'purge' to delete them: ").strip() == "purge"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reqgate", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the gateway on API_HOST:API_PORT")
    serve.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes (default API_WORKERS)"
    )
    serve.set_defaults(handler=_serve)
    purge = commands.add_parser("purge", help="delete records older than PURGE_RETENTION_H")
    purge.add_argument("--older-than-hours", type=int, default=None, metavar="H")
    purge.add_argument("--yes", action="store_true", help="delete without asking")
    purge.set_defaults(handler=_purge)
    evaluate.add_parser(commands)
    ingest.add_parser(commands)
    flags.add_parser(commands)
    qdrant.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
