from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils import timezone
from django.views.generic import RedirectView

from connexion.accounts.permissions import MissingPermission
from connexion.accounts.visibility import owned_by_visible
from connexion.people.models import Organization, Person
from connexion.ui.navigation import area_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {"today": timezone.localdate(), "counts": None}
    if request.user.has_perm("accounts.access_people"):
        # Counts only: no personal data is shown here.
        people = Person.objects.filter(owned_by_visible(request.user), merged_into__isnull=True)
        context["counts"] = {
            "people": people.count(),
            "customers": people.filter(lifecycle_stage=Person.Lifecycle.CUSTOMER).count(),
            "organizations": Organization.objects.count(),
        }
    return render(request, "ui/home.html", context)


def _area_view(url_name: str):  # type: ignore[no-untyped-def]
    area = area_for(url_name)

    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(area.permission):
            raise Http404
        return render(request, "ui/area_pending.html", {"area": area})

    return view


# The deals area lives in the sales app; its first address still leads there.
deals = login_required(RedirectView.as_view(pattern_name="sales:deal_list"))
inbox = _area_view("ui:inbox")
billing = _area_view("ui:billing")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A translated refusal that names what is missing and who can give it."""
    context: dict[str, object] = {}
    if isinstance(exception, MissingPermission):
        context = {"missing": exception.label, "roles": exception.granting_roles}
    return render(request, "403.html", context, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be the database the context needs.
    return HttpResponse(get_template("500.html").render(), status=500)
