"""/metrics: the figures of the brief (requests, latencies, queue depth, sealer lag, failed
sign-ins), labelled by URL pattern only, and shown only to the token's bearer or to this machine."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opennrm.audit.services import record


def _value(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if line.split("{")[0].split(" ")[0] == name and all(
            found.get(k) == v for k, v in labels.items()
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _metrics(**headers: str) -> str:
    response = Client(**headers).get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


def test_requests_latencies_and_failed_signins_are_counted(db: None) -> None:
    before = _metrics()
    Client().get("/healthz")
    Client().post("/accounts/login/", {"login": "nobody-here", "password": "wrong password!"})
    after = _metrics()
    labels = {"route": "/healthz", "method": "GET", "status": "200"}
    assert _value(after, "opennrm_http_requests_total", **labels) == (
        _value(before, "opennrm_http_requests_total", **labels) + 1
    )
    count = "opennrm_http_request_duration_seconds_count"
    assert _value(after, count, route="/healthz", method="GET") == (
        _value(before, count, route="/healthz", method="GET") + 1
    )
    assert _value(after, "opennrm_signin_failures_total") == (
        _value(before, "opennrm_signin_failures_total") + 1
    )


@override_settings(AUDIT_SEALER="external")
def test_queue_depth_and_sealer_lag_come_from_the_database(db: None) -> None:
    record(actor=None, verb="test.waiting", actor_label="t")
    text = _metrics()
    assert _value(text, "opennrm_audit_unsealed_entries") >= 1
    assert "opennrm_audit_sealer_lag_seconds" in text
    assert 'opennrm_task_queue_depth{queue="default"} 0.0' in text


@override_settings(
    TASKS={"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}
)
def test_each_queue_has_its_own_depth_and_oldest_wait(db: None) -> None:
    """A CTDC file waiting 20 minutes on the ``long`` queue (its worker stopped) shows on that
    queue, not mixed with the short jobs of ``default`` (nor hidden by them): each queue of the
    settings has its own series. A task enqueued to run at once counts as waiting (it did not:
    only tasks scheduled for later were counted, so the queue always read empty); one scheduled
    for later does not count until its time."""
    from opennrm.lifecycle.tasks import heartbeat
    from opennrm.statistics.tasks import make_ctdc

    assert 'opennrm_task_queue_depth{queue="long"} 0.0' in _metrics()
    make_ctdc.enqueue(1)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=20))
    heartbeat.enqueue()
    heartbeat.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    text = _metrics()
    assert _value(text, "opennrm_task_queue_depth", queue="long") == 1
    assert _value(text, "opennrm_task_queue_oldest_seconds", queue="long") >= 1200
    assert _value(text, "opennrm_task_queue_depth", queue="default") == 1
    assert _value(text, "opennrm_task_queue_oldest_seconds", queue="default") < 60


def test_labels_are_url_patterns_never_paths_or_queries(db: None) -> None:
    Client().get("/cases/12345/?q=Petrović")
    text = _metrics()
    # Label values only: a sample's timestamp may hold the digits 12345 (1.79651048123e+09).
    labels = re.findall(r'="([^"]*)"', text)
    assert not [label for label in labels if "12345" in label or "Petrović" in label]
    assert "Petrović" not in text
    assert 'route="/cases/<int:pk>/"' in text


def test_a_request_through_the_proxy_is_refused_without_a_token(db: None) -> None:
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.9").get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 404


@override_settings(OPENNRM_METRICS_TOKEN="metrics-token-0123456789")
@pytest.mark.parametrize(
    ("header", "status"),
    [
        (None, 404),
        ("Bearer wrong-token", 404),
        ("Bearer metrics-token-0123456789", 200),
    ],
)
def test_with_a_token_only_its_bearer_gets_the_metrics(
    db: None, header: str | None, status: int
) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    assert Client(**extra).get("/metrics").status_code == status
