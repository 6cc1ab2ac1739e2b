"""Pages of the privacy area (privacy officers and administrators) and the
actions of the privacy panel on a person's page (any staff with access to
people: a customer's request can be taken by whoever they talk to). Thin: parse,
call a privacy service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connexion.accounts.permissions import require_permission
from connexion.audit.services import record_access
from connexion.documents.serving import stored_file_response
from connexion.lib.forms import put_errors
from connexion.lib.http import parse_id, text_param
from connexion.people.models import Organization, Person
from connexion.privacy.ledger import selectors, services
from connexion.privacy.ledger.forms import (
    BreachForm,
    BreachNotificationForm,
    ConsentForm,
    DisclosureForm,
    NoticeForm,
    ObjectionDecisionForm,
    ObjectionForm,
    PartnerProductForm,
    ProductInterestForm,
    PurposeForm,
    RestrictionForm,
    error_lines,
    staff_wording,
)
from connexion.privacy.models import (
    Breach,
    ConsentEvent,
    Disclosure,
    Objection,
    PrivacyNotice,
    Purpose,
    Restriction,
)
from connexion.sales.forms import minor_units
from connexion.sales.services import interests as interest_services
from connexion.sales.services import products as product_services

privacy_access = require_permission("accounts.access_privacy")
people_access = require_permission("accounts.access_people")


def _choice(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def _query_string(request: HttpRequest) -> str:
    """The list's filters, for the links to its other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the dashboard ----------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def dashboard(request: HttpRequest) -> HttpResponse:
    from connexion.privacy.subject_requests.selectors import request_figures

    context = {
        "dashboard": selectors.dashboard(),
        "requests": request_figures(),
        "legal_uses": selectors.legal_uses(request.user),
    }
    return render(request, "privacy/dashboard.html", context)


@require_GET
@login_required
@privacy_access
def consent_list(request: HttpRequest) -> HttpResponse:
    purpose = get_object_or_404(
        selectors.consent_purposes(active_only=False), code=text_param(request.GET, "purpose", 100)
    )
    state = _choice(request.GET.get("state"), selectors.CONSENT_STATES, "given")
    page = selectors.people_by_consent(request.user, purpose, state, request.GET.get("page"))
    context = {
        "purpose": purpose,
        "state": state,
        "states": selectors.CONSENT_STATES,
        "page": page,
        "purposes": selectors.consent_purposes(active_only=False),
        "query_string": _query_string(request),
    }
    return render(request, "privacy/consent_list.html", context)


# --- purposes -----------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def purpose_list(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/purpose_list.html", {"purposes": Purpose.objects.all()})


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def purpose_edit(request: HttpRequest, purpose_id: int | None = None) -> HttpResponse:
    purpose = get_object_or_404(Purpose, pk=purpose_id) if purpose_id else Purpose()
    form = PurposeForm(request.POST or None, instance=purpose)
    if request.method == "POST" and form.is_valid():
        saved = services.save_purpose(request.user, form)
        messages.success(request, _("Purpose “%(code)s” saved.") % {"code": saved.code})
        return redirect("privacy:purpose_list")
    return render(request, "privacy/purpose_form.html", {"form": form, "purpose": purpose})


# --- notices ------------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = PrivacyNotice.objects.select_related("published_by").prefetch_related(
        "renew_consent_for"
    )
    current = selectors.current_notice()
    return render(request, "privacy/notice_list.html", {"notices": notices, "current": current})


@require_GET
@login_required
@privacy_access
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(
        PrivacyNotice.objects.select_related("published_by").prefetch_related("renew_consent_for"),
        pk=notice_id,
    )
    current = selectors.current_notice()
    return render(request, "privacy/notice_detail.html", {"notice": notice, "current": current})


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def notice_publish(request: HttpRequest) -> HttpResponse:
    latest = selectors.current_notice()
    initial = {"text_th": latest.text_th, "text_en": latest.text_en} if latest else {}
    form = NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.publish_notice(
                request.user,
                version=data["version"],
                text_th=data["text_th"],
                text_en=data["text_en"],
                effective_at=data["effective_at"],
                renew_consent_for=list(data["renew_consent_for"]),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request, _("Privacy notice version %(version)s published.") % {"version": notice}
            )
            return redirect("privacy:notice_detail", notice.pk)
    return render(request, "privacy/notice_form.html", {"form": form, "latest": latest})


# --- objections ---------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def objection_list(request: HttpRequest) -> HttpResponse:
    status = _choice(request.GET.get("status"), (*selectors.OBJECTION_STATUSES, "all"), "all")
    page = selectors.objections_page(request.user, status, request.GET.get("page"))
    statuses = [("all", _("all")), *Objection.Status.choices]
    context = {
        "page": page,
        "status": status,
        "statuses": statuses,
        "query_string": _query_string(request),
    }
    return render(request, "privacy/objection_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def objection_decide(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = selectors.objection_for(request.user, objection_id)
    if objection is None:
        raise Http404
    form = ObjectionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_objection(
                request.user,
                objection,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(f"{reverse('privacy:objection_list')}?status=pending")
    return render(request, "privacy/objection_decide.html", {"objection": objection, "form": form})


# --- disclosures --------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def disclosure_list(request: HttpRequest) -> HttpResponse:
    basis = _choice(request.GET.get("basis"), tuple(Disclosure.Basis.values), "")
    recent = request.GET.get("period") == str(selectors.RECENT_DAYS)
    page = selectors.disclosures_page(request.user, basis, recent, request.GET.get("page"))
    context = {
        "page": page,
        "basis": basis,
        "bases": Disclosure.Basis.choices,
        "recent": recent,
        "recent_days": selectors.RECENT_DAYS,
        "query_string": _query_string(request),
    }
    return render(request, "privacy/disclosure_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def disclosure_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    person_id = parse_id(request.GET.get("person"))
    if person_id is not None:
        initial["person"] = Person.objects.filter(pk=person_id).first()
    form = DisclosureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.record_disclosure(request.user, person, **form.disclosure_values())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Disclosure recorded."))
            return redirect("privacy:disclosure_list")
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "privacy/disclosure_form.html", {"form": form}, status=status)


# --- breaches -----------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def breach_list(request: HttpRequest) -> HttpResponse:
    status = _choice(request.GET.get("status"), selectors.BREACH_STATUSES, "all")
    context = {"breaches": selectors.breaches(status), "status": status}
    return render(request, "privacy/breach_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def breach_create(request: HttpRequest) -> HttpResponse:
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            breach = services.record_breach(
                request.user,
                title=data["title"],
                description=data["description"],
                occurred_at=data["occurred_at"],
                aware_at=data["aware_at"],
                categories=list(data["categories"]),
                people_affected=data["people_affected"],
                risk=data["risk"],
                risk_reasoning=data["risk_reasoning"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Breach recorded."))
            return redirect("privacy:breach_detail", breach.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "privacy/breach_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def breach_detail(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = selectors.breach_detail(breach_id)
    if breach is None:
        raise Http404
    form = BreachNotificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_breach_notification(
                request.user,
                breach,
                regulator_notified_at=data["regulator_notified_at"],
                regulator_reference=data["regulator_reference"],
                people_notified_at=data["people_notified_at"],
                late_reason=data["late_reason"],
            )
        except ValidationError as error:
            # The service may have set fields on the instance: read it again.
            breach = selectors.breach_detail(breach_id)
            put_errors(form, error)
        else:
            messages.success(request, _("Notification recorded."))
            return redirect("privacy:breach_detail", breach.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request, "privacy/breach_detail.html", {"breach": breach, "form": form}, status=status
    )


@require_POST
@login_required
@privacy_access
def breach_close(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=breach_id)
    try:
        services.close_breach(request.user, breach)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Breach closed."))
    return redirect("privacy:breach_detail", breach.pk)


@require_GET
@login_required
@privacy_access
def consent_evidence(request: HttpRequest, event_id: int) -> HttpResponse:
    """The scanned form behind a consent: for the privacy area, logged, never cached.
    Decrypted through the storage; a damaged file gives a clear page, not a cut file."""
    event = get_object_or_404(ConsentEvent.objects.exclude(evidence=""), pk=event_id)
    record_access(request.user, "privacy.consent_evidence", "privacy.consentevent", [str(event.pk)])
    # Downloaded, never shown in the page: only the first bytes were checked, and
    # the name (hence the type the browser is told) is the uploader's.
    return stored_file_response(request, event.evidence, as_attachment=True)


# --- partners and their joint products ----------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def partner_list(request: HttpRequest) -> HttpResponse:
    partners = Organization.objects.filter(kind=Organization.Kind.PARTNER).prefetch_related(
        "joint_products"
    )
    form = PartnerProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        price = minor_units(form, "price", data["price"], "THB") or 0
        try:
            if not form.errors:
                # Joint products are entries of the one catalog, in sales.
                product_services.create_product(
                    request.user,
                    partner=data["partner"],
                    code=data["code"],
                    name_th=data["name_th"],
                    name_en=data["name_en"],
                    price=price,
                )
        except ValidationError as error:
            put_errors(form, error)
        if not form.errors:
            messages.success(request, _("Joint product added."))
            return redirect("privacy:partner_list")
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "privacy/partner_list.html",
        {"partners": partners, "form": form, "section": "partners"},
        status=status,
    )


# --- restrictions -------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def restriction_list(request: HttpRequest) -> HttpResponse:
    status = _choice(request.GET.get("status"), selectors.RESTRICTION_STATUSES, "active")
    page = selectors.restrictions_page(request.user, status, request.GET.get("page"))
    context = {"page": page, "status": status, "query_string": _query_string(request)}
    return render(request, "privacy/restriction_list.html", context)


# --- the person's privacy panel -----------------------------------------------------


def _person_url(person: Person) -> str:
    return f"{reverse('people:person_detail', args=[person.pk])}#privacy"


def _panel(
    request: HttpRequest,
    person: Person,
    *,
    done: str = "",
    errors: list[str] | None = None,
    **forms: Any,
) -> HttpResponse:
    """htmx gets the panel again (and the contact actions it affects, out of band);
    a plain POST goes back to the person's page with a message."""
    if request.htmx:
        context = {
            "person": person,
            "oob": True,
            "panel_done": done,
            "panel_errors": errors or [],
            **forms,
        }
        return render(request, "privacy/person_panel.html", context)
    if done:
        messages.success(request, done)
    for line in errors or []:
        messages.error(request, line)
    return redirect(_person_url(person))


def _person(person_id: int) -> Person:
    return get_object_or_404(Person, pk=person_id)


@require_GET
@login_required
@people_access
def person_panel(request: HttpRequest, person_id: int) -> HttpResponse:
    return _panel(request, _person(person_id))


def _client(request: HttpRequest) -> dict[str, Any]:
    return {"user_agent": request.headers.get("User-Agent", "")}


@require_POST
@login_required
@people_access
def person_consent(request: HttpRequest, person_id: int) -> HttpResponse:
    """Give or withdraw one consent in one click (s.19: withdrawing is as easy)."""
    person = _person(person_id)
    form = ConsentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _panel(request, person, errors=error_lines(form))
    data = form.cleaned_data
    purpose = data["purpose"]
    try:
        if data["action"] == ConsentEvent.Action.GIVEN:
            notice = data["notice"] or selectors.current_notice()
            if notice is None:
                raise ValidationError({"notice": [_("No privacy notice is in effect yet.")]})
            services.give_consent(
                request.user,
                person,
                purpose,
                wording=staff_wording(purpose, notice),
                channel=data["channel"],
                notice=notice,
                evidence=data["evidence"],
                **_client(request),
            )
            done = _("Consent recorded: %(purpose)s.") % {"purpose": purpose}
        else:
            services.withdraw_consent(
                request.user, person, purpose, channel=data["channel"], **_client(request)
            )
            done = _("Consent withdrawn: %(purpose)s.") % {"purpose": purpose}
    except ValidationError as error:
        put_errors(form, error)
        return _panel(request, person, errors=error_lines(form))
    return _panel(request, person, done=done)


@require_POST
@login_required
@people_access
def person_restrict(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(person_id)
    form = RestrictionForm(
        request.POST,
        contact_points=selectors.person_contact_points(person),
        prefix="restriction",
    )
    if form.is_valid():
        try:
            services.restrict(request.user, person, **form.restriction_values())
        except ValidationError as error:
            put_errors(form, error)
        else:
            return _panel(request, person, done=_("Restriction recorded."))
    return _panel(request, person, errors=error_lines(form), restriction_form=form)


@require_POST
@login_required
@people_access
def person_lift(request: HttpRequest, person_id: int, restriction_id: int) -> HttpResponse:
    person = _person(person_id)
    restriction = get_object_or_404(Restriction, pk=restriction_id, person=person)
    try:
        services.lift_restriction(request.user, restriction)
    except ValidationError as error:
        return _panel(request, person, errors=error.messages)
    return _panel(request, person, done=_("Restriction lifted."))


@require_POST
@login_required
@people_access
def person_object(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(person_id)
    form = ObjectionForm(request.POST, prefix="objection")
    if form.is_valid():
        try:
            objection = services.record_objection(
                request.user,
                person,
                form.cleaned_data["purpose"],
                grounds=form.cleaned_data["grounds"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            done = _("Objection recorded: %(status)s.") % {"status": objection.get_status_display()}
            return _panel(request, person, done=done)
    return _panel(request, person, errors=error_lines(form), objection_form=form)


@require_POST
@login_required
@people_access
def person_interest(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(person_id)
    form = ProductInterestForm(request.POST, prefix="interest")
    if form.is_valid():
        try:
            interest_services.record_product_interest(
                request.user, person, form.cleaned_data["product"], form.cleaned_data["kind"]
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            return _panel(request, person, done=_("Product interest recorded."))
    return _panel(request, person, errors=error_lines(form), interest_form=form)
