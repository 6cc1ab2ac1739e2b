"""Reads of identity documents. Each read is written to the access log; a viewer
without the 3.3 permission gets the same "not found" as for a missing document,
so that a guessed id tells nothing."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access, record_refusal
from connexion.documents.models import IdentityDocument
from connexion.lib.crypto import StoredFileError
from connexion.people.models import Organization, Person

VIEW_PERMISSION = "documents.view_identitydocument"
ADD_PERMISSION = "documents.add_identitydocument"
DELETE_PERMISSION = "documents.delete_identitydocument"

logger = logging.getLogger("connexion.documents")


def can_view(viewer: Any) -> bool:
    return bool(
        viewer is not None
        and viewer.has_perm("accounts.access_people")
        and viewer.has_perm(VIEW_PERMISSION)
    )


def can_add(viewer: Any) -> bool:
    return can_view(viewer) and viewer.has_perm(ADD_PERMISSION)


def can_delete(viewer: Any) -> bool:
    return can_view(viewer) and viewer.has_perm(DELETE_PERMISSION)


def owner_label(owner: Person | Organization) -> str:
    return owner._meta.label_lower


def documents_of(
    viewer: Any, owner: Person | Organization, *, channel: str = AuditEvent.Channel.UI
) -> list[IdentityDocument]:
    """The owner's documents (newest first), or none for a viewer without 3.3."""
    if not can_view(viewer):
        return []
    documents = list(owner.identity_documents.select_related("uploaded_by"))
    if documents:
        record_access(
            viewer,
            "documents.list",
            owner_label(owner),
            [str(owner.pk)],
            channel=channel,
        )
    return documents


def document_for(
    viewer: Any,
    document_id: int,
    what: str,
    *,
    permission: str = VIEW_PERMISSION,
    channel: str = AuditEvent.Channel.UI,
) -> IdentityDocument:
    """One document, for `what` ("view", "download", "thumbnail", "delete"),
    logged; Http404 when it does not exist or the viewer may not have it."""
    allowed = can_view(viewer) and viewer.has_perm(permission)
    document = (
        IdentityDocument.objects.select_related("person", "organization")
        .filter(pk=document_id)
        .first()
        if allowed
        else None
    )
    if document is None:
        record_refusal(viewer, f"documents.{what}", "documents.identitydocument", document_id)
        raise Http404
    if what != "delete":  # a deletion is recorded as a change by its service
        record_access(
            viewer,
            f"documents.{what}",
            "documents.identitydocument",
            [str(document.pk)],
            channel=channel,
        )
    return document


def read_document(document: IdentityDocument) -> bytes:
    """The decrypted file (at most 10 MB), every chunk authenticated before any
    byte is returned. Raises StoredFileError or FileNotFoundError, logged."""
    try:
        with document.file.open("rb") as stream:
            return stream.read()
    except (StoredFileError, FileNotFoundError) as exc:
        logger.error("identity document %s cannot be read: %s", document.pk, exc)
        raise
