from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The audit log is never changed or deleted by the application."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")

    # The two lawful exceptions, each named so that a reader finds every use.
    def purge_older_than(self, cutoff: datetime) -> int:
        """The audit log's own retention rule (CONNEXION_AUDIT_RETENTION_DAYS)."""
        deleted, _by_model = models.QuerySet.delete(self.filter(occurred_at__lt=cutoff))
        return deleted

    def redact(self, **values: Any) -> int:
        """Erasure of a data subject (PDPA s.33): personal values in these
        entries are replaced; the entries themselves stay as proof."""
        return models.QuerySet.update(self, **values)


class AuditEvent(models.Model):
    """One change or one read of recorded data. Append-only: the application
    never updates or deletes these rows."""

    class Kind(models.TextChoices):
        CHANGE = "change", _("change")
        ACCESS = "access", _("access")
        # A record asked for and not shown: out of the user's reach, or missing.
        REFUSED = "refused", _("refused")

    class Channel(models.TextChoices):
        UI = "ui", _("web interface")
        API = "api", _("API")
        COMMAND = "command", _("command line")
        TASK = "task", _("background task")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    action = models.CharField(_("action"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    # {"field": [before, after]} for changes; {"fields": [...]} for reads.
    details = models.JSONField(_("details"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")
