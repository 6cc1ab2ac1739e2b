"""Background tasks of the sales app."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from connexion.lib.periodic import every
from connexion.sales.activities import services as activity_services


@every(timedelta(minutes=1))
@task()
def send_due_reminders() -> int:
    """Delivers the task reminders that have come due, in the application and
    by email; each once. Returns how many were delivered."""
    return activity_services.send_due_reminders()
