"""Pages of the data-subject rights engines: a person's data export and its
download link, erasure (privacy officer only, typed confirmation), legal holds,
and the retention rules with their preview and runs. Thin: parse, call an
engine, render."""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connexion.accounts.permissions import MissingPermission, require_permission
from connexion.accounts.roles import PRIVACY_OFFICER
from connexion.audit.services import record_access, record_refusal
from connexion.lib.forms import put_errors
from connexion.lib.http import client_ip
from connexion.people.models import Person
from connexion.privacy.engines import erasure, export, holds, retention
from connexion.privacy.engines.forms import (
    ErasureConfirmForm,
    ExportForm,
    HoldForm,
    RetentionRuleForm,
    SendExportForm,
)
from connexion.privacy.models import (
    DataExport,
    ErasureRecord,
    LegalHold,
    RetentionRule,
    RetentionRun,
)

logger = logging.getLogger(__name__)

privacy_access = require_permission("accounts.access_privacy")


def is_privacy_officer(user: Any) -> bool:
    """Erasure, legal holds and retention rules decide what is destroyed: the
    privacy officer's role, not an administrator's superuser rights."""
    return bool(
        user.is_authenticated
        and user.has_perm("privacy.erase_person")
        and user.groups.filter(name=PRIVACY_OFFICER).exists()
    )


def officer_only(view: Any) -> Any:
    @wraps(view)
    def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_privacy_officer(request.user):
            raise MissingPermission(role=PRIVACY_OFFICER)
        return view(request, *args, **kwargs)

    return check


PAGE_SIZE = 50


def _person_url(person_id: int) -> str:
    return f"{reverse('people:person_detail', args=[person_id])}#privacy"


def _status(form: Any) -> int:
    return 422 if form.is_bound and form.errors else 200


# --- exports ------------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


# No CSRF token: the link itself is the only authority (no session, no cookie), and
# the page sends no referrer, so browsers post it with "Origin: null".
@csrf_exempt
@require_http_methods(["GET", "POST"])
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    """The person's download. Opening the link shows a page with a Download
    button and uses nothing up (mail scanners open links); only the POST of that
    page takes the bundle, once, before the link expires. Otherwise a page says
    why, and nothing else."""
    if request.method == "POST":
        download = export.claim_download(token, client_ip(request))
    else:
        download = export.check_download(token)
    if download.status != 200 or download.export is None:
        logger.warning("data export link refused (%s)", download.reason)
        record_refusal(
            None,
            f"privacy.export_link_{download.reason}",
            "privacy.dataexport",
            download.export.pk if download.export else "",
        )
        language = download.export.language if download.export else translation.get_language()
        with translation.override(language):
            return _private(
                render(
                    request,
                    "privacy/export/link_error.html",
                    {"reason": download.reason},
                    status=download.status,
                )
            )
    bundle = download.export
    if request.method == "GET":
        with translation.override(bundle.language):
            return _private(
                render(request, "privacy/export/link_ready.html", {"expires_at": bundle.expires_at})
            )
    return _private(
        FileResponse(
            bundle.file.open("rb"),
            as_attachment=True,
            filename=f"personal-data-{bundle.pk}.zip",
            content_type="application/zip",
        )
    )


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def export_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    form = ExportForm(request.POST or None, initial={"language": "th"})
    if request.method == "POST" and form.is_valid():
        try:
            bundle = export.build_export(
                person, language=form.cleaned_data["language"], actor=request.user
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The data export is ready."))
            return redirect("privacy:export_detail", bundle.pk)
    exports = DataExport.objects.filter(person=person).select_related("created_by")[:20]
    context = {"person": person, "form": form, "exports": exports}
    return render(request, "privacy/export/create.html", context, status=_status(form))


def _export_page(
    request: HttpRequest,
    bundle: DataExport,
    *,
    link: str = "",
    send_form: SendExportForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "bundle": bundle,
        "link": link,
        "send_form": send_form or SendExportForm(),
        "errors": errors or [],
        "lifetime": DataExport.LINK_LIFETIME_HOURS,
    }
    return render(request, "privacy/export/detail.html", context, status=status)


def _bundle(export_id: int) -> DataExport:
    return get_object_or_404(
        DataExport.objects.select_related("person", "created_by", "request"), pk=export_id
    )


@require_GET
@login_required
@privacy_access
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    return _export_page(request, _bundle(export_id))


@require_POST
@login_required
@privacy_access
def export_link(request: HttpRequest, export_id: int) -> HttpResponse:
    """Shows the new link once: only its hash is kept."""
    bundle = _bundle(export_id)
    try:
        path = export.issue_download_link(bundle, actor=request.user)
    except ValidationError as error:
        return _export_page(request, bundle, errors=error.messages, status=422)
    bundle.refresh_from_db()
    response = _export_page(request, bundle, link=request.build_absolute_uri(path))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
@privacy_access
def export_send(request: HttpRequest, export_id: int) -> HttpResponse:
    bundle = _bundle(export_id)
    form = SendExportForm(request.POST)
    if form.is_valid():
        try:
            export.send_to_controller(
                bundle,
                form.cleaned_data["email"],
                request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request, _("The data was sent to %(email)s.") % {"email": bundle.sent_to}
            )
            return redirect("privacy:export_detail", bundle.pk)
    return _export_page(request, bundle, send_form=form, status=422)


# --- erasure --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@officer_only
def erase_confirm(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    in_force = list(holds.holds_in_force().filter(person=person).select_related("placed_by"))
    form = ErasureConfirmForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid() and not in_force:
        try:
            record = erasure.erase_person(person, actor=request.user)
        except erasure.ErasureRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("The data of record %(number)s was erased.") % {"number": record.person_ref},
            )
            return redirect("privacy:erasure_detail", record.pk)
    record_access(request.user, "privacy.erasure_confirm", "people.person", [str(person.pk)])
    context = {
        "person": person,
        "form": form,
        "holds": in_force,
        "plan": [] if person.anonymized_at else erasure.erasure_plan(person),
        "merged": person.merged_into_id,
    }
    status = 409 if request.method == "POST" and in_force else _status(form)
    return render(request, "privacy/erasure/confirm.html", context, status=status)


@require_GET
@login_required
@privacy_access
def erasure_list(request: HttpRequest) -> HttpResponse:
    records = ErasureRecord.objects.select_related("approved_by", "request", "rule")
    page = Paginator(records.order_by("-performed_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "privacy/erasure/list.html", {"page": page})


@require_GET
@login_required
@privacy_access
def erasure_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = get_object_or_404(
        ErasureRecord.objects.select_related("approved_by", "request", "rule", "run"),
        pk=record_id,
    )
    context = {"record": record, "tables": erasure.tables_display(record)}
    return render(request, "privacy/erasure/detail.html", context)


# --- legal holds ------------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def hold_list(request: HttpRequest) -> HttpResponse:
    in_force = list(holds.holds_in_force().select_related("person", "placed_by"))
    ended = list(
        LegalHold.objects.exclude(pk__in=[hold.pk for hold in in_force])
        .select_related("person", "placed_by", "lifted_by")
        .order_by("-starts_at")[:PAGE_SIZE]
    )
    people = [hold.person_id for hold in in_force + ended]
    if people:
        record_access(
            request.user, "privacy.hold_list", "people.person", [str(pk) for pk in set(people)]
        )
    context = {"in_force": in_force, "ended": ended, "officer": is_privacy_officer(request.user)}
    return render(request, "privacy/holds/list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@officer_only
def hold_place(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holds.place_hold(
                request.user,
                person,
                reason=form.cleaned_data["reason"],
                legal_reference=form.cleaned_data["legal_reference"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Legal hold placed: erasure and retention stop."))
            return redirect(_person_url(person.pk))
    context = {"person": person, "form": form}
    return render(request, "privacy/holds/form.html", context, status=_status(form))


@require_POST
@login_required
@officer_only
def hold_lift(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=hold_id)
    try:
        holds.lift_hold(request.user, hold)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Legal hold lifted."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("privacy:hold_list")
    return redirect(target)


# --- retention --------------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def retention_rules(request: HttpRequest) -> HttpResponse:
    context = {
        "officer": is_privacy_officer(request.user),
        "rules": RetentionRule.objects.select_related("purpose", "updated_by"),
        "runs": RetentionRun.objects.select_related("triggered_by")[:20],
    }
    return render(request, "privacy/retention/rules.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@officer_only
def retention_rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    rule = get_object_or_404(RetentionRule, pk=rule_id) if rule_id else RetentionRule()
    form = RetentionRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = retention.save_rule(request.user, form.instance)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Retention rule “%(name)s” saved.") % {"name": saved})
            return redirect("privacy:retention_rules")
    context = {"form": form, "rule": rule}
    return render(request, "privacy/retention/rule_form.html", context, status=_status(form))


@require_GET
@login_required
@privacy_access
def retention_preview(request: HttpRequest) -> HttpResponse:
    return render(
        request, "privacy/retention/preview.html", {"previews": retention.preview(request.user)}
    )


@require_POST
@login_required
@officer_only
def retention_run(request: HttpRequest) -> HttpResponse:
    """Hands the run to the worker: it may erase tens of thousands of records."""
    from connexion.privacy.retention_tasks import run_retention_rules

    run_retention_rules.enqueue(triggered_by=request.user.pk)
    messages.success(
        request, _("The retention run was started; its counts appear below when it ends.")
    )
    return redirect("privacy:retention_rules")


@require_GET
@login_required
@privacy_access
def retention_run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(RetentionRun.objects.select_related("triggered_by"), pk=run_id)
    rules = RetentionRule.objects.in_bulk([int(pk) for pk in run.counts if pk.isdigit()])
    counts = [(rules.get(int(pk)), pk, values) for pk, values in run.counts.items()]
    page = Paginator(run.erasures.order_by("-performed_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"run": run, "counts": counts, "page": page}
    return render(request, "privacy/retention/run_detail.html", context)
