"""The public side of the privacy core: the published privacy contact, the
cookie policy and the proof of each visitor's cookie choice, the public web
forms and what they received, policy-change announcements with their
per-person deliveries, and the single-use links sent by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from connexion.people.models import Person
from connexion.privacy.models import PrivacyNotice, Purpose


def _staff(verbose_name: object = None, related_name: str = "+") -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        **({"verbose_name": verbose_name} if verbose_name else {}),
    )


def _thai() -> bool:
    return (translation.get_language() or "th").startswith("th")


class PrivacyContact(models.Model):
    """Who answers for personal data, as the privacy center publishes it (one
    row). The record of processing can read the controller and DPO from here."""

    SINGLETON_ID = 1

    controller_name_th = models.CharField(_("business name (Thai)"), max_length=200, blank=True)
    controller_name_en = models.CharField(_("business name (English)"), max_length=200, blank=True)
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    email = models.EmailField(_("privacy email"), blank=True)
    phone = models.CharField(_("privacy phone"), max_length=30, blank=True)
    postal_address_th = models.TextField(_("postal address (Thai)"), blank=True)
    postal_address_en = models.TextField(_("postal address (English)"), blank=True)
    # The business's own websites: they may use the cookie banner's endpoint.
    website_origins = models.TextField(
        _("the business's websites"),
        blank=True,
        help_text=_("One origin a line, such as https://www.example.co.th"),
    )
    updated_by = _staff()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("privacy contact")
        verbose_name_plural = _("privacy contact")

    def __str__(self) -> str:
        return self.controller_name

    @property
    def is_published(self) -> bool:
        return not self._state.adding

    @property
    def controller_name(self) -> str:
        if _thai():
            return self.controller_name_th or self.controller_name_en
        return self.controller_name_en or self.controller_name_th

    @property
    def postal_address(self) -> str:
        if _thai():
            return self.postal_address_th or self.postal_address_en
        return self.postal_address_en or self.postal_address_th

    @property
    def origins(self) -> list[str]:
        return [line.strip() for line in self.website_origins.splitlines() if line.strip()]


class CookiePolicy(models.Model):
    """One published version of the cookie policy. A new version brings the
    banner back to every visitor, whatever they chose before."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_th = models.TextField(_("text (Thai)"))
    text_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(_("published at"))
    published_by = _staff(_("published by"))

    class Meta:
        verbose_name = _("cookie policy")
        verbose_name_plural = _("cookie policies")
        ordering = ["-version"]

    def __str__(self) -> str:
        return str(self.version)

    @property
    def text(self) -> str:
        return self.text_th if _thai() else self.text_en


class CookieConsent(models.Model):
    """Proof of one cookie choice of an anonymous visitor (policy: cookies),
    linked to the person once the visitor identifies themselves."""

    class Action(models.TextChoices):
        ACCEPT_ALL = "accept_all", _("accepted all")
        REJECT_ALL = "reject_all", _("rejected all")
        CHOOSE = "choose", _("chose per category")

    visitor_id = models.CharField(_("visitor ID"), max_length=36, db_index=True)
    policy_version = models.PositiveIntegerField(_("cookie policy version"))
    action = models.CharField(_("choice"), max_length=12, choices=Action.choices)
    # Necessary cookies need no consent; these three do.
    preferences = models.BooleanField(_("preferences"))
    analytics = models.BooleanField(_("analytics"))
    marketing = models.BooleanField(_("marketing"))
    occurred_at = models.DateTimeField(_("at"), db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    page_origin = models.CharField(_("website"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cookie_consents",
        verbose_name=_("person"),
    )
    linked_at = models.DateTimeField(_("linked to the person at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cookie consent")
        verbose_name_plural = _("cookie consents")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.visitor_id} v{self.policy_version} {self.action}"

    def choices(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in ("preferences", "analytics", "marketing")}


class WebForm(models.Model):
    """A public form built by staff: chosen person fields, one unticked
    checkbox per purpose that needs consent, and the sites that may embed it."""

    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    # The form's public address: random, so that forms cannot be listed by guessing.
    key = models.SlugField(_("public key"), max_length=40, unique=True)
    # [{"field": "email", "required": true, "label_th": "", "label_en": ""}, …] in order.
    fields = models.JSONField(_("fields"), default=list)
    purposes = models.ManyToManyField(
        Purpose, blank=True, related_name="+", verbose_name=_("consent checkboxes")
    )
    allowed_origins = models.TextField(
        _("sites that may embed it"),
        blank=True,
        help_text=_("One origin a line, such as https://www.example.co.th"),
    )
    owner = _staff(_("follow-up by"))
    thank_you_th = models.TextField(_("thank-you message (Thai)"), blank=True)
    thank_you_en = models.TextField(_("thank-you message (English)"), blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    created_by = _staff()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name_en", "id"]

    def __str__(self) -> str:
        return self.name_th if _thai() else self.name_en

    @property
    def origins(self) -> list[str]:
        return [line.strip() for line in self.allowed_origins.splitlines() if line.strip()]


class WebFormSubmission(models.Model):
    """One submission of a web form, and the person it created or updated."""

    form = models.ForeignKey(WebForm, on_delete=models.PROTECT, related_name="submissions")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="web_form_submissions"
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    created_person = models.BooleanField(_("new person"))
    # Values that differ from what the record holds: shown to staff, never applied unasked.
    unapplied = models.JSONField(_("values not applied"), default=dict, blank=True)
    consents = models.JSONField(_("consents given"), default=list, blank=True)
    visitor_id = models.CharField(_("visitor ID"), max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("web form submission")
        verbose_name_plural = _("web form submissions")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.form_id} {self.person_id}"


class NoticeAnnouncement(models.Model):
    """The announcement of a privacy-notice version to everyone it concerns
    (policy 5.5), sent in the background."""

    notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="+", verbose_name=_("notice")
    )
    started_by = _staff(_("started by"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Where the links in the messages point (the address staff used).
    base_url = models.CharField(max_length=200)
    # {"sent": n, "failed": n, "no_channel": n, "renewal": n}
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notice announcement")
        verbose_name_plural = _("notice announcements")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.started_at:%Y-%m-%d}"


class NoticeDelivery(models.Model):
    """How one person was told of a notice version: at most once per version."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        SMS = "sms", _("text message")
        NONE = "none", _("no channel")

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        NO_CHANNEL = "no_channel", _("not sent: no usable channel")

    announcement = models.ForeignKey(
        NoticeAnnouncement, on_delete=models.CASCADE, related_name="deliveries"
    )
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notice_deliveries")
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    # Masked ("s***@example.co.th"): the delivery proves where, not what the address is.
    sent_to = models.CharField(_("sent to"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    # Codes of the purposes the person was asked to renew consent to.
    renewal_purposes = models.JSONField(_("asked to renew"), default=list, blank=True)
    sent_at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "person"], name="notice_delivered_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.person_id} {self.status}"


class PortalLink(models.Model):
    """A single-use link sent by email: the URL carries a signed random nonce,
    only its hash is stored, and the person it opens is found through it."""

    class Use(models.TextChoices):
        RENEW_CONSENTS = "renew", _("renew consents")

    token_hash = models.CharField(max_length=64, unique=True)
    use = models.CharField(max_length=10, choices=Use.choices)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("privacy center link")
        verbose_name_plural = _("privacy center links")
        constraints = [
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_at__lte=models.F("expires_at")),
                name="portal_link_used_before_expiry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.use} {self.created_at:%Y-%m-%d}"
