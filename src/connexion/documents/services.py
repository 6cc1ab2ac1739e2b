"""Writes of identity documents: upload and delete, each in one transaction and
recorded in the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.documents import content
from connexion.documents.models import IdentityDocument
from connexion.people.models import Organization, Person

UI = AuditEvent.Channel.UI


def _owner_fields(owner: Person | Organization) -> dict[str, Any]:
    if isinstance(owner, Person):
        return {"person": owner, "organization": None}
    return {"person": None, "organization": owner}


def _check_values(
    owner: Person | Organization,
    kind: str,
    signer_name: str,
    authority_granted: str,
    valid_from: date | None,
    valid_until: date | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if isinstance(owner, Person) and owner.merged_into_id:
        errors["__all__"] = [_("This record was merged into another one: use that record.")]
    if isinstance(owner, Person) and owner.anonymized_at:
        errors["__all__"] = [_("This person's data was erased: nothing can be added.")]
    if kind not in IdentityDocument.Kind.values:
        errors["kind"] = [_("Kind of document: choose one of the listed kinds.")]
    if kind == IdentityDocument.Kind.POWER_OF_ATTORNEY:
        if not signer_name.strip():
            errors["signer_name"] = [
                _("Signed by: a power of attorney needs the name of who signed it.")
            ]
        if not authority_granted.strip():
            errors["authority_granted"] = [
                _("Authority granted: say what the power of attorney allows.")
            ]
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = [_("Valid until: the date is before “valid from”.")]
    return errors


@transaction.atomic
def upload_document(
    actor: Actor,
    owner: Person | Organization,
    *,
    kind: str,
    data: bytes,
    uploaded_name: str = "",
    signer_name: str = "",
    authority_granted: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    channel: str = UI,
) -> IdentityDocument:
    """Checks the file by its content, re-encodes images without their metadata,
    and stores it encrypted (the default storage encrypts every file)."""
    errors = _check_values(owner, kind, signer_name, authority_granted, valid_from, valid_until)
    prepared = None
    try:
        prepared = content.prepare(data)
    except ValidationError as error:
        errors["file"] = error.messages
    if errors or prepared is None:
        raise ValidationError(errors)
    is_attorney = kind == IdentityDocument.Kind.POWER_OF_ATTORNEY
    document = IdentityDocument(
        **_owner_fields(owner),
        kind=kind,
        signer_name=signer_name.strip()[:200] if is_attorney else "",
        authority_granted=authority_granted.strip() if is_attorney else "",
        valid_from=valid_from,
        valid_until=valid_until,
        file_name=content.display_name(uploaded_name, prepared.extension, kind),
        content_type=prepared.content_type,
        size=len(prepared.content),
        uploaded_by=acting_user(actor),
    )
    document.file.save("upload", ContentFile(prepared.content), save=False)
    try:
        document.save()
        record_change(
            actor,
            "documents.upload",
            document,
            {
                "owner": [None, f"{document.owner._meta.label_lower}:{document.owner.pk}"],
                "kind": [None, kind],
                "content_type": [None, prepared.content_type],
            },
            channel=channel,
        )
    except BaseException:
        document.file.delete(save=False)  # no encrypted orphan is left behind
        raise
    return document


@transaction.atomic
def delete_document(actor: Actor, document: IdentityDocument, *, channel: str = UI) -> None:
    """Deletes the document and, once committed, its file (documents.signals)."""
    record_change(
        actor,
        "documents.delete",
        document,
        {
            "owner": [f"{document.owner._meta.label_lower}:{document.owner.pk}", None],
            "kind": [document.kind, None],
        },
        channel=channel,
    )
    document.delete()
