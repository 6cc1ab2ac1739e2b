from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connexion.accounts.permissions import require_permission
from connexion.imports import services
from connexion.imports.forms import MappingForm, UploadForm
from connexion.imports.models import ImportIssue, ImportJob
from connexion.imports.rows import initial_mapping, label
from connexion.imports.selectors import job_for, job_issues, recent_jobs
from connexion.lib.forms import put_errors
from connexion.lib.spreadsheet import spreadsheet_cell

people_access = require_permission("accounts.access_people")

# Where a service's errors about the provenance go on the mapping form.
_SOURCE_FIELDS = {
    "related_person": "source_related_person",
    "partner": "source_partner",
    "agreement_reference": "source_agreement_reference",
    "kind": "source_kind",
}


@login_required
@people_access
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.create_job(request.user, upload, upload.name, form.table)
        return redirect("imports:mapping", job.pk)
    context = {"form": form, "jobs": recent_jobs(request.user)}
    return render(request, "imports/upload.html", context)


@login_required
@people_access
def mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_for(request.user, job_id)
    if job.status != ImportJob.Status.UPLOADED:
        return redirect("imports:job", job.pk)
    sample = services.sample_rows(job)
    guessed = initial_mapping(
        job.headers, [cells for _number, cells in sample], services.remembered_mapping(request.user)
    )
    form = MappingForm(
        request.POST or None, headers=job.headers, initial=MappingForm.initial_for(job, guessed)
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            services.configure_job(request.user, job, **form.job_values())
            if request.POST.get("action") == "start":
                services.start_job(request.user, job)
                messages.success(request, _("The import has started."))
                return redirect("imports:job", job.pk)
        except ValidationError as error:
            put_errors(form, error, _SOURCE_FIELDS.get)
        else:
            preview = services.preview(job)
    columns = [
        (
            field,
            [cells[index] for _number, cells in sample[:3] if index < len(cells) and cells[index]],
        )
        for index, field in enumerate(form.column_fields())
    ]
    context = {
        "job": job,
        "form": form,
        "columns": columns,
        "preview": preview,
        "preview_headers": [label(name) for name in job.mapping if name] if preview else [],
    }
    return render(request, "imports/mapping.html", context)


def _job_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    processed, percent = services.progress(job)
    context: dict[str, Any] = {"job": job, "processed": processed, "percent": percent}
    if job.status == ImportJob.Status.DONE:
        issues = job_issues(request.user, job, limit=100)
        context["issues"] = [
            (issue, [(label(name), message) for name, message in issue.problems])
            for issue in issues
        ]
    return context


@login_required
@people_access
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_for(request.user, job_id)
    if job.status == ImportJob.Status.UPLOADED:
        return redirect("imports:mapping", job.pk)
    return render(request, "imports/job.html", _job_context(request, job))


@login_required
@people_access
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """What the job page polls every second until the import is over."""
    job = job_for(request.user, job_id)
    return render(request, "imports/progress.html", _job_context(request, job))


@require_POST
@login_required
@people_access
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_for(request.user, job_id)
    try:
        services.start_job(request.user, job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import has started again."))
    return redirect("imports:job", job.pk)


@login_required
@people_access
def job_report(request: HttpRequest, job_id: int) -> HttpResponse:
    """The rows that were not imported, as CSV: the file's own columns after the
    row number and the reasons, so the rows can be corrected and imported again."""
    job = job_for(request.user, job_id)
    issues = job_issues(request.user, job, action="imports.report")
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that Excel reads the Thai text as UTF-8
    writer = csv.writer(buffer)
    # The file's own cells, and the reasons that quote them, are written as the
    # people export writes names: never as a formula a spreadsheet would run.
    writer.writerow(
        [spreadsheet_cell(cell) for cell in (_("Row"), _("Outcome"), _("Problems"), *job.headers)]
    )
    for issue in issues:
        problems = "; ".join(
            f"{label(name)}: {message}" if label(name) else message
            for name, message in issue.problems
        )
        outcome = ImportIssue.Outcome(issue.outcome).label
        row = [issue.row_number, outcome, problems, *issue.values]
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response
