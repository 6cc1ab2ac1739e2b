"""Identity documents (policy 3.3): ID-card photos, passport scans and powers of
attorney of a person or an organization. The files are encrypted at rest by the
default storage (connexion.lib.storage); only roles with the 3.3 permission see
them, and every view is logged."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connexion.documents.content import EXTENSIONS


def stored_name(document: IdentityDocument, uploaded_name: str) -> str:
    """A random name: nothing of the uploaded name (which could hold a path or a
    person's name) reaches the disk."""
    extension = EXTENSIONS.get(document.content_type, "")
    return f"identity-documents/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{extension}"


class IdentityDocument(models.Model):
    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("national ID card photo")
        PASSPORT = "passport", _("passport scan")
        POWER_OF_ATTORNEY = "power_of_attorney", _("power of attorney")
        OTHER = "other", _("other identity document")

    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="identity_documents",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        "people.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="identity_documents",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices)
    # Power of attorney: who signed it, what it allows, and for how long.
    signer_name = models.CharField(_("signed by"), max_length=200, blank=True)
    authority_granted = models.TextField(_("authority granted"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=stored_name, max_length=200)
    file_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(organization__isnull=True))
                | (Q(person__isnull=True) & Q(organization__isnull=False)),
                name="identity_document_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.file_name})"

    @property
    def owner(self) -> Any:
        return self.person if self.person_id else self.organization

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
