"""Answering with a stored (encrypted) file, or with a clear page when the file
is damaged or missing: never a broken image or a cut-off download."""

from __future__ import annotations

import logging
import os

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from connexion.lib.crypto import StoredFileError

logger = logging.getLogger("connexion.documents")


def damaged_file_message(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return _("The stored file is missing. Ask an administrator to restore it from a backup.")
    return _(
        "The stored file is damaged or was tampered with, so it is not shown. "
        "Ask an administrator to restore it from a backup."
    )


def damaged_file_response(
    request: HttpRequest, exc: BaseException, back_url: str = ""
) -> HttpResponse:
    response = render(
        request,
        "documents/damaged_file.html",
        {"message": damaged_file_message(exc), "back_url": back_url},
        status=500,
    )
    response["Cache-Control"] = "no-store"
    return response


def stored_file_response(
    request: HttpRequest, file: FieldFile, *, as_attachment: bool = False, filename: str = ""
) -> HttpResponse:
    """Streams a stored file after authenticating all of it, never cached."""
    try:
        verify = getattr(file.storage, "verify", None)
        if verify is not None:
            verify(file.name)
        handle = file.storage.open(file.name, "rb")
    except (StoredFileError, FileNotFoundError) as exc:
        logger.error("stored file %s cannot be served: %s", file.name, exc)
        return damaged_file_response(request, exc)
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        filename=filename or os.path.basename(file.name or ""),
    )
    response["Cache-Control"] = "no-store"
    return response
