"""`reqgate ingest FILE...`: documents into the knowledge base from a shell, with a progress bar.

Runs the same core code as `POST /api/v1/files/ingest` on the configured Qdrant (QDRANT_URL,
else the embedded store at QDRANT_PATH, which a running gateway keeps locked: use a server,
or stop the gateway first) and prints the route's JSON answer. The bar (on stderr, only at a
terminal) counts chunk steps: each chunk embedded (with a dense provider) and upserted.
Exit code 0 when every file is indexed, 1 when the store or the embeddings provider failed
(409, 503; the files before the failing one are indexed), 2 for unusable files or settings.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from core.contract.vectors import IngestPublic
from core.exceptions import ApiError, ConfigError
from core.settings import Settings, get_settings
from core.vectors import (
    IngestReport,
    Upload,
    VectorStore,
    close_clients,
    ingest_summary,
    prepare_files,
    write_files,
)

CLIENT_ERRORS = frozenset({400, 413, 415})  # the files are unusable; 409/503: the store failed


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("ingest", help="index documents into the knowledge base")
    parser.add_argument(
        "files", type=Path, nargs="+", metavar="FILE", help=".md .txt .json .csv .pdf .docx"
    )
    parser.set_defaults(handler=run)


def ingest_paths(settings: Settings, paths: list[Path]) -> IngestPublic:
    """Index the files as the route does, showing the bar; raises ApiError as the route."""
    uploads = [Upload(path.name, path.read_bytes()) for path in paths]
    store = VectorStore(settings)
    files = prepare_files(
        store,
        uploads=uploads,
        chunk_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
    )
    steps = sum(len(file.chunks) for file in files) * (1 + (store.provider.embedder is not None))
    counted = {"embedded": 0, "upserted": 0}  # the upload's chunks on the bar, per step
    report = IngestReport(0, 0, 0, 0)
    with tqdm(total=steps, file=sys.stderr, unit="step", disable=None, leave=False) as bar:
        for progress in write_files(store, files):
            report = progress.report
            if progress.step == "extracted":
                continue
            bar.set_description(f"{progress.step} {progress.file.name}", refresh=False)
            bar.update(progress.total_done - counted[progress.step])
            counted[progress.step] = progress.total_done
    return ingest_summary(store, report)


def run(args: argparse.Namespace) -> int:
    try:
        answer = ingest_paths(get_settings(), args.files)
    except ConfigError as exc:
        print(f"reqgate: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"reqgate: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(f"reqgate: {exc.message}", file=sys.stderr)
        return 2 if exc.status in CLIENT_ERRORS else 1
    finally:
        close_clients()  # releases the embedded store's lock
    wire = answer.model_dump(mode="json", by_alias=True)  # with qdrantPort, as the route
    sys.stdout.write(json.dumps(wire, indent=2) + "\n")
    return 0
