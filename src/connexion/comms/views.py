"""Pages of the comms app: email templates, and the send-an-email page of a
person. Thin: parse, ask `comms.services`, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connexion.accounts.permissions import require_permission
from connexion.comms import services
from connexion.comms.forms import EmailTemplateForm, SendEmailForm
from connexion.comms.models import EmailTemplate
from connexion.comms.rendering import PLACEHOLDERS
from connexion.lib.forms import put_errors
from connexion.people.models import Person
from connexion.people.selectors import person_or_404

people_access = require_permission("accounts.access_people")
# Writing to people is inbox work (sales and support have it).
comms_access = require_permission("accounts.access_inbox")


# --- templates --------------------------------------------------------------


@login_required
@comms_access
def template_list(request: HttpRequest) -> HttpResponse:
    templates = EmailTemplate.objects.select_related("purpose")
    return render(request, "comms/template_list.html", {"templates": templates})


@login_required
@comms_access
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    template = get_object_or_404(EmailTemplate, pk=template_id) if template_id else None
    initial = EmailTemplateForm.initial_for(template) if template else None
    form = EmailTemplateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.save_template(request.user, template, **form.cleaned_data)
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("Template “%(name)s” saved.") % {"name": saved})
                return redirect("comms:template_list")
        status = 422
    context = {"form": form, "template": template, "placeholders": PLACEHOLDERS}
    return render(request, "comms/template_form.html", context, status=status)


# --- sending ----------------------------------------------------------------


def _send_context(request: HttpRequest, person: Person, form: SendEmailForm) -> dict[str, Any]:
    """The decision and the preview for what the form has chosen so far."""
    context: dict[str, Any] = {"person": person, "form": form, "decision": None, "preview": None}
    data = form.cleaned_data if form.is_bound and form.is_valid() else None
    if data is None and not form.is_bound:
        data = {name: form.initial.get(name) for name in form.fields}
    if not data or not all(data.get(name) for name in ("template", "email_address")):
        return context
    context["purpose"] = data["template"].purpose
    context["decision"] = services.decide(
        request.user,
        person,
        data["template"].purpose,
        data["email_address"],
        data.get("reference") or "",
    )
    context["preview"] = services.compose(person, data["template"], data["language"], request.user)
    return context


def _person(viewer: Any, person_id: int) -> Person:
    return person_or_404(viewer, person_id, Person.objects.select_related("employer"))


@login_required
@people_access
@comms_access
def send_email(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request.user, person_id)
    if request.method != "POST":
        initial = SendEmailForm.initial_for(person, request.GET.get("template"))
        form = SendEmailForm(person=person, initial=initial)
        return render(request, "comms/send_email.html", _send_context(request, person, form))

    form = SendEmailForm(request.POST, person=person)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outgoing = services.send_email(
                request.user,
                person,
                template=data["template"],
                email_address=data["email_address"],
                language=data["language"],
                reference=data["reference"],
            )
        except services.SendRefused as refused:
            form.add_error(
                None, _("Not sent: %(reasons)s") % {"reasons": " ".join(refused.messages)}
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            if outgoing.status == outgoing.Status.SENT:
                messages.success(
                    request, _("Email sent to %(address)s.") % {"address": outgoing.to_address}
                )
            else:
                messages.error(
                    request,
                    _("The email to %(address)s could not be sent: %(error)s")
                    % {"address": outgoing.to_address, "error": outgoing.error},
                )
            return redirect(f"{reverse('people:person_detail', args=[person.pk])}#timeline")
    context = _send_context(request, person, form)
    return render(request, "comms/send_email.html", context, status=422)


@require_GET
@login_required
@people_access
@comms_access
def send_check(request: HttpRequest, person_id: int) -> HttpResponse:
    """htmx: the form again for the current choices, with the privacy decision.
    Choosing another template also picks its language."""
    person = _person(request.user, person_id)
    data = request.GET.copy()
    if request.headers.get("HX-Trigger-Name") == "template":
        template = EmailTemplate.objects.filter(pk=data.get("template") or 0).first()
        if template is not None and data.get("language") not in template.languages:
            data["language"] = template.languages[0]
    form = SendEmailForm(data, person=person)
    return render(request, "comms/send_form.html", _send_context(request, person, form))
