"""Reads of imports. The report of an import shows rows of personal data, so
reading it is recorded, as the people selectors do."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access
from connexion.imports.models import ImportIssue, ImportJob


def job_for(viewer: Any, job_id: int) -> ImportJob:
    """One of the viewer's own imports."""
    job = (
        ImportJob.objects.select_related("related_person", "partner", "source")
        .filter(pk=job_id, created_by=viewer)
        .first()
    )
    if job is None:
        raise Http404
    return job


def recent_jobs(viewer: Any, limit: int = 20) -> list[ImportJob]:
    return list(ImportJob.objects.filter(created_by=viewer)[:limit])


def job_issues(
    viewer: Any, job: ImportJob, *, limit: int | None = None, action: str = "imports.issues",
    channel: str = AuditEvent.Channel.UI,
) -> list[ImportIssue]:  # fmt: skip
    """The rows that were not imported, with their values and reasons."""
    issues = job.issues.order_by("row_number")
    shown = list(issues[:limit] if limit else issues)
    if shown:
        record_access(viewer, action, "imports.importjob", [str(job.pk)], channel=channel)
    return shown
