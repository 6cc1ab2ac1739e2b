"""The only writers of the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.context import current_origin
from connexion.audit.models import AuditEvent


def _origin_fields() -> dict[str, Any]:
    origin = current_origin()
    if origin is None:  # a command or a background task
        return {}
    return {"ip_address": origin.ip_address, "user_agent": origin.user_agent}


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk or "")


def _change_event(
    actor: Actor, action: str, obj: models.Model | None, changes: dict[str, Any], channel: str
) -> AuditEvent:
    object_type, object_id = _object_ref(obj)
    return AuditEvent(
        kind=AuditEvent.Kind.CHANGE,
        action=action,
        actor=acting_user(actor),
        channel=channel if actor is not None else AuditEvent.Channel.COMMAND,
        object_type=object_type,
        object_id=object_id,
        details=changes,
        **_origin_fields(),
    )


def record_change(
    actor: Actor,
    action: str,
    obj: models.Model | None,
    changes: dict[str, Any],
    *,
    channel: str = AuditEvent.Channel.UI,
) -> AuditEvent:
    event = _change_event(actor, action, obj, changes, channel)
    event.save()
    return event


def record_changes(
    actor: Actor,
    action: str,
    changes_by_object: list[tuple[models.Model, dict[str, Any]]],
    *,
    channel: str = AuditEvent.Channel.UI,
) -> None:
    """One entry per object, written in one insert (imports of many rows)."""
    AuditEvent.objects.bulk_create(
        [_change_event(actor, action, obj, changes, channel) for obj, changes in changes_by_object],
        batch_size=1000,
    )


def record_access(
    actor: Actor,
    action: str,
    object_type: str,
    object_ids: list[str],
    *,
    channel: str = AuditEvent.Channel.UI,
) -> AuditEvent:
    """Records that the actor was shown these records: one row per page shown,
    so that reading a list costs one insert, not one per record."""
    single = object_ids[0] if len(object_ids) == 1 else ""
    return AuditEvent.objects.create(
        kind=AuditEvent.Kind.ACCESS,
        action=action,
        actor=acting_user(actor),
        channel=channel,
        object_type=object_type,
        object_id=single,
        details={} if single else {"ids": object_ids},
        **_origin_fields(),
    )


def record_refusal(actor: Actor, action: str, object_type: str, object_id: Any) -> AuditEvent:
    """Records that the actor asked for a record and was answered "not found":
    it is out of their reach or does not exist (the answer does not tell which;
    the log does, to whoever reads it)."""
    origin = current_origin()
    return AuditEvent.objects.create(
        kind=AuditEvent.Kind.REFUSED,
        action=action,
        actor=acting_user(actor),
        channel=origin.channel if origin else AuditEvent.Channel.COMMAND,
        object_type=object_type,
        object_id=str(object_id)[:40],
        details={},
        **_origin_fields(),
    )
