"""The knowledge base's migration tool: `reqgate qdrant ...` under the name the 409 names.

    .venv/bin/python dev/qdrant_migrate.py status
    .venv/bin/python dev/qdrant_migrate.py export --out backups/kb-2026-12-01

Subcommands, confirmations and exit codes: cli/qdrant.py; runbook: docs/operations.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from cli.qdrant import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
