"""The retention sweep (policy clause 7): once a day, and when the privacy
officer starts it from the retention page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from connexion.lib.periodic import every
from connexion.privacy.engines import retention


@every(timedelta(days=1))
@task()
def apply_retention_rules() -> dict[str, Any]:
    """Applies every retention rule in force; expired export bundles go too."""
    run = retention.run_retention()
    return {
        "run": run.pk,
        "counts": run.counts,
        "exports_deleted": retention.purge_expired_exports(),
    }


@task()
def run_retention_rules(triggered_by: int | None = None) -> dict[str, Any]:
    """The run the privacy officer starts by hand."""
    actor = get_user_model().objects.filter(pk=triggered_by).first() if triggered_by else None
    run = retention.run_retention(actor=actor)
    return {"run": run.pk, "counts": run.counts}
