"""`reqgate evaluate FILE.md`: the batch routes offline, as a CI gate for specifications.

Runs the same core code as `POST /api/v1/batch/{evaluate,suggest,rewrite}` on the file,
against a throwaway in-memory database (a CI run records nothing), and prints JSON equal
to the API's, the merged markdown table, or CSV. Exit code 0 when every requirement
passes, 1 when any fails or could not be evaluated, 2 for unusable input.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from sqlmodel import Session
from tqdm import tqdm

from core.batch import Mode, answer_table
from core.contract.batch import BatchPublic
from core.contract.bodies import BatchInput, read_requirements_file
from core.contract.wire import to_wire
from core.exceptions import ApiError, ConfigError
from core.runtime import open_store
from core.settings import Settings, get_settings

IN_MEMORY_DB = "sqlite://"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("evaluate", help="evaluate a markdown requirements table offline")
    parser.add_argument(
        "file", type=Path, help="markdown file with an | id | requirementText | context | table"
    )
    parser.add_argument("--format", choices=("md", "json", "csv"), default="md")
    parser.add_argument("--suggest", action="store_true", help="add suggestion atoms")
    parser.add_argument("--rewrite", action="store_true", help="add a redefined requirement")
    parser.set_defaults(handler=run)


def _csv(result: BatchPublic, mode: Mode) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    extra = {
        "evaluate": [],
        "suggest": ["suggestions"],
        "rewrite": ["suggestions", "redefinedRequirement"],
    }[mode]
    writer.writerow(["id", "line", "score", "verdict", *extra, "error"])
    for row_id, item in result.items.items():
        values = [row_id, item.line, item.evaluation.score, item.evaluation.verdict]
        if mode != "evaluate":
            values.append("\n".join(a.notes or a.correction for a in item.suggestions or []))
        if mode == "rewrite":
            values.append(item.redefined_requirement or "")
        writer.writerow([*values, ""])
    for row_id, error in result.errors.items():
        writer.writerow([row_id, "", "", "error", *[""] * len(extra), error.message])
    return out.getvalue()


def render(result: BatchPublic, mode: Mode, fmt: str) -> str:
    """The report in the chosen format; json is byte-for-byte the API's JSON, indented."""
    if fmt == "json":
        return json.dumps(to_wire(result), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(result, mode)
    return (
        result.merged_markdown
        if result.merged_markdown.endswith("\n")
        else (result.merged_markdown + "\n")
    )


def evaluate_file(settings: Settings, path: Path, mode: Mode) -> BatchPublic:
    """Run the batch on the file with a progress bar on stderr (only when it is a terminal)."""
    offline = settings.model_copy(
        update={"database_url": IN_MEMORY_DB, "requirements_md_path": path}
    )
    table = read_requirements_file(offline)
    engine = open_store(offline)
    with (
        Session(engine, expire_on_commit=False) as session,
        tqdm(
            total=len(table.rows), file=sys.stderr, unit="req", disable=None, leave=False
        ) as progress,
    ):
        return answer_table(
            session=session,
            settings=offline,
            source=BatchInput(table),
            mode=mode,
            variant="cli",
            on_item=lambda: progress.update(),
        ).public()


def run(args: argparse.Namespace) -> int:
    mode: Mode = "rewrite" if args.rewrite else "suggest" if args.suggest else "evaluate"
    try:
        result = evaluate_file(get_settings(), args.file, mode)
    except ConfigError as exc:
        print(f"reqgate: {exc}", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(f"reqgate: {args.file}: {exc.message}", file=sys.stderr)
        for problem in exc.details if isinstance(exc.details, list) else []:
            print(f"  line {problem.get('line')}: {problem.get('message')}", file=sys.stderr)
        return 2
    sys.stdout.write(render(result, mode, args.format))
    failed = result.errors or any(i.evaluation.verdict == "fail" for i in result.items.values())
    return 1 if failed else 0
