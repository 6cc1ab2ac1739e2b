"""The privacy core: purposes and their lawful bases, privacy notices, the
consent ledger, restrictions, objections, disclosures and breaches."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connexion.people.models import Organization, Person

BREACH_NOTICE_HOURS = 72  # PDPA s.37(4): notify the regulator within 72 hours of awareness


def staff_user(verbose_name: Any = None) -> models.ForeignKey:
    """The member of staff who did something; the record stays if the account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **({"verbose_name": verbose_name} if verbose_name else {}),
    )


class LawfulBasis(models.TextChoices):
    # PDPA s.24, and s.26 for sensitive data
    CONSENT = "consent", _("consent")
    CONTRACT = "contract", _("contract")
    LEGAL_OBLIGATION = "legal_obligation", _("legal obligation")
    LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest")
    VITAL_INTEREST = "vital_interest", _("vital interest")
    PUBLIC_TASK = "public_task", _("public task")
    RESEARCH = "research", _("archives, research or statistics")
    EXPLICIT_CONSENT = "explicit_consent", _("explicit consent (sensitive data)")


CONSENT_BASES = {LawfulBasis.CONSENT, LawfulBasis.EXPLICIT_CONSENT}
# Bases a person may object to (PDPA s.32).
OBJECTABLE_BASES = {
    LawfulBasis.LEGITIMATE_INTEREST,
    LawfulBasis.PUBLIC_TASK,
    LawfulBasis.RESEARCH,
    LawfulBasis.CONSENT,
    LawfulBasis.EXPLICIT_CONSENT,
}


class Purpose(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    policy_clause = models.CharField(_("policy clause"), max_length=10, blank=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    lawful_basis = models.CharField(_("lawful basis"), max_length=30, choices=LawfulBasis.choices)
    # Data categories of the registry ("3.1" … "3.7") this purpose uses.
    data_categories = models.JSONField(_("data categories"), default=list)
    is_direct_marketing = models.BooleanField(_("direct marketing"), default=False)
    # Filled by the retention rules; a free reference until then.
    retention_rule = models.CharField(_("retention rule"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        ordering = ["policy_clause", "code"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_th if (get_language() or "th").startswith("th") else self.name_en

    @property
    def needs_consent(self) -> bool:
        return self.lawful_basis in CONSENT_BASES


class PrivacyNotice(models.Model):
    """One published version of the privacy notice, in Thai and English."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    text_th = models.TextField(_("text (Thai)"))
    text_en = models.TextField(_("text (English)"))
    effective_at = models.DateTimeField(_("in effect from"))
    published_by = staff_user()
    # Consents given under an earlier version stop counting for these purposes.
    renew_consent_for = models.ManyToManyField(
        Purpose, blank=True, related_name="+", verbose_name=_("renew consent for")
    )

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-effective_at"]

    def __str__(self) -> str:
        return self.version


class ConsentEvent(models.Model):
    """One entry of the consent ledger: a consent given or withdrawn. The
    current state is the latest entry; entries are never changed (s.19)."""

    class Action(models.TextChoices):
        GIVEN = "given", _("given")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("web form")
        PRIVACY_CENTER = "privacy_center", _("privacy center")
        EMAIL = "email", _("email")
        CHAT = "chat", _("chat")
        PAPER = "paper", _("paper form")
        STAFF = "staff", _("staff entry")
        API = "api", _("API")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consent_events")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="+", verbose_name=_("notice shown")
    )
    wording_hash = models.CharField(_("SHA-256 of the wording shown"), max_length=64)
    wording = models.TextField(_("wording shown"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    occurred_at = models.DateTimeField(_("at"), db_index=True)
    recorded_by = staff_user(_("recorded by"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="consent-evidence/", blank=True)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose_id} {self.action}"


class Restriction(models.Model):
    """PDPA s.34 / policy 8.3: the use of an item is suspended."""

    class Scope(models.TextChoices):
        CONTACT_POINT = "contact_point", _("a contact detail")
        CATEGORY = "category", _("a data category")
        RECORD = "record", _("the whole record")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="restrictions")
    scope = models.CharField(_("what is restricted"), max_length=20, choices=Scope.choices)
    # For a contact point: its kind ("email", "phone", "social", "address") and id.
    contact_kind = models.CharField(_("contact kind"), max_length=10, blank=True)
    contact_id = models.PositiveBigIntegerField(_("contact id"), null=True, blank=True)
    category = models.CharField(_("data category"), max_length=3, blank=True)
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    created_by = staff_user()
    lifted_by = staff_user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="contact_point") | Q(contact_id__isnull=False),
                name="restriction_names_its_contact_point",
            ),
            models.CheckConstraint(
                condition=~Q(scope="category") | ~Q(category=""),
                name="restriction_names_its_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.scope}"


class Objection(models.Model):
    """PDPA s.32 / policy 8.4: the person objects to a purpose."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending decision")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="objections")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="objections")
    received_at = models.DateTimeField(_("received at"))
    grounds = models.TextField(_("the person's grounds"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = staff_user()
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    recorded_by = staff_user()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose_id} {self.status}"


class PartnerProduct(models.Model):
    """A product or service a partner offers jointly with us (policy 6.2)."""

    partner = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="joint_products",
        limit_choices_to={"kind": Organization.Kind.PARTNER},
        verbose_name=_("partner"),
    )
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("joint product")
        verbose_name_plural = _("joint products")
        ordering = ["partner_id", "name_en"]

    def __str__(self) -> str:
        return self.name_th or self.name_en


class ProductInterest(models.Model):
    """A person bought or showed interest in a joint product: the only ground
    for disclosing their data to that partner (policy 6.2)."""

    class Kind(models.TextChoices):
        INTERESTED = "interested", _("showed interest")
        BOUGHT = "bought", _("bought")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="product_interests")
    product = models.ForeignKey(PartnerProduct, on_delete=models.PROTECT, related_name="interests")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    since = models.DateTimeField(_("since"))
    recorded_by = staff_user()

    class Meta:
        verbose_name = _("product interest")
        verbose_name_plural = _("product interests")
        ordering = ["-since"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.product_id} {self.kind}"


class Disclosure(models.Model):
    """A disclosure of personal data to an outside party (policy 6.1-6.3)."""

    class Basis(models.TextChoices):
        CONSENT = "consent", _("the person's consent (6.1)")
        PARTNER = "partner", _("partner product the person bought or showed interest in (6.2)")
        LEGAL_OBLIGATION = "legal_obligation", _("legal obligation or order (6.3)")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disclosures")
    recipient = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient"),
    )
    recipient_name = models.CharField(_("recipient (not in the CRM)"), max_length=200, blank=True)
    categories = models.JSONField(_("data categories"), default=list)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    purpose = models.ForeignKey(
        Purpose,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("purpose consented to"),
    )
    product = models.ForeignKey(
        PartnerProduct,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("joint product"),
    )
    legal_reference = models.CharField(_("order or request reference"), max_length=200, blank=True)
    reason = models.TextField(_("why"))
    disclosed_at = models.DateTimeField(_("disclosed at"), db_index=True)
    recorded_by = staff_user()

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-disclosed_at"]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.recipient or self.recipient_name}"


class Breach(models.Model):
    """A personal-data breach and its 72-hour notification clock (s.37(4))."""

    class Risk(models.TextChoices):
        NONE = "none", _("no risk to people's rights")
        RISK = "risk", _("a risk")
        HIGH = "high", _("a high risk")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("happened at"))
    aware_at = models.DateTimeField(_("we became aware at"))
    categories = models.JSONField(_("data categories"), default=list)
    people_affected = models.PositiveIntegerField(_("people affected (approximately)"))
    risk = models.CharField(_("risk assessment"), max_length=10, choices=Risk.choices)
    risk_reasoning = models.TextField(_("reasoning of the assessment"))
    regulator_notified_at = models.DateTimeField(_("regulator notified at"), null=True, blank=True)
    regulator_reference = models.CharField(_("regulator's reference"), max_length=100, blank=True)
    people_notified_at = models.DateTimeField(_("people notified at"), null=True, blank=True)
    late_reason = models.TextField(_("reason for late notification"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    recorded_by = staff_user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["-aware_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(aware_at__gte=models.F("occurred_at")),
                name="breach_aware_after_occurred",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def notify_by(self):  # type: ignore[no-untyped-def]
        return self.aware_at + timedelta(hours=BREACH_NOTICE_HOURS)

    @property
    def needs_regulator_notice(self) -> bool:
        # A "no risk" assessment is recorded with its reasoning, and not notified.
        return self.risk != self.Risk.NONE
