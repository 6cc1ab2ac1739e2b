"""Pages and files of identity documents. Thin: parse, call a selector or a
service, answer. A viewer without the 3.3 permission gets the same 404 as for a
document that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from connexion.documents import content, selectors, services
from connexion.documents.forms import UploadForm
from connexion.documents.models import IdentityDocument
from connexion.documents.serving import damaged_file_message, damaged_file_response
from connexion.documents.templatetags.documents import FORM_PREFIX
from connexion.documents.uploads import BoundedMemoryUploadHandler
from connexion.lib.crypto import StoredFileError
from connexion.lib.forms import put_errors
from connexion.people.models import Organization, Person

OWNER_MODELS: dict[str, type[Person] | type[Organization]] = {
    "person": Person,
    "organization": Organization,
}


def _owner(owner_type: str, owner_id: int) -> Person | Organization:
    model = OWNER_MODELS.get(owner_type)
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=owner_id)


def _owner_url(owner: Person | Organization) -> str:
    if isinstance(owner, Person):
        return reverse("people:person_detail", args=[owner.pk])
    return reverse("people:organization_detail", args=[owner.pk])


def _panel(request: HttpRequest, owner: Any, **context: Any) -> HttpResponse:
    return render(request, "documents/panel.html", {"owner": owner, **context})


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- upload and delete --------------------------------------------------------------


@csrf_exempt
@require_POST
def upload(request: HttpRequest, owner_type: str, owner_id: int) -> HttpResponse:
    # The handlers must be set before anything reads the body, hence the CSRF
    # check (which reads it) runs inside, in `_upload`.
    request.upload_handlers = [BoundedMemoryUploadHandler(request)]
    return _upload(request, owner_type, owner_id)


@csrf_protect
@login_required
def _upload(request: HttpRequest, owner_type: str, owner_id: int) -> HttpResponse:
    if not selectors.can_add(request.user):
        raise Http404
    owner = _owner(owner_type, owner_id)
    form = UploadForm(request.POST, request.FILES, prefix=FORM_PREFIX)
    done = ""
    if form.is_valid():
        try:
            document = services.upload_document(request.user, owner, **form.service_values())
        except ValidationError as error:
            put_errors(form, error)
        else:
            done = _("%(kind)s added.") % {"kind": document.get_kind_display()}
            form = UploadForm(prefix=FORM_PREFIX)
    if request.htmx:
        return _panel(request, owner, document_form=form, panel_done=done)
    if done:
        messages.success(request, done)
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect(_owner_url(owner))


@require_POST
@login_required
def delete(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(
        request.user, document_id, "delete", permission=selectors.DELETE_PERMISSION
    )
    owner = document.owner
    services.delete_document(request.user, document)
    done = _("%(kind)s deleted.") % {"kind": document.get_kind_display()}
    if request.htmx:
        return _panel(request, owner, panel_done=done)
    messages.success(request, done)
    return redirect(_owner_url(owner))


# --- the files ----------------------------------------------------------------------


def _file(request: HttpRequest, document: IdentityDocument, as_attachment: bool) -> HttpResponse:
    try:
        data = selectors.read_document(document)
    except (StoredFileError, FileNotFoundError) as exc:
        return damaged_file_response(request, exc, back_url=_owner_url(document.owner))
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, document.file_name)
    if document.is_image:
        # Opened on its own, the file runs nothing, whatever it holds.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return _no_store(response)


@require_GET
@login_required
def view(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id, "view")
    return _file(request, document, as_attachment=False)


@require_GET
@login_required
def download(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id, "download")
    return _file(request, document, as_attachment=True)


@require_GET
@login_required
def thumbnail(request: HttpRequest, document_id: int) -> HttpResponse:
    """A small JPEG made on each request, never stored and never cached."""
    document = selectors.document_for(request.user, document_id, "thumbnail")
    if not document.is_image:
        raise Http404
    try:
        small = content.thumbnail(selectors.read_document(document), document.content_type)
    except (StoredFileError, FileNotFoundError, ValidationError) as exc:
        # Still an image, so the page shows the reason instead of a broken image.
        svg = render_to_string(
            "documents/damaged_thumbnail.svg",
            {
                "title": _("File missing")
                if isinstance(exc, FileNotFoundError)
                else _("File damaged"),
                "detail": _("not shown; see the log"),
                "message": damaged_file_message(exc),
            },
        )
        return _no_store(HttpResponse(svg, content_type="image/svg+xml", status=500))
    return _no_store(HttpResponse(small, content_type="image/jpeg"))
