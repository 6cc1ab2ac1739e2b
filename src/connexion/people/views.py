from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connexion.accounts.permissions import require_permission
from connexion.lib.forms import put_errors
from connexion.lib.http import text_param
from connexion.people import saved_views, services
from connexion.people.erased import erasure_of
from connexion.people.forms import (
    CONTACT_FORMS,
    NewOrganizationForm,
    NewPersonForm,
    OrganizationForm,
    OrganizationRoleForm,
    PersonFilterForm,
    PersonForm,
    RelationshipForm,
    contact_values,
)
from connexion.people.models import (
    EmailAddress,
    Organization,
    OrganizationRole,
    Person,
    PhoneNumber,
    PostalAddress,
    SavedView,
    SocialAccount,
)
from connexion.people.selectors import (
    PersonFilters,
    can_see_identity_numbers,
    organization_detail,
    organizations_page,
    people_page,
    person_detail,
    person_or_404,
)

people_access = require_permission("accounts.access_people")

CONTACT_MODELS = {
    "email": EmailAddress,
    "phone": PhoneNumber,
    "social": SocialAccount,
    "address": PostalAddress,
}


def _put_errors(form: Any, error: ValidationError) -> None:
    """A service names a source field by its model name; the form prefixes it."""
    put_errors(form, error, lambda name: name if name in form.fields else f"source_{name}")


def _filters(form: PersonFilterForm) -> PersonFilters:
    return form.filters()


# --- people list ------------------------------------------------------------


@login_required
@people_access
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET)
    filters = _filters(form)
    page = people_page(request.user, filters, request.GET.get("cursor"))
    query_string = request.GET.copy()
    query_string.pop("cursor", None)
    context = {
        "page": page,
        "form": form,
        "query_string": query_string.urlencode(),
        "saved_views": saved_views.saved_views(request.user, "people"),
    }
    # htmx asks for the rows alone while the user types, filters or pages.
    template = "people/person_rows.html" if request.htmx else "people/person_list.html"
    return render(request, template, context)


@require_POST
@login_required
@people_access
def save_view(request: HttpRequest) -> HttpResponse:
    name = text_param(request.POST, "name", 80).strip()
    query_string = text_param(request.POST, "query_string", 1000)
    if not name:
        messages.error(request, _("Give the view a name."))
    else:
        saved_views.save_view(request.user, "people", name, query_string)
        messages.success(request, _("View “%(name)s” saved.") % {"name": name})
    return redirect(f"{request.path.replace('views/save/', '')}?{query_string}")


@require_POST
@login_required
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    saved_views.delete_view(
        request.user, get_object_or_404(SavedView, pk=view_id, user=request.user)
    )
    return redirect("people:person_list")


# --- one person -------------------------------------------------------------


@login_required
@people_access
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    detail = person_detail(request.user, person_id)
    if detail.person.merged_into_id:
        messages.info(request, _("This record was merged into another one."))
    context = {
        "detail": detail,
        "erasure": erasure_of(detail.person),
        "person": detail.person,
        "contact_forms": {
            kind: form_class(prefix=kind) for kind, form_class in CONTACT_FORMS.items()
        },
        "role_form": OrganizationRoleForm(prefix="role"),
        "relationship_form": RelationshipForm(prefix="relationship"),
    }
    return render(request, "people/person_detail.html", context)


@login_required
@people_access
def person_create(request: HttpRequest) -> HttpResponse:
    form = NewPersonForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                source = services.create_source(request.user, **form.source_values())
                contacts = services.ContactDetails(
                    emails=[form.cleaned_data["email"]] if form.cleaned_data["email"] else [],
                    phones=[("mobile", form.cleaned_data["mobile"])]
                    if form.cleaned_data["mobile"]
                    else [],
                )
                values = form.person_values()
                values.pop("email")
                values.pop("mobile")
                person = services.create_person(
                    request.user,
                    source=source,
                    contacts=contacts,
                    tags=form.tag_names(),
                    **values,
                )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person})
            return redirect("people:person_detail", person.pk)
    return render(request, "people/person_form.html", {"form": form, "creating": True})


@login_required
@people_access
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request.user, person_id)
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person))
    if not can_see_identity_numbers(request.user):
        # A role that may not see identity numbers does not get to change them.
        for name in ("national_id", "passport_number", "passport_country"):
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                request.user, person, tags=form.tag_names(), **form.person_values()
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("people:person_detail", person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@require_POST
@login_required
@people_access
def contact_add(request: HttpRequest, owner_type: str, owner_id: int, kind: str) -> HttpResponse:
    owner = _owner(request.user, owner_type, owner_id)
    form_class = CONTACT_FORMS.get(kind)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=kind)
    if form.is_valid():
        try:
            with transaction.atomic():
                source = services.create_source(request.user, **form.source_values())
                services.add_contact_point(
                    request.user, owner, kind, contact_values(form), source=source
                )
        except ValidationError as error:
            _put_errors(form, error)
    if form.errors:
        return render(
            request,
            "people/contact_form.html",
            {"form": form, "kind": kind, "owner": owner, "owner_type": owner_type},
            status=422,
        )
    messages.success(request, _("Contact details added."))
    return redirect(_owner_url(owner_type), owner.pk)


@require_POST
@login_required
@people_access
def contact_change(
    request: HttpRequest, owner_type: str, owner_id: int, kind: str, contact_id: int, action: str
) -> HttpResponse:
    owner = _owner(request.user, owner_type, owner_id)
    model = CONTACT_MODELS.get(kind)
    if model is None:
        raise Http404
    contact = get_object_or_404(model, pk=contact_id, **{owner_type: owner})
    if action == "primary":
        services.make_primary(request.user, contact)
    elif action == "remove":
        services.remove_contact_point(request.user, contact)
    else:
        raise Http404
    return redirect(_owner_url(owner_type), owner.pk)


def _owner(viewer: Any, owner_type: str, owner_id: int) -> Person | Organization:
    if owner_type == "person":
        return person_or_404(viewer, owner_id)
    if owner_type == "organization":
        return get_object_or_404(Organization, pk=owner_id)
    raise Http404


def _owner_url(owner_type: str) -> str:
    return f"people:{owner_type}_detail"


@require_POST
@login_required
@people_access
def role_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request.user, person_id)
    form = OrganizationRoleForm(request.POST, prefix="role")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_organization_role(
                request.user,
                person,
                data["organization"],
                data["role"],
                share_percent=data["share_percent"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except ValidationError as error:
            _put_errors(form, error)
    if form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    else:
        messages.success(request, _("Role added."))
    return redirect("people:person_detail", person.pk)


@require_POST
@login_required
@people_access
def role_end(request: HttpRequest, person_id: int, role_id: int) -> HttpResponse:
    membership = get_object_or_404(OrganizationRole, pk=role_id, person_id=person_id)
    form = OrganizationRoleForm(request.POST, prefix="end")
    end_date = form.fields["end_date"].clean(request.POST.get("end_date") or None)
    if end_date is None:
        messages.error(request, _("Give the end date."))
    else:
        try:
            services.end_organization_role(request.user, membership, end_date)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("people:person_detail", person_id)


@require_POST
@login_required
@people_access
def relationship_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request.user, person_id)
    form = RelationshipForm(request.POST, prefix="relationship")
    if form.is_valid():
        try:
            services.add_relationship(
                request.user,
                person,
                form.cleaned_data["other"],
                form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _put_errors(form, error)
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, _("Relationship added."))
    return redirect("people:person_detail", person.pk)


# --- lookups for the as-you-type fields -------------------------------------


@login_required
@people_access
def lookup_person(request: HttpRequest) -> HttpResponse:
    field = request.GET.get("field", "")
    page = people_page(
        request.user, PersonFilters(query=text_param(request.GET, field, 100)), page_size=10
    )
    options = [(f"#{person.pk} {person}", person.name_en) for person in page.items]
    return render(request, "people/lookup_options.html", {"options": options})


@login_required
@people_access
def lookup_organization(request: HttpRequest) -> HttpResponse:
    field = request.GET.get("field", "")
    kind = request.GET.get("kind", "")
    page = organizations_page(
        request.user,
        query=text_param(request.GET, field, 100),
        kind=kind if kind in Organization.Kind.values else "",
        page_size=10,
    )
    options = [
        (f"#{organization.pk} {organization}", organization.name_en) for organization in page.items
    ]
    return render(request, "people/lookup_options.html", {"options": options})


# --- organizations ----------------------------------------------------------


@login_required
@people_access
def organization_list(request: HttpRequest) -> HttpResponse:
    query = text_param(request.GET, "q", 200)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Organization.Kind.values else ""
    sort = request.GET.get("sort", "newest")
    page = organizations_page(
        request.user, query=query, kind=kind, sort=sort, cursor=request.GET.get("cursor")
    )
    query_string = request.GET.copy()
    query_string.pop("cursor", None)
    context = {
        "page": page,
        "query": query,
        "kind": kind,
        "kinds": Organization.Kind.choices,
        "query_string": query_string.urlencode(),
    }
    template = "people/organization_rows.html" if request.htmx else "people/organization_list.html"
    return render(request, template, context)


@login_required
@people_access
def organization_page(request: HttpRequest, organization_id: int) -> HttpResponse:
    detail = organization_detail(request.user, organization_id)
    context = {
        "detail": detail,
        "organization": detail.organization,
        "contact_forms": {
            kind: CONTACT_FORMS[kind](prefix=kind) for kind in ("email", "phone", "address")
        },
    }
    return render(request, "people/organization_detail.html", context)


@login_required
@people_access
def organization_create(request: HttpRequest) -> HttpResponse:
    form = NewOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                source = services.create_source(request.user, **form.source_values())
                organization = services.create_organization(
                    request.user,
                    source=source,
                    tags=form.tag_names(),
                    **form.organization_values(),
                )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": organization})
            return redirect("people:organization_detail", organization.pk)
    return render(request, "people/organization_form.html", {"form": form, "creating": True})


@login_required
@people_access
def organization_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=organization_id)
    form = OrganizationForm(
        request.POST or None, initial=OrganizationForm.initial_for(organization)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(
                request.user, organization, tags=form.tag_names(), **form.organization_values()
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("people:organization_detail", organization.pk)
    return render(
        request, "people/organization_form.html", {"form": form, "organization": organization}
    )
