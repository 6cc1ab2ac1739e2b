"""The bulk people export (CSV, Excel) through the use door: the user says what the
file is for, people whose restriction or objection forbids that purpose are left
out (the page says how many before the download), and every person included or
left out is recorded as a use. An export for an outside party is also a disclosure
and goes in the disclosure register (policy 6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from connexion.accounts.permissions import require_permission
from connexion.people import exports
from connexion.people.forms import PersonFilterForm
from connexion.people.models import Person
from connexion.people.selectors import PersonFilters, people_for_export
from connexion.privacy.ledger import uses
from connexion.privacy.ledger.decisions import Decision
from connexion.privacy.models import DataUse, Purpose

FORMATS = ("csv", "xlsx")
people_access = require_permission("accounts.access_people")


class PeopleExportForm(forms.Form):
    purpose = forms.ModelChoiceField(
        label=_("What is the file for?"),
        queryset=Purpose.objects.filter(is_active=True).order_by("policy_clause", "code"),
        empty_label=_("Choose the purpose"),
    )
    reference = forms.CharField(
        label=_("Order or law"),
        max_length=200,
        required=False,
        help_text=_("Only for a purpose on a legal obligation."),
    )


@dataclass
class ExportPreview:
    matching: int
    left_out: list[tuple[Person, Decision]]


def preview(viewer: Any, filters: PersonFilters, purpose: Purpose, reference: str) -> ExportPreview:
    """Who the export would leave out, recording nothing."""
    people = people_for_export(viewer, filters)
    batch, _decisions = uses.decide_many(viewer, people, purpose, reference=reference)
    return ExportPreview(len(people), batch.left_out)


def export_people(
    viewer: Any, filters: PersonFilters, purpose: Purpose, file_format: str, reference: str = ""
) -> HttpResponse:
    """The file of the people the purpose allows; the rest are left out and said so."""
    batch = uses.use_many(
        viewer,
        people_for_export(viewer, filters),
        purpose,
        action=DataUse.Action.EXPORT,
        reference=reference,
    )
    if file_format == "xlsx":
        response = exports.people_xlsx(batch.included, viewer)
    else:
        response = exports.people_csv(batch.included, viewer)
    response["X-Left-Out"] = str(len(batch.left_out))
    return response


@require_http_methods(["GET", "POST"])
@login_required
@people_access
def people_export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        raise Http404
    filters = PersonFilterForm(request.GET).filters()
    asked = request.POST if request.method == "POST" else request.GET
    form = PeopleExportForm(asked if "purpose" in asked else None)
    context: dict[str, Any] = {
        "form": form,
        "file_format": file_format,
        "query_string": request.GET.urlencode(),
        "preview": None,
    }
    if form.is_bound and form.is_valid():
        purpose, reference = form.cleaned_data["purpose"], form.cleaned_data["reference"]
        if request.method == "POST":
            return export_people(request.user, filters, purpose, file_format, reference)
        context["preview"] = preview(request.user, filters, purpose, reference)
    status = 422 if request.method == "POST" else 200
    return render(request, "privacy/people_export.html", context, status=status)
