from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from connexion.people.selectors import organizations_page, people_page


def _after(request: HttpRequest) -> int | None:
    raw = request.GET.get("after", "")
    return int(raw) if raw.isdigit() else None


@login_required
@permission_required("accounts.access_people", raise_exception=True)
def person_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    page = people_page(request.user, query=query, after=_after(request))
    # htmx asks for the rows only while the user types or pages.
    template = "people/person_rows.html" if request.htmx else "people/person_list.html"
    return render(request, template, {"page": page, "query": query})


@login_required
@permission_required("accounts.access_people", raise_exception=True)
def organization_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    page = organizations_page(request.user, query=query, after=_after(request))
    template = "people/organization_rows.html" if request.htmx else "people/organization_list.html"
    return render(request, template, {"page": page, "query": query})
