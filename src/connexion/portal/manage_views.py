"""The privacy center's settings, for the privacy area (privacy officers and
administrators): the published contact, the cookie policy and its ledger, the
web forms, and announcing a notice version (5.5).

Web forms are built here rather than by sales: a form decides what personal
data is collected and how consent is asked (s.19 wording, one checkbox a
purpose, data minimisation), which is the privacy officer's call; sales get
what the forms bring in as people, timeline activities and follow-up tasks."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from connexion.accounts.permissions import require_permission
from connexion.lib.forms import put_errors
from connexion.portal import announcements, selectors, services
from connexion.portal.forms import (
    AnnounceForm,
    CookiePolicyForm,
    PrivacyContactForm,
    WebFormBuilderForm,
)
from connexion.portal.models import NoticeAnnouncement, WebForm
from connexion.privacy.models import PrivacyNotice

privacy_access = require_permission("accounts.access_privacy")


@require_GET
@login_required
@privacy_access
def overview(request: HttpRequest) -> HttpResponse:
    notices = list(PrivacyNotice.objects.order_by("-effective_at", "-id")[:10])
    latest = {a.notice_id: a for a in reversed(list(selectors.announcements()[:50]))}
    for notice in notices:
        notice.announcement = latest.get(notice.pk)  # type: ignore[attr-defined]
    context = {
        "contact": services.privacy_contact(),
        "cookie_figures": selectors.cookie_figures(),
        "forms": selectors.web_forms(),
        "notices": notices,
        "center_url": request.build_absolute_uri(reverse("portal:home")),
    }
    return render(request, "portal/manage/overview.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def contact_edit(request: HttpRequest) -> HttpResponse:
    contact = services.privacy_contact()
    initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
    form = PrivacyContactForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_privacy_contact(request.user, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The privacy contact is published."))
            return redirect("portal:manage")
    return render(request, "portal/manage/contact.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def cookie_settings(request: HttpRequest) -> HttpResponse:
    current = services.current_cookie_policy()
    initial = {"text_th": current.text_th, "text_en": current.text_en} if current else {}
    form = CookiePolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.publish_cookie_policy(request.user, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Cookie policy version %(version)s is published: every visitor is asked again.")
                % {"version": policy.version},
            )
            return redirect("portal:manage_cookies")
    context = {
        "form": form,
        "version": services.cookie_policy_version(),
        "figures": selectors.cookie_figures(),
        "page": selectors.cookie_consents_page(
            request.user, request.GET.get("page"), visitor=request.GET.get("visitor", "")
        ),
        "visitor": request.GET.get("visitor", ""),
        "query_string": urlencode({"visitor": request.GET["visitor"]})
        if request.GET.get("visitor")
        else "",
        "snippet_url": request.build_absolute_uri("/static/portal/cookie-consent.js"),
        "consent_url": request.build_absolute_uri(reverse("portal:cookie_consent")),
        "config_url": request.build_absolute_uri(reverse("portal:cookie_config")),
    }
    return render(request, "portal/manage/cookies.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def form_edit(request: HttpRequest, form_id: int | None = None) -> HttpResponse:
    web_form = get_object_or_404(WebForm, pk=form_id) if form_id else None
    form = WebFormBuilderForm(request.POST if request.method == "POST" else None, instance=web_form)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_web_form(request.user, web_form, **form.values())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Web form “%(name)s” saved.") % {"name": saved})
            return redirect("portal:manage_form", form_id=saved.pk)
    context = {"form": form, "web_form": web_form}
    if web_form is not None:
        form_url = request.build_absolute_uri(reverse("portal:web_form", args=[web_form.key]))
        context.update(
            {
                "form_url": form_url,
                "embed_script_url": request.build_absolute_uri("/static/portal/webform-embed.js"),
                "page": selectors.submissions_page(request.user, web_form, request.GET.get("page")),
            }
        )
    return render(request, "portal/manage/form_edit.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def announce(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(PrivacyNotice, pk=notice_id)
    form = AnnounceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            started = announcements.start_announcement(
                request.user, notice, base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("The announcement of version %(version)s is being sent in the background.")
                % {"version": notice.version},
            )
            return redirect("portal:manage_announcement", announcement_id=started.pk)
    context = {
        "notice": notice,
        "form": form,
        "preview": announcements.preview(notice),
        "renewing": list(notice.renew_consent_for.all()),
        "earlier": selectors.announcements(notice),
    }
    return render(request, "portal/manage/announce.html", context)


@require_GET
@login_required
@privacy_access
def announcement_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    announcement = get_object_or_404(
        NoticeAnnouncement.objects.select_related("notice", "started_by"), pk=announcement_id
    )
    status = request.GET.get("status", "")
    context = {
        "announcement": announcement,
        "counts": selectors.delivery_counts(announcement),
        "status": status,
        "statuses": selectors.DELIVERY_STATUSES,
        "query_string": urlencode({"status": status}) if status else "",
        "page": selectors.deliveries_page(
            request.user, announcement, status, request.GET.get("page")
        ),
    }
    return render(request, "portal/manage/announcement.html", context)
