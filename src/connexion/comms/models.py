"""Outgoing messages: email templates with placeholders (Thai and English) and
every email sent to a person, with the purpose it served (policy 3.7, 5.x)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connexion.people.models import EmailAddress, Person
from connexion.privacy.models import Purpose


class EmailTemplate(models.Model):
    """A reusable message. Placeholders such as {{ first_name }} are filled in
    by plain substitution (comms.rendering), never by a template engine."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    subject_th = models.CharField(_("subject (Thai)"), max_length=200, blank=True)
    body_th = models.TextField(_("body (Thai)"), blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def languages(self) -> list[str]:
        return [code for code in ("th", "en") if getattr(self, f"subject_{code}")]


class OutgoingEmail(models.Model):
    """One email sent (or tried) to a person; shown on their timeline."""

    class Status(models.TextChoices):
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="outgoing_emails")
    # The address may be removed later; `to_address` keeps where it went.
    email_address = models.ForeignKey(
        EmailAddress,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("email address"),
    )
    to_address = models.EmailField(_("sent to"))
    template = models.ForeignKey(
        EmailTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
        verbose_name=_("template"),
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    error = models.TextField(_("error"), blank=True)
    message_id = models.CharField(_("message ID"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")
        ordering = ["-sent_at", "-id"]
        # The timeline reads a person's emails newest first.
        indexes = [models.Index(fields=["person", "sent_at", "id"], name="outgoingemail_person_at")]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"
