"""Background delivery of transnational packages (``db_worker``), with retries and backoff."""

from __future__ import annotations

from django.tasks import task

from opennrm.transnational import services


@task()
def deliver_packages() -> dict[str, int]:
    """Deliver what is due; ``manage.py trm_deliver`` (cron, every minute) picks up retries."""
    return services.deliver_due()
