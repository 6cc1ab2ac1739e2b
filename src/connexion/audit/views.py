from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from connexion.accounts.permissions import require_permission
from connexion.accounts.visibility import owned_by_visible
from connexion.audit import selectors
from connexion.audit.forms import AuditFilterForm
from connexion.lib.http import parse_id
from connexion.people.models import Person


@login_required
@require_permission(selectors.VIEW_PERMISSION)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The privacy officer's search of the audit log: by staff member, person, date."""
    form = AuditFilterForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        criteria = form.criteria()
    elif not form.is_bound:
        criteria = selectors.AuditFilter()
    else:
        criteria = None
    if criteria is not None:
        page = selectors.search_audit_log(
            request.user, criteria, before=parse_id(request.GET.get("before"))
        )
    query = request.GET.copy()
    query.pop("before", None)
    template = (
        "audit/log_rows.html" if request.htmx and request.GET.get("before") else "audit/log.html"
    )
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@login_required
def person_viewers(request: HttpRequest, person_id: int) -> HttpResponse:
    # The same 404 whether the record is missing or the viewer may not know who saw it.
    if (
        not selectors.can_read_audit_log(request.user)
        or not Person.objects.filter(owned_by_visible(request.user), pk=person_id).exists()
    ):
        raise Http404
    events = selectors.person_viewers(request.user, person_id)
    return render(request, "audit/person_viewers.html", {"events": events, "person_id": person_id})
