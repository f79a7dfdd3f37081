from __future__ import annotations

import datetime as dt

import pytest
from django.db.utils import OperationalError
from django.test import Client
from django.utils import timezone

from amparo.core.actions import record_heartbeat

pytestmark = pytest.mark.django_db


def test_it_reports_a_missing_worker_but_stays_up(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "worker": "missing",
        "worker_age_seconds": None,
    }


def test_it_reports_a_live_worker(client: Client) -> None:
    record_heartbeat(worker="test-worker", started_at=timezone.now())
    body = client.get("/healthz?strict=1").json()
    assert body["worker"] == "ok"
    assert body["worker_age_seconds"] < 5


def test_strict_mode_fails_when_the_worker_is_stale(client: Client, settings) -> None:
    long_ago = timezone.now() - dt.timedelta(hours=1)
    record_heartbeat(worker="old-worker", started_at=long_ago)
    from amparo.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update(beat_at=long_ago)
    assert client.get("/healthz").json()["worker"] == "stale"
    assert client.get("/healthz?strict=1").status_code == 503


def test_it_answers_503_when_the_database_is_down(client: Client, monkeypatch) -> None:
    def broken_cursor(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("amparo.core.queries.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "fail"


def test_ping_needs_no_database(client: Client) -> None:
    response = client.get("/healthz/ping")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_health_answers_are_never_cached(client: Client) -> None:
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
