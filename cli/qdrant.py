"""`reqgate qdrant ...` (and dev/qdrant_migrate.py): back up, restore and re-embed the
knowledge base on the Qdrant the settings name (QDRANT_URL, else embedded QDRANT_PATH).

Destructive steps are dry runs without --confirm. Exit codes: 0 done (or nothing to do);
1 written, but what was read back differs (count or checksum); 2 refused: a dry run
(nothing changed), bad settings or arguments, a missing, corrupt or mismatching export, a
collection built for another provider; 3 Qdrant unavailable (server unreachable, or the
embedded path held by a running gateway); 130 interrupted. Runbook: docs/operations.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.exceptions import ApiError, ConfigError, Unavailable
from core.settings import Settings, get_settings
from core.vectors import close_clients
from core.vectors import migrate as kb
from core.vectors.store import SCROLL_PAGE, VectorStore

OK, UNVERIFIED, REFUSED, UNAVAILABLE, INTERRUPTED = 0, 1, 2, 3, 130
NOT_IN_NAMES = '<>:"/\\|?*'  # Qdrant refuses these in collection names
Action = Callable[[Settings, argparse.Namespace], int]


def add_parser(commands: Any) -> None:
    """Register `qdrant` and its subcommands on the top-level parser."""
    add_actions(commands.add_parser("qdrant", help="back up, restore, re-embed the knowledge base"))


def main(argv: Sequence[str] | None = None) -> int:
    """dev/qdrant_migrate.py: the same subcommands without `reqgate qdrant` in front."""
    parser = argparse.ArgumentParser(prog="qdrant_migrate.py", description=__doc__)
    add_actions(parser)
    args = parser.parse_args(argv)
    return int(args.handler(args))


def add_actions(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    _action(actions, "status", _status, "collections, points, vectors, what is configured")
    _action(actions, "create", _create, "create the configured collection if it is missing")
    recreate = _action(
        actions, "recreate", _recreate, "drop the configured collection, create it empty"
    )
    _confirm(recreate, "drop it (without: a dry run)")
    export = _action(actions, "export", _export, "write every point to files in a new directory")
    export.add_argument("--out", type=Path, required=True, metavar="DIR")
    export.add_argument("--collection", type=_name, help="default QDRANT_COLLECTION")
    _batch(export)
    restore = _action(actions, "import", _import, "restore an export and verify it")
    restore.add_argument("--from", dest="source", type=Path, required=True, metavar="DIR")
    restore.add_argument("--collection", type=_name, help="default QDRANT_COLLECTION")
    _confirm(restore, "replace the points of a collection that holds other data")
    _batch(restore)
    reembed = _action(actions, "reembed", _reembed, "re-embed into a new collection")
    reembed.add_argument("--to", dest="target", type=_name, required=True, metavar="NAME")
    reembed.add_argument("--from", dest="source", type=_name, help="default QDRANT_COLLECTION")
    reembed.add_argument("--switch", action="store_true", help="then switch (see `switch`)")
    _confirm(reembed, "replace the points of a target that holds some")
    _batch(reembed)
    switch = _action(actions, "switch", _switch, "mark the old collection superseded by NAME")
    switch.add_argument("--to", dest="target", type=_name, required=True, metavar="NAME")
    switch.add_argument("--from", dest="source", type=_name, help="default QDRANT_COLLECTION")


def _action(actions: Any, name: str, action: Action, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=text, description=text)
    parser.set_defaults(handler=lambda args: _guarded(action, args))
    return parser


def _confirm(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--confirm", action="store_true", help=text)


def _batch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch", type=_batch_size, default=SCROLL_PAGE, help="points per call")


def _name(value: str) -> str:
    """A name Qdrant accepts (so that a typo is a usage error, not a server's 4xx)."""
    if not 1 <= len(value) <= 255 or any(char in value for char in NOT_IN_NAMES):
        raise argparse.ArgumentTypeError(f"1 to 255 characters, none of {NOT_IN_NAMES}")
    return value


def _batch_size(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 10_000:
        raise argparse.ArgumentTypeError("expected 1..10000")
    return int(value)


def _guarded(action: Action, args: argparse.Namespace) -> int:
    """Operator mistakes and outages as one line on stderr and an exit code."""
    try:
        settings = get_settings()
    except ConfigError as exc:
        return _fail(str(exc), REFUSED)
    try:
        return action(settings, args)
    except Unavailable as exc:
        cause = f" ({type(exc.__cause__).__name__})" if exc.__cause__ else ""
        hint = "is the server up?" if settings.qdrant_url else "stop the gateway that uses it"
        return _fail(f"{exc.message}{cause}: {hint}", UNAVAILABLE)
    except ApiError as exc:
        return _fail(exc.message, REFUSED)
    except ConfigError as exc:  # e.g. EMBEDDINGS_DIM missing for the model
        return _fail(str(exc), REFUSED)
    except KeyboardInterrupt:
        return _fail("interrupted", INTERRUPTED)
    finally:
        close_clients()  # release the embedded path's lock at once


def _fail(message: str, code: int) -> int:
    print(f"reqgate: {message}", file=sys.stderr)
    return code


def _dry_run(plan: str) -> int:
    print(plan)
    return _fail("dry run, nothing changed: repeat with --confirm", REFUSED)


@contextmanager
def _progress(total: int | None, what: str) -> Iterator[kb.OnBatch]:
    """A bar on stderr, only when it is a terminal (as `reqgate evaluate`)."""
    with tqdm(total=total, file=sys.stderr, unit="pt", desc=what, disable=None, leave=False) as bar:
        yield bar.update


def _provider(wanted: dict[str, Any]) -> str:
    if wanted["provider"] == "none":
        return "provider none (sparse only)"
    return f"provider {wanted['provider']} model {wanted['model']} ({wanted['dim']} dimensions)"


def _status(settings: Settings, _args: argparse.Namespace) -> int:
    print(json.dumps(kb.status(settings), indent=2))
    return OK


def _create(settings: Settings, _args: argparse.Namespace) -> int:
    store = VectorStore(settings)
    existed = store.count() is not None
    store.ensure_collection()
    done = "exists, built" if existed else "created"
    print(f"collection {store.collection} {done} for {_provider(store.wanted())}")
    return OK


def _recreate(settings: Settings, args: argparse.Namespace) -> int:
    store = VectorStore(settings)
    held = store.count()
    if not args.confirm:
        what = "which does not exist" if held is None else f"deleting its {held} points"
        return _dry_run(
            f"would drop collection {store.collection} ({what}) and create it empty"
            f" for {_provider(store.wanted())}"
        )
    dropped = kb.recreate(store)
    print(f"dropped {dropped} points; collection {store.collection} created empty")
    return OK


def _export(settings: Settings, args: argparse.Namespace) -> int:
    name = args.collection or settings.qdrant_collection
    store = kb.store_for(settings, name)
    with _progress(store.count(), "export") as on_batch:
        manifest = kb.export(store.connection, name, args.out, batch=args.batch, on_batch=on_batch)
    print(
        f"exported {manifest.count} points of {name} to {args.out}"
        f" (checksum {manifest.checksum[:12]})"
    )
    return OK


def _import(settings: Settings, args: argparse.Namespace) -> int:
    name = args.collection or settings.qdrant_collection
    store = kb.store_for(settings, name)
    plan = kb.plan_import(store.connection, args.source, name, batch=args.batch)
    export = plan.manifest
    if plan.holds_export:
        print(f"collection {name} holds this export already ({export.count} points)")
        return OK
    if plan.replaces and not args.confirm:
        return _dry_run(
            f"collection {name} holds {plan.points} points that are not this export: importing"
            f" deletes them and restores the export's {export.count} points"
        )
    if kb.identity(export.metadata) != store.wanted():
        print(
            f"reqgate: note: the export was built for {_provider(export.metadata)}: the service"
            f" answers 409 on it until EMBEDDINGS_* say so too",
            file=sys.stderr,
        )
    with _progress(export.count, "import") as on_batch:
        found = kb.run_import(store.connection, plan, batch=args.batch, on_batch=on_batch)
    return _verified(found, f"imported {export.count} points from {args.source} into {name}")


def _verified(found: kb.Verification, done: str) -> int:
    if not found.ok:
        return _fail(
            f"verification failed: {found.collection} holds {found.count} points (checksum"
            f" {found.checksum[:12]}), expected {found.expected_count}"
            f" ({found.expected_checksum[:12]})",
            UNVERIFIED,
        )
    print(f"{done}; verified: {found.count} points, checksum {found.checksum[:12]}")
    return OK


def _reembed(settings: Settings, args: argparse.Namespace) -> int:
    source = args.source or settings.qdrant_collection
    plan = kb.plan_reembed(settings, source=source, target=args.target)
    if plan.replaces and not args.confirm:
        return _dry_run(
            f"collection {plan.target} holds {plan.target_points} points: re-embedding deletes"
            f" them and writes the {plan.points} points of {source} anew"
        )
    with _progress(plan.points, "reembed") as on_batch:
        found = kb.reembed(settings, plan, batch=args.batch, on_batch=on_batch)
    code = _verified(found, f"re-embedded {source} into {plan.target} for {_provider(plan.wanted)}")
    if code != OK:
        return code
    if args.switch:
        return _switch(settings, args)
    print(
        f"collection {source} is untouched; switch with: reqgate qdrant switch --to {plan.target}"
    )
    return OK


def _switch(settings: Settings, args: argparse.Namespace) -> int:
    source = args.source or settings.qdrant_collection
    kb.switch(settings, source=source, target=args.target)
    lines = [
        f"QDRANT_COLLECTION={args.target}",
        f"EMBEDDINGS_PROVIDER={settings.embeddings_provider}",
    ]
    if settings.embeddings_provider == "openai":
        lines.append(f"EMBEDDINGS_MODEL={settings.embeddings_model}")
        if settings.embeddings_dim is not None:
            lines.append(f"EMBEDDINGS_DIM={settings.embeddings_dim}")
    print(f"collection {source} is marked superseded by {args.target}; its points stay.")
    print("Set in the service's environment (.env or compose) and restart it:")
    print("\n".join(f"  {line}" for line in lines))
    print(f"Rollback: QDRANT_COLLECTION={source} and the EMBEDDINGS_* it was served with.")
    return OK
