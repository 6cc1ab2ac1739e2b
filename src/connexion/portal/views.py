"""The public privacy center under /privacy/: no staff sign-in, Thai or
English by the visitor's choice, and no page that says whether an email or a
phone belongs to someone we hold data about. Thin: parse, call a service of
the privacy core or of this app, render."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connexion.lib import sms
from connexion.lib.forms import put_errors
from connexion.lib.http import client_ip
from connexion.people.models import Person
from connexion.portal import links, selectors, services, throttle
from connexion.portal.forms import (
    CHANGE_PREFIX,
    CodeForm,
    CodeRequestForm,
    PublicWebForm,
    RequestForm,
    started_token,
)
from connexion.portal.models import PortalLink, WebForm
from connexion.privacy.ledger.selectors import consent_purposes
from connexion.privacy.models import ConsentEvent, OneTimeCode, PrivacyNotice
from connexion.privacy.subject_requests import intake, rules, verification, workflow
from connexion.ui.security import POLICY

SUBJECT_KEY = "portal.subject"
CODE_KEY = "portal.code"
SUBMITTED_KEY = "portal.submitted"
# How long a verified visitor may change their consents without a new code.
SUBJECT_MINUTES = 30
CONSENT_COOKIE = "cx_cookie_consent"


def _language() -> str:
    return (translation.get_language() or "th")[:2]


def _client(request: HttpRequest) -> dict[str, Any]:
    return {
        "ip_address": client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:400],
    }


def _too_many(request: HttpRequest, limited: throttle.RateLimited) -> HttpResponse:
    minutes = max(1, round(limited.retry_after / 60))
    response = render(request, "portal/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def _link_error(request: HttpRequest, error: links.LinkError) -> HttpResponse:
    status = 404 if error.reason == "invalid" else 410
    return render(request, "portal/link_error.html", {"error": error}, status=status)


# --- the privacy notice and the contact -------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    versions = selectors.notice_versions()
    return render(
        request,
        "portal/home.html",
        {"versions": versions, "notice": versions.current, "section": "home"},
    )


@require_GET
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    shown = get_object_or_404(PrivacyNotice, pk=notice_id)
    versions = selectors.notice_versions()
    return render(
        request,
        "portal/home.html",
        {"versions": versions, "notice": shown, "section": "home"},
    )


# --- making a request ---------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") else {}
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        scope="request",
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identifier = data["email"].strip() or data["phone"].strip()
        try:
            throttle.hit("submit", client_ip(request), identifier)
        except throttle.RateLimited as limited:
            return _too_many(request, limited)
        try:
            submitted = intake.submit_request(
                kind=data["kind"],
                requester_name=data["requester_name"],
                description=data["description"],
                language=_language(),
                email=data["email"].strip(),
                phone=data["phone"].strip(),
                proposed_changes=form.proposed_changes(),
                recipient_controller=data["recipient_controller"],
                recipient_email=data["recipient_email"],
                by_representative=data["by_representative"],
                representative_name=data["representative_name"],
                authority_document=data["authority_document"],
            )
        except ValidationError as error:
            put_errors(form, _public_errors(error))
        else:
            return _after_submission(request, submitted, data)
    return render(
        request,
        "portal/request_form.html",
        {"form": form, "started": started_token("request"), "section": "request"},
        status=400 if form.is_bound else 200,
    )


def _public_errors(error: ValidationError) -> ValidationError:
    """The queue names fields as staff see them; the public form has its own names."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        if name.startswith("proposed_changes."):
            name = CHANGE_PREFIX + name.split(".", 1)[1]
        else:
            name = {"requester_email": "email", "requester_phone": "phone"}.get(name, name)
        renamed.setdefault(name, []).extend(messages)
    return ValidationError(renamed)


def _after_submission(
    request: HttpRequest, submitted: intake.Submitted, data: dict[str, Any]
) -> HttpResponse:
    subject_request = submitted.request
    token = links.follow_token(subject_request.reference, submitted.secret)
    follow_url = request.build_absolute_uri(reverse("portal:follow", args=[token]))
    _send_follow_link(subject_request, follow_url)
    problem = ""
    if rules.needs_verification(subject_request):
        channel = data["send_code_by"]
        try:
            verification.send_verification_code(services.PUBLIC, subject_request, channel=channel)
        except ValidationError as error:
            problem = " ".join(error.messages)
    request.session[SUBMITTED_KEY] = {"reference": subject_request.reference, "problem": problem}
    return redirect("portal:follow", token=token)


def _send_follow_link(subject_request: Any, follow_url: str) -> None:
    """The follow link goes to the address given: the same for anyone, customer or not."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    language = subject_request.language
    context = {"request": subject_request, "follow_url": follow_url, "days": links.FOLLOW_LINK_DAYS}
    with translation.override(language):
        text = render_to_string("portal/email/follow_link.txt", context).strip()
        if subject_request.requester_email:
            subject, _sep, body = text.partition("\n")
            EmailMessage(
                subject.strip(), body.strip() + "\n", to=[subject_request.requester_email]
            ).send()
        elif subject_request.requester_phone:
            sms_text = render_to_string("portal/email/follow_link_sms.txt", context)
            sms.send_sms(subject_request.requester_phone, " ".join(sms_text.split()))


def _followed(token: str) -> Any:
    reference, secret = links.read_follow_token(token)
    found = intake.follow_request(reference, secret)
    if found is None:
        raise links.LinkError("invalid")
    return found


def _status_history(subject_request: Any) -> list[Any]:
    from connexion.privacy.models import RequestEvent, SubjectRequest

    events = list(
        subject_request.events.filter(kind=RequestEvent.Kind.STATUS).order_by("occurred_at", "id")
    )
    labels = dict(SubjectRequest.Status.choices)
    for event in events:
        event.to_label = labels.get(event.to_status, event.to_status)
    return events


def _follow_page(
    request: HttpRequest, token: str, subject_request: Any, **extra: Any
) -> HttpResponse:
    submitted = request.session.pop(SUBMITTED_KEY, None)
    if submitted and submitted.get("reference") != subject_request.reference:
        submitted = None
    awaiting_code = (
        rules.needs_verification(subject_request)
        and not rules.is_verified(subject_request)
        and subject_request.is_open
    )
    context = {
        "subject_request": subject_request,
        "token": token,
        "history": _status_history(subject_request),
        "days_left": rules.days_left(subject_request),
        "awaiting_code": awaiting_code,
        "code_form": extra.pop("code_form", None) or CodeForm(),
        "submitted": submitted,
        "section": "request",
        **extra,
    }
    return render(request, "portal/follow.html", context)


@never_cache
@require_GET
def follow(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subject_request = _followed(token)
    except links.LinkError as error:
        return _link_error(request, error)
    return _follow_page(request, token, subject_request)


@never_cache
@require_POST
def follow_action(request: HttpRequest, token: str, action: str) -> HttpResponse:
    try:
        subject_request = _followed(token)
    except links.LinkError as error:
        return _link_error(request, error)
    try:
        if action == "verify":
            throttle.hit("verify", client_ip(request), subject_request.reference)
            form = CodeForm(request.POST)
            if not form.is_valid():
                return _follow_page(request, token, subject_request, code_form=form)
            try:
                verification.check_verification_code(
                    services.PUBLIC, subject_request, form.cleaned_data["code"]
                )
            except ValidationError as error:
                put_errors(form, error)
                subject_request.refresh_from_db()
                return _follow_page(request, token, subject_request, code_form=form)
            done = _("Thank you: your identity is verified and we are working on your request.")
        elif action == "resend":
            identifier = subject_request.requester_email or subject_request.requester_phone
            throttle.hit("code", client_ip(request), identifier)
            channel = request.POST.get("channel", "email")
            verification.send_verification_code(services.PUBLIC, subject_request, channel=channel)
            done = _("A new code is on its way.")
        elif action == "withdraw":
            if not request.POST.get("confirm"):
                raise ValidationError(_("Tick the box to confirm that you withdraw the request."))
            workflow.withdraw_request(
                services.PUBLIC, subject_request, note=_("Withdrawn in the privacy center.")
            )
            done = _("Your request is withdrawn.")
        else:
            raise Http404
    except throttle.RateLimited as limited:
        return _too_many(request, limited)
    except ValidationError as error:
        subject_request.refresh_from_db()
        return _follow_page(request, token, subject_request, problem=" ".join(error.messages))
    subject_request.refresh_from_db()
    return _follow_page(request, token, subject_request, done=done)


# --- my consents ------------------------------------------------------------------------


def _subject(request: HttpRequest) -> dict[str, Any] | None:
    subject = request.session.get(SUBJECT_KEY)
    if not subject or subject.get("until", 0) < time.time():
        return None
    return subject


def _begin_subject(request: HttpRequest, person: Person | None, shown: str) -> None:
    # A new session key once the visitor proved who they are (no fixation).
    request.session.cycle_key()
    request.session[SUBJECT_KEY] = {
        "person": person.pk if person else None,
        "shown": shown,
        "until": time.time() + SUBJECT_MINUTES * 60,
    }
    if person is not None:
        visitor = services.visitor_from_cookie(request.COOKIES.get(CONSENT_COOKIE))
        services.link_visitor(services.PUBLIC, visitor, person)


@never_cache
@require_http_methods(["GET", "POST"])
def consents_start(request: HttpRequest) -> HttpResponse:
    form = CodeRequestForm(request.POST if request.method == "POST" else None, scope="consents")
    if request.method == "POST" and form.is_valid():
        channel, target = form.cleaned_data["channel"], form.cleaned_data["target"]
        try:
            throttle.hit("code", client_ip(request), target)
            record, code = verification.issue_one_time_code(
                OneTimeCode.Use.CONSENTS, channel, target
            )
        except throttle.RateLimited as limited:
            return _too_many(request, limited)
        except ValidationError as error:
            put_errors(form, error)
        else:
            _send_consents_code(channel, target, code)
            shown = rules.mask_email(target) if channel == "email" else rules.mask_phone(target)
            request.session[CODE_KEY] = {
                "id": record.pk,
                "channel": channel,
                "target": target,
                "shown": shown,
            }
            return redirect("portal:consents_verify")
    return render(
        request,
        "portal/consents_start.html",
        {"form": form, "started": started_token("consents"), "section": "consents"},
        status=400 if form.is_bound else 200,
    )


def _send_consents_code(channel: str, target: str, code: str) -> None:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    context = {"code": code, "minutes": OneTimeCode.LIFETIME_MINUTES}
    if channel == "email":
        text = render_to_string("portal/email/consents_code.txt", context).strip()
        subject, _sep, body = text.partition("\n")
        EmailMessage(subject.strip(), body.strip() + "\n", to=[target]).send()
    else:
        text = render_to_string("portal/email/consents_code_sms.txt", context)
        sms.send_sms(target, " ".join(text.split()))


@never_cache
@require_http_methods(["GET", "POST"])
def consents_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(CODE_KEY)
    if not pending:
        return redirect("portal:consents_start")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            throttle.hit("verify", client_ip(request), pending["target"])
        except throttle.RateLimited as limited:
            return _too_many(request, limited)
        record = OneTimeCode.objects.filter(pk=pending["id"], use=OneTimeCode.Use.CONSENTS).first()
        problem = verification.redeem_one_time_code(record, form.cleaned_data["code"])
        if not problem:
            email = pending["target"] if pending["channel"] == "email" else ""
            phone = pending["target"] if pending["channel"] == "phone" else ""
            request.session.pop(CODE_KEY, None)
            _begin_subject(request, intake.match_person(email, phone), pending["shown"])
            return redirect("portal:my_consents")
        form.add_error("code", problem)
    return render(
        request,
        "portal/consents_verify.html",
        {"form": form, "shown": pending["shown"], "section": "consents"},
        status=400 if form.is_bound else 200,
    )


def _subject_person(request: HttpRequest) -> tuple[dict[str, Any] | None, Person | None]:
    subject = _subject(request)
    if subject is None or subject.get("person") is None:
        return subject, None
    person = Person.objects.filter(
        pk=subject["person"], merged_into__isnull=True, anonymized_at__isnull=True
    ).first()
    return subject, person


@never_cache
@require_GET
def my_consents(request: HttpRequest) -> HttpResponse:
    subject, person = _subject_person(request)
    if subject is None:
        return redirect("portal:consents_start")
    versions = selectors.notice_versions()
    rows = selectors.my_consents(services.PUBLIC, person) if person else []
    return render(
        request,
        "portal/my_consents.html",
        {
            "subject": subject,
            "person": person,
            "rows": rows,
            "notice": versions.current,
            "other_purposes": selectors.purposes_without_consent(),
            "section": "consents",
        },
    )


@never_cache
@require_POST
def consent_change(request: HttpRequest, purpose_id: int) -> HttpResponse:
    """Give or withdraw in one click; htmx swaps the row, without it the page reloads."""
    subject, person = _subject_person(request)
    if subject is None or person is None:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("portal:consents_start")
            return response
        return redirect("portal:consents_start")
    purpose = get_object_or_404(consent_purposes(), pk=purpose_id)
    notice = selectors.notice_versions().current
    action = request.POST.get("action", "")
    done, problem = "", ""
    try:
        services.change_consent(person, purpose, action, notice=notice, **_client(request))
    except ValidationError as error:
        problem = " ".join(error.messages)
    else:
        done = (
            _("Thank you: your consent is recorded.")
            if action == ConsentEvent.Action.GIVEN
            else _("Your consent is withdrawn, from now on.")
        )
    if not request.htmx:
        return redirect("portal:my_consents")
    row = selectors.consent_row(person, purpose)
    return render(
        request,
        "portal/_consent_row.html",
        {"row": row, "notice": notice, "done": done, "problem": problem},
    )


@require_POST
def consents_done(request: HttpRequest) -> HttpResponse:
    request.session.pop(SUBJECT_KEY, None)
    return redirect("portal:home")


# --- single-use links from our emails -----------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button (a mail scanner opening the link uses nothing up);
    the visitor's POST uses the link once."""
    try:
        found = links.check_link(token)
        if request.method == "POST":
            found = links.redeem_link(services.PUBLIC, token)
    except links.LinkError as error:
        return _link_error(request, error)
    if request.method == "GET":
        return render(request, "portal/link_confirm.html", {"link": found, "token": token})
    if found.use == PortalLink.Use.RENEW_CONSENTS:
        _begin_subject(request, found.person, "")
        return redirect("portal:my_consents")
    raise Http404


# --- cookies ------------------------------------------------------------------------------


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def cookie_origins(request: HttpRequest) -> set[str]:
    """Who may record cookie choices here: this site, the business's sites, and
    the sites the open web forms are embedded in."""
    origins = {_own_origin(request), *services.privacy_contact().origins}
    for form in WebForm.objects.filter(is_active=True).only("allowed_origins"):
        origins.update(form.origins)
    return origins


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


@require_GET
def cookies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/cookies.html",
        {"policy": services.current_cookie_policy(), "section": "cookies"},
    )


MAX_CONSENT_BODY = 4096


@csrf_exempt  # no session or cookie is used: the Origin check below is the protection
@require_http_methods(["POST", "OPTIONS"])
def cookie_consent(request: HttpRequest) -> HttpResponse:
    """Stores the proof of a banner choice, from our pages or the business's sites."""
    origin = request.headers.get("Origin", "")
    allowed = not origin or origin in cookie_origins(request)
    if request.method == "OPTIONS":
        response = HttpResponse(status=204 if allowed else 403)
        if allowed and origin:
            _cors(response, origin)
            response["Access-Control-Allow-Methods"] = "POST"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        return response
    if not allowed:
        return JsonResponse(
            {"detail": _("This website may not record cookie choices here.")}, status=403
        )
    try:
        throttle.hit("cookie", client_ip(request))
    except throttle.RateLimited as limited:
        response = JsonResponse({"detail": _("Too many requests: try again later.")}, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return _cors(response, origin) if origin else response
    try:
        if len(request.body) > MAX_CONSENT_BODY:
            raise ValueError
        payload = json.loads(request.body or b"null")
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        response = JsonResponse({"detail": _("Send the choice as a JSON object.")}, status=400)
        return _cors(response, origin) if origin else response
    try:
        consent = services.record_cookie_consent(
            visitor_id=payload.get("visitor_id"),
            policy_version=payload.get("policy_version"),
            choices=payload.get("choices"),
            page_origin=origin or _own_origin(request),
            **_client(request),
        )
    except ValidationError as error:
        response = JsonResponse(
            {
                "detail": _("The choice was not recorded."),
                "errors": [
                    {"field": name, "message": message}
                    for name, messages in error.message_dict.items()
                    for message in messages
                ],
            },
            status=422,
        )
    else:
        response = JsonResponse({"recorded": consent.pk, "action": consent.action}, status=201)
    return _cors(response, origin) if origin else response


@require_GET
def cookie_config(request: HttpRequest) -> HttpResponse:
    """The banner's settings for the business's sites: the policy version (a new
    one brings the banner back) and the texts in Thai and English."""
    texts = {}
    for language in ("th", "en"):
        with translation.override(language):
            texts[language] = services.cookie_texts()
    response = JsonResponse(
        {
            "version": services.cookie_policy_version(),
            "policy_url": request.build_absolute_uri(reverse("portal:cookies")),
            "texts": texts,
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "max-age=300"
    return response


# --- public web forms -----------------------------------------------------------------------


def _frame_policy(web_form: WebForm) -> str:
    ancestors = " ".join(["'self'", *web_form.origins])
    return POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


@csrf_exempt  # embedded on other sites, where our cookies are not sent: see the checks below
@xframe_options_exempt  # framing is ruled by the CSP's frame-ancestors (allowed origins)
@never_cache
@require_http_methods(["GET", "POST"])
def web_form(request: HttpRequest, key: str) -> HttpResponse:
    """A form staff built. Embedded in an iframe the CSRF cookie is not sent,
    so the form is protected otherwise: its POST must come from this site
    (Origin), carry the signed time stamp of the page it was shown on, and
    pass the honeypot and time checks."""
    found = get_object_or_404(WebForm, key=key)
    language = request.GET.get("lang", "")
    with translation.override(language if language in ("th", "en") else _language()):
        response = _web_form(request, found)
    response["Content-Security-Policy"] = _frame_policy(found)
    return response


def _web_form(request: HttpRequest, found: WebForm) -> HttpResponse:
    embed = request.GET.get("embed") == "1"
    context: dict[str, Any] = {"web_form": found, "embed": embed, "language": _language()}
    if not found.is_active:
        return render(request, "portal/web_form_closed.html", context, status=410)
    notice = selectors.notice_versions().current
    visitor = request.GET.get("visitor", "") or services.visitor_from_cookie(
        request.COOKIES.get(CONSENT_COOKIE)
    )
    form = PublicWebForm(
        request.POST if request.method == "POST" else None,
        web_form=found,
        notice=notice,
        initial={
            "visitor": visitor if services.VISITOR_ID.match(visitor) else "",
            "notice": notice,
        },
    )
    if request.method == "POST":
        origin = request.headers.get("Origin", "")
        if origin and origin != _own_origin(request):
            return HttpResponse(_("This form must be sent from its own page."), status=403)
        if form.is_valid():
            values = form.values()
            identifier = values.get("email") or values.get("phone") or ""
            try:
                throttle.hit("submit", client_ip(request), identifier)
            except throttle.RateLimited as limited:
                return _too_many(request, limited)
            shown = form.cleaned_data.get("notice") or notice
            try:
                services.submit_web_form(
                    found,
                    values,
                    consents=form.consents(),
                    notice=shown,
                    visitor_id=form.cleaned_data.get("visitor") or "",
                    **_client(request),
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                thank_you = found.thank_you_th if _language() == "th" else found.thank_you_en
                return render(
                    request, "portal/web_form_thanks.html", {**context, "thank_you": thank_you}
                )
    context.update(
        {
            "form": form,
            "notice": notice,
            "started": started_token(f"webform.{found.key}"),
            "action": request.get_full_path(),
        }
    )
    return render(request, "portal/web_form.html", context, status=400 if form.is_bound else 200)
