"""Pages for likely duplicates and for merging two people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from connexion.accounts.permissions import require_permission
from connexion.people.duplicates import duplicates_page
from connexion.people.merge import field_groups, merge_comparison, merge_people
from connexion.people.selectors import person_or_404

people_access = require_permission("accounts.access_people")


@login_required
@people_access
def duplicates(request: HttpRequest) -> HttpResponse:
    result = duplicates_page(request.user, request.GET.get("page"))
    context = {"page": result.page, "capped": result.capped, "max_pairs": result.limit}
    return render(request, "people/duplicates.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@people_access
def merge(request: HttpRequest, keep_id: int, other_id: int) -> HttpResponse:
    status = 200
    chosen = None
    if request.method == "POST":
        kept = person_or_404(request.user, keep_id)
        other = person_or_404(request.user, other_id)
        chosen = [
            group.key
            for group in field_groups()
            if request.POST.get(f"choice_{group.key}") == "other"
        ]
        try:
            merge_people(request.user, kept, other, take_from_other=chosen)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            status = 422
        else:
            messages.success(
                request, _("The two records were merged into %(name)s.") % {"name": kept}
            )
            return redirect("people:person_detail", kept.pk)
    comparison = merge_comparison(request.user, keep_id, other_id, chosen=chosen)
    if comparison.problem and status == 200:
        status = 400
    return render(request, "people/merge.html", {"comparison": comparison}, status=status)
