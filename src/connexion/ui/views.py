from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connexion.accounts.models import User
from connexion.accounts.roles import ROLE_LABELS
from connexion.accounts.services import create_staff_user, set_roles
from connexion.people.models import Organization, Person
from connexion.ui.forms import NewStaffForm, StaffRolesForm
from connexion.ui.navigation import area_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {"today": timezone.localdate(), "counts": None}
    if request.user.has_perm("accounts.access_people"):
        # Counts only: no personal data is shown here.
        context["counts"] = {
            "people": Person.objects.count(),
            "customers": Person.objects.filter(lifecycle_stage=Person.Lifecycle.CUSTOMER).count(),
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


deals = _area_view("ui:deals")
inbox = _area_view("ui:inbox")
billing = _area_view("ui:billing")


@login_required
@permission_required("accounts.manage_staff", raise_exception=True)
def staff_settings(request: HttpRequest) -> HttpResponse:
    form = NewStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = create_staff_user(
                data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                roles=data["roles"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _("Staff user %(username)s created. Their first password is %(password)s")
                % {"username": user.username, "password": password},
            )
            return redirect("ui:settings")
    staff = User.objects.order_by("username").prefetch_related("groups")
    rows = [
        (
            member,
            [str(ROLE_LABELS.get(group.name, group.name)) for group in member.groups.all()],
            StaffRolesForm(initial={"roles": [group.name for group in member.groups.all()]}),
        )
        for member in staff
    ]
    return render(request, "ui/settings.html", {"rows": rows, "form": form})


@require_POST
@login_required
@permission_required("accounts.manage_staff", raise_exception=True)
def staff_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id)
    form = StaffRolesForm(request.POST)
    if form.is_valid():
        set_roles(member, form.cleaned_data["roles"], actor=request.user)
        messages.success(request, _("Roles of %(username)s saved.") % {"username": member})
    else:
        messages.error(request, _("Choose roles from the list."))
    return redirect("ui:settings")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be the database the context needs.
    return HttpResponse(get_template("500.html").render(), status=500)
