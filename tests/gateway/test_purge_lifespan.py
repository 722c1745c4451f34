"""The gateway purges old records at start-up (and then every PURGE_INTERVAL_MIN)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select
from starlette.testclient import TestClient

import gateway.app
from core.settings import Settings
from core.store.db import get_engine
from core.store.models import Evaluation, utcnow


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
