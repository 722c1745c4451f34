"""`reqgate`: serve the gateway, and operate it from a shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import flags
from core.exceptions import ConfigError
from core.settings import get_settings


def _serve(_args: argparse.Namespace) -> int:
    import uvicorn

    try:
        settings = get_settings()
    except ConfigError as exc:
        print(f"reqgate: {exc}", file=sys.stderr)
        return 2
    print(f"reqgate: gateway on http://{settings.api_host}:{settings.api_port}", file=sys.stderr)
    uvicorn.run("gateway.main:app", host=settings.api_host, port=settings.api_port,
                access_log=False, log_config=None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reqgate", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="start the gateway on API_HOST:API_PORT").set_defaults(
        handler=_serve
    )
    flags.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
