"""`reqgate qdrant`: back up, restore and re-embed the knowledge base on embedded Qdrant."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cli.qdrant
from cli.main import main
from core.exceptions import Conflict
from core.settings import Settings
from core.vectors import Upload, VectorStore, close_clients, ingest, migrate
from tests.conftest import SettingsFactory
from tests.utils.embeddings import BASE_URL, embeddings_answer, fake_embeddings

ROOT = Path(__file__).parents[2]
DOCUMENTS = [
    Upload("backup.md", b"The system shall encrypt backups at rest. " * 12),
    Upload("login.txt", "Das System muss Anmeldungen protokollieren. Über alles.".encode() * 9),
    Upload("keys.md", b"Operators rotate their keys once a year; each rotation is logged."),
]


@pytest.fixture(autouse=True)
def _close_vector_clients() -> Iterator[None]:
    yield
    close_clients()


@pytest.fixture
def kb(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> KnowledgeBase:
    fake_embeddings(monkeypatch, embeddings_answer)
    return KnowledgeBase(make_settings, monkeypatch, tmp_path / "qdrant")


class KnowledgeBase:
    """An on-disk embedded Qdrant, with the settings `reqgate qdrant` runs with."""

    def __init__(
        self, make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch, path: Path
    ) -> None:
        self._make, self._monkeypatch, self.path = make_settings, monkeypatch, path
        self.configure(dim=8)

    def configure(self, **overrides: Any) -> Settings:
        """Settings as the operator's environment gives them; dim: the dense vectors' size."""
        dim = overrides.pop("dim", None)
        dense = {"embeddings_provider": "openai", "embeddings_dim": dim} if dim else {}
        self.settings = self._make(
            qdrant_path=self.path,
            chunk_tokens=16,
            chunk_overlap_tokens=2,
            openai_base_url=BASE_URL,
            **dense,
            **overrides,
        )
        self._monkeypatch.setattr(cli.qdrant, "get_settings", lambda: self.settings)
        return self.settings

    def store(self, collection: str | None = None) -> VectorStore:
        name = collection or self.settings.qdrant_collection
        return VectorStore(self.settings.model_copy(update={"qdrant_collection": name}))

    def ingest(self, uploads: list[Upload] = DOCUMENTS) -> int:
        store = self.store()
        report = ingest(store, uploads=uploads, chunk_tokens=16, overlap_tokens=2)
        close_clients()  # as the gateway's shutdown does: the tool takes the path's lock
        return report.chunks

    def points(self, collection: str | None = None) -> dict[str, tuple[Any, Any]]:
        """Every point's payload and vectors, by id."""
        client = self.store(collection).connection.client
        records, _ = client.scroll(
            collection or self.settings.qdrant_collection,
            limit=10_000,
            with_payload=True,
            with_vectors=True,
        )
        close_clients()
        return {str(r.id): (r.payload, r.vector) for r in records}

    def info(self, collection: str) -> Any:
        info = self.store(collection).connection.client.get_collection(collection)
        close_clients()
        return info


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["qdrant", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_same_points(restored: dict[str, Any], original: dict[str, Any]) -> None:
    """Ids and payloads equal; sparse vectors equal; dense ones to float32 precision
    (Qdrant normalises cosine vectors again on upsert, which can move the last bit)."""
    assert restored.keys() == original.keys()
    for point_id, (payload, vectors) in original.items():
        assert restored[point_id][0] == payload
        again = restored[point_id][1]
        assert again["sparse"] == vectors["sparse"]
        assert again["dense"] == pytest.approx(vectors["dense"], abs=1e-6)


def test_qdrant_export_recreate_import_restores_every_point(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    chunks = kb.ingest()
    original = kb.points()
    assert len(original) == chunks > 3

    code, out, _ = _run(capsys, "export", "--out", str(tmp_path / "backup"), "--batch", "2")
    assert code == 0 and f"exported {chunks} points" in out
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["count"] == chunks
    assert manifest["layout"]["dense"] == {"dense": {"size": 8, "distance": "Cosine"}}
    assert manifest["metadata"] == {
        "provider": "openai",
        "model": "text-embedding-3-small",
        "dim": 8,
    }

    assert _run(capsys, "recreate", "--confirm")[0] == 0
    assert kb.points() == {}

    code, out, _ = _run(capsys, "import", "--from", str(tmp_path / "backup"), "--batch", "3")
    assert code == 0
    assert f"verified: {chunks} points, checksum {manifest['checksum'][:12]}" in out
    _assert_same_points(kb.points(), original)
    hits = kb.store().search("Anmeldungen protokollieren", top_k=1).hits
    assert "Anmeldungen" in hits[0].payload["text"]

    code, out, _ = _run(capsys, "import", "--from", str(tmp_path / "backup"))
    assert code == 0 and "holds this export already" in out


def test_qdrant_destructive_steps_are_dry_runs_without_confirm(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    chunks = kb.ingest()
    original = kb.points()
    code, out, err = _run(capsys, "recreate")
    assert code == 2 and f"deleting its {chunks} points" in out and "--confirm" in err
    assert kb.points() == original

    assert _run(capsys, "reembed", "--to", "copy")[0] == 0
    copy = kb.points("copy")
    code, out, err = _run(capsys, "reembed", "--to", "copy")
    assert code == 2 and f"copy holds {chunks} points" in out and "dry run" in err
    assert kb.points("copy") == copy and kb.points() == original


def test_qdrant_import_refuses_other_data_without_confirm(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    kb.ingest()
    assert _run(capsys, "export", "--out", str(tmp_path / "backup"))[0] == 0
    kb.ingest([Upload("later.md", b"Uploaded after the backup was made.")])
    changed = kb.points()

    code, out, err = _run(capsys, "import", "--from", str(tmp_path / "backup"))
    assert code == 2 and "not this export" in out and "dry run, nothing changed" in err
    assert kb.points() == changed

    code, out, _ = _run(capsys, "import", "--from", str(tmp_path / "backup"), "--confirm")
    assert code == 0 and "verified" in out
    assert len(kb.points()) == len(changed) - 1  # later.md is gone: the backup is restored


def test_qdrant_reembed_other_dimension_keeps_old_collection_until_switch(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    chunks = kb.ingest()
    old = kb.points()
    old_config = kb.info("requirements_v2").config

    kb.configure(dim=16)  # the operator's new provider
    code, out, _ = _run(capsys, "reembed", "--to", "kb16", "--batch", "2")
    assert code == 0 and f"verified: {chunks} points" in out
    assert "requirements_v2 is untouched" in out

    assert kb.points() == old and kb.info("requirements_v2").config == old_config
    new = kb.points("kb16")
    assert {k: payload for k, (payload, _) in new.items()} == {k: p for k, (p, _) in old.items()}
    assert all(len(vectors["dense"]) == 16 for _, vectors in new.values())
    hits = kb.store("kb16").search("encrypt backups", top_k=1).hits
    assert hits and hits[0].payload["sourceFile"] == "backup.md"
    with pytest.raises(Conflict, match="dev/qdrant_migrate.py"):
        kb.store().search("backups", top_k=1)  # the old one, with the new provider

    code, out, _ = _run(capsys, "switch", "--to", "kb16")
    assert code == 0
    assert "  QDRANT_COLLECTION=kb16\n  EMBEDDINGS_PROVIDER=openai\n" in out
    assert "EMBEDDINGS_DIM=16" in out and "Rollback: QDRANT_COLLECTION=requirements_v2" in out
    assert kb.points() == old
    assert kb.info("requirements_v2").config.metadata["supersededBy"] == "kb16"
    with pytest.raises(Conflict, match="set QDRANT_COLLECTION=kb16"):
        kb.store().search("backups", top_k=1)
    kb.configure(dim=8)  # a rollback: the old settings serve the old collection as before
    assert kb.store().search("backups", top_k=1).hits


def test_qdrant_reembed_switch_at_once(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.ingest()
    kb.configure()  # sparse only
    code, out, _ = _run(capsys, "reembed", "--to", "sparse_kb", "--switch")
    assert code == 0 and "EMBEDDINGS_PROVIDER=none" in out and "EMBEDDINGS_DIM" not in out
    assert kb.info("sparse_kb").config.params.vectors == {}
    code, out, _ = _run(capsys, "reembed", "--from", "sparse_kb", "--to", "again", "--switch")
    assert code == 0
    assert kb.info("sparse_kb").config.metadata == {
        "provider": "none",
        "model": None,
        "dim": None,
        "supersededBy": "again",
    }


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "manifest.json").unlink(), "no manifest.json"),
        (lambda d: (d / "manifest.json").write_text("{"), "not a reqgate-qdrant-export/1 manifest"),
        (lambda d: _edit_line(d, lambda line: line[:-9]), "line 2: not a point"),
        (lambda d: _edit_line(d, _other_text), "was changed"),
        (lambda d: _edit_line(d, lambda line: ""), "holds 13 points"),
        (lambda d: _edit_line(d, _shorter_dense), "line 2: dense vector dense does not fit"),
    ],
)
def test_qdrant_import_refuses_broken_export_and_writes_nothing(
    kb: KnowledgeBase,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    damage: Any,
    message: str,
) -> None:
    kb.ingest()
    _run(capsys, "export", "--out", str(tmp_path / "backup"))
    damage(tmp_path / "backup")
    code, _, err = _run(capsys, "import", "--from", str(tmp_path / "backup"), "--collection", "x")
    assert code == 2 and message in err and "Traceback" not in err
    assert "x" not in [c["name"] for c in json.loads(_run(capsys, "status")[1])["collections"]]


def _edit_line(directory: Path, edit: Any) -> None:
    """Change the second point of the export."""
    path = directory / "points.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    assert len(lines) == 14  # the chunks of DOCUMENTS
    lines[1] = edit(lines[1])
    path.write_text("".join(lines))


def _other_text(line: str) -> str:
    point = json.loads(line)
    point["payload"]["text"] += "!"
    return json.dumps(point) + "\n"


def _shorter_dense(line: str) -> str:
    point = json.loads(line)
    point["vectors"]["dense"] = point["vectors"]["dense"][:4]
    return json.dumps(point) + "\n"


def test_qdrant_import_names_both_layouts_on_mismatch(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    kb.ingest()
    _run(capsys, "export", "--out", str(tmp_path / "backup"))
    kb.configure()  # sparse only
    assert _run(capsys, "reembed", "--to", "sparse_kb")[0] == 0
    code, _, err = _run(
        capsys, "import", "--from", str(tmp_path / "backup"), "--collection", "sparse_kb"
    )
    assert code == 2
    assert "sparse_kb holds sparse sparse (idf) (provider none" in err
    assert "holds dense dense 8 Cosine, sparse sparse (idf) (provider openai" in err


def test_qdrant_import_into_new_collection_keeps_the_exports_layout(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    chunks = kb.ingest()
    _run(capsys, "export", "--out", str(tmp_path / "backup"))
    kb.configure()  # sparse only: the service could not search an 8-dimension collection
    code, out, err = _run(capsys, "import", "--from", str(tmp_path / "backup"), "--collection", "y")
    assert code == 0 and f"verified: {chunks} points" in out
    assert "built for provider openai" in err and "409" in err
    assert kb.info("y").config.params.vectors["dense"].size == 8


def test_qdrant_export_refuses_a_used_directory_and_a_missing_collection(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    kb.ingest()
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    code, _, err = _run(capsys, "export", "--out", str(tmp_path / "used"))
    assert code == 2 and "not an empty directory" in err
    assert (tmp_path / "used" / "notes.txt").read_text() == "keep me"
    code, _, err = _run(capsys, "export", "--out", str(tmp_path / "new"), "--collection", "nope")
    assert code == 2 and "collection nope does not exist" in err


def test_qdrant_status_create_and_unavailable(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "create")
    assert code == 0 and "created for provider openai model text-embedding-3-small (8" in out
    assert "exists, built for" in _run(capsys, "create")[1]
    kb.ingest()
    status = json.loads(_run(capsys, "status")[1])
    assert status["mode"] == "embedded" and status["location"] == str(kb.path.resolve())
    assert status["configured"]["collection"] == "requirements_v2"
    (collection,) = status["collections"]
    assert collection["points"] > 3 and collection["configured"]
    assert collection["opensWithConfiguredProvider"]
    assert collection["vectors"]["vectors"]["dense"]["size"] == 8
    assert collection["metadata"]["dim"] == 8
    kb.configure(dim=16)
    assert not json.loads(_run(capsys, "status")[1])["collections"][0][
        "opensWithConfiguredProvider"
    ]
    code, _, err = _run(capsys, "create")
    assert code == 2 and "holds vectors of provider openai" in err

    kb.configure(qdrant_url="http://127.0.0.1:9")  # nothing listens on the discard port
    code, _, err = _run(capsys, "status")
    assert code == 3 and "the vector store is unavailable" in err and "server up" in err


@pytest.mark.parametrize(
    "command",
    [["-m", "cli.main", "qdrant"], [str(ROOT / "dev" / "qdrant_migrate.py")]],
    ids=["reqgate-qdrant", "dev-script"],
)
def test_qdrant_status_runs_as_a_command(tmp_path: Path, command: list[str]) -> None:
    env = {"PYTHONPATH": str(ROOT), "QDRANT_PATH": str(tmp_path / "q"), "QDRANT_URL": ""}
    env["QDRANT_COLLECTION"] = "kb"
    argv = [sys.executable, *command, "status"]
    done = subprocess.run(argv, cwd=tmp_path, env=os.environ | env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["configured"]["collection"] == "kb" and status["collections"] == []


def test_qdrant_export_embedded_import_server(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The same commands on both modes: only the environment changes in between."""
    url = os.environ.get("QDRANT_URL")
    if not url:
        pytest.skip("no Qdrant server: set QDRANT_URL (and QDRANT_API_KEY) to run this mode")
    chunks = kb.ingest()
    original = kb.points()
    assert _run(capsys, "export", "--out", str(tmp_path / "backup"))[0] == 0
    name = f"test_{uuid.uuid4().hex[:12]}"
    kb.configure(
        dim=8,
        qdrant_url=url,
        qdrant_api_key=os.environ.get("QDRANT_API_KEY"),
        qdrant_collection=name,
    )
    try:
        code, out, _ = _run(capsys, "import", "--from", str(tmp_path / "backup"))
        assert code == 0 and f"verified: {chunks} points" in out
        _assert_same_points(kb.points(), original)
    finally:
        kb.store().reset()


def test_qdrant_switch_refuses_missing_or_incomplete_target(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.ingest()
    code, _, err = _run(capsys, "switch", "--to", "nope")
    assert code == 2 and "collection nope does not exist" in err
    assert _run(capsys, "reembed", "--to", "copy")[0] == 0
    kb.ingest([Upload("later.md", b"Uploaded after the re-embedding.")])
    code, _, err = _run(capsys, "switch", "--to", "copy")
    assert code == 2 and "re-embed again" in err
    assert "supersededBy" not in kb.info("requirements_v2").config.metadata


def test_qdrant_refuses_names_qdrant_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["qdrant", "reembed", "--to", "a/b"])
    assert exited.value.code == 2 and "none of" in capsys.readouterr().err


def test_qdrant_import_exits_1_when_the_read_back_differs(
    kb: KnowledgeBase,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    kb.ingest()
    _run(capsys, "export", "--out", str(tmp_path / "backup"))
    real = migrate.verify

    def one_lost(*args: Any, **kwargs: Any) -> migrate.Verification:
        found = real(*args, **kwargs)
        return dataclasses.replace(found, count=found.count - 1)

    monkeypatch.setattr(migrate, "verify", one_lost)
    code, out, err = _run(capsys, "import", "--from", str(tmp_path / "backup"), "--collection", "z")
    assert code == 1 and "verification failed: z holds 13 points" in err and not out


def test_qdrant_bad_provider_settings_exit_2(
    kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    kb.configure(embeddings_provider="openai", embeddings_model="mine")  # size unknown
    code, _, err = _run(capsys, "status")
    assert code == 2 and "EMBEDDINGS_DIM" in err
