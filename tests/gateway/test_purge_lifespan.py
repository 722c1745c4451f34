"""The gateway purges old records (and, with VECTOR_RETENTION_H, old knowledge-base chunks)
at start-up (and then every PURGE_INTERVAL_MIN)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from qdrant_client import models
from sqlmodel import Session, select
from starlette.testclient import TestClient

import gateway.app
from core.settings import Settings
from core.store.db import get_engine
from core.store.models import Evaluation, utcnow
from core.vectors import VectorStore, close_clients


def test_gateway_startup_purges_old_evaluations(make_settings: type[Settings]) -> None:
    settings = make_settings(purge_retention_h=24)
    client = TestClient(gateway.app.create_app(settings))
    for _ in range(2):
        client.post("/api/v1/evaluations", json={"requirementText": "The system shall start."})
    engine = get_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        old = session.exec(select(Evaluation)).first()
        assert old is not None
        old.created_at = utcnow() - timedelta(days=3)
        session.add(old)
        session.commit()
        old_id = old.id

    with TestClient(gateway.app.create_app(settings)):  # runs the lifespan
        pass

    with Session(engine) as session:
        remaining = session.exec(select(Evaluation.id)).all()
    assert old_id not in remaining and len(remaining) == 1


def test_gateway_startup_purges_old_chunks_with_vector_retention(
    make_settings: type[Settings], tmp_path: Path
) -> None:
    settings = make_settings(qdrant_path=tmp_path / "qdrant", vector_retention_h=24)
    client = TestClient(gateway.app.create_app(settings))
    for name in ("old.md", "new.md"):
        files = [("files", (name, b"The system shall keep chunks."))]
        assert client.post("/api/v1/files/ingest", files=files).status_code == 200
    store = VectorStore(settings)  # the same embedded client as the gateway's v2
    old = (utcnow() - timedelta(days=3)).isoformat()
    store.connection.client.set_payload(
        store.collection,
        payload={"createdAt": old},
        points=models.Filter(
            must=[models.FieldCondition(key="sourceFile", match=models.MatchValue(value="old.md"))]
        ),
    )

    with TestClient(gateway.app.create_app(settings)):  # runs the lifespan: purge, then close
        pass

    assert store.source_chunks("old.md") == []
    assert len(store.source_chunks("new.md")) == 1
    close_clients()
