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
    # The one catalog of products lives in sales; a joint product has a partner.
    product = models.ForeignKey(
        "sales.Product",
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


class DataUse(models.Model):
    """One use of a person's data that contacts, discloses or hands it over, asked
    of the use door (`privacy.ledger.uses`) with the action's purpose: done, or
    refused with the reasons. The ledger of what was done with whose data."""

    class Action(models.TextChoices):
        EMAIL = "email", _("email")
        SMS = "sms", _("text message")
        ANNOUNCEMENT = "announcement", _("policy-change announcement")
        PORTABILITY = "portability", _("data sent to another controller")
        DISCLOSURE = "disclosure", _("disclosure to an outside party")
        EXPORT = "export", _("people export")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="data_uses")
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # Which contact point it went to (kind as in restrictions: email, phone, ...).
    contact_kind = models.CharField(_("contact point kind"), max_length=10, blank=True)
    contact_id = models.PositiveBigIntegerField(_("contact point"), null=True, blank=True)
    allowed = models.BooleanField(_("allowed"))
    refusals = models.JSONField(_("reasons refused"), default=list, blank=True)
    # The order or law behind a use on a legal obligation (policy 5.6, 6.3).
    reference = models.CharField(_("order or law"), max_length=200, blank=True)
    used_by = staff_user(_("by"))
    used_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("use of personal data")
        verbose_name_plural = _("uses of personal data")
        ordering = ["-used_at", "-id"]
        permissions = [
            (
                "use_for_legal_obligation",
                _("Can use personal data on a legal obligation (with its reference)"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.person_id} {self.purpose_id}"


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


class BreachAlert(models.Model):
    """A warning sent to the privacy officers as a breach's 72-hour clock runs:
    at 48 and 64 hours after becoming aware, and when it runs out. One per
    breach and threshold, so a rerun of the task never warns twice."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="alerts")
    hours = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["breach", "hours"], name="one_alert_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.breach_id} {self.hours}h"


# --- Data-subject requests (PDPA s.30-s.36, policy 8.1-8.7) ---------------------

REQUEST_ANSWER_DAYS = 30  # PDPA s.30: a request is answered within 30 days of receipt
REQUEST_WARNING_DAYS = (7, 3, 1)  # the assignee and the privacy officer are warned then


class SubjectRequest(models.Model):
    """A request from a data subject (or their representative), from receipt
    to its answer, with the 30-day clock."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("access (a copy of my data)")
        PORTABILITY = (
            "portability",
            _("portability (machine-readable, or sent to another controller)"),
        )
        RECTIFICATION = "rectification", _("rectification")
        ERASURE = "erasure", _("erasure or anonymization")
        RESTRICTION = "restriction", _("restriction of use")
        OBJECTION = "objection", _("objection")
        WITHDRAWAL = "withdrawal", _("consent withdrawal")
        COMPLAINT = "complaint", _("complaint")

    class Channel(models.TextChoices):
        PRIVACY_CENTER = "privacy_center", _("privacy center")
        EMAIL = "email", _("email")
        PAPER = "paper", _("paper")
        PHONE = "phone", _("phone")
        API = "api", _("API")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        VERIFYING = "verifying", _("verifying identity")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Verification(models.TextChoices):
        EMAIL_CODE = "email_code", _("one-time code by email")
        PHONE_CODE = "phone_code", _("one-time code by phone")
        DOCUMENT = "document", _("identity document checked by staff")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    # The person the request concerns, once matched; the requester's own words stay.
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subject_requests",
        verbose_name=_("person"),
    )
    requester_name = models.CharField(_("requester's name"), max_length=200)
    requester_email = models.EmailField(_("requester's email"), blank=True)
    requester_phone = models.CharField(_("requester's phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language of the answers"), max_length=2, choices=[("th", "ไทย"), ("en", "English")]
    )
    description = models.TextField(_("the request in the person's words"))
    # Rectification: {"field name": "requested value"}, decided field by field.
    proposed_changes = models.JSONField(_("requested corrections"), default=dict, blank=True)
    # Portability to another controller: where the bundle goes.
    recipient_controller = models.CharField(
        _("other controller (name)"), max_length=200, blank=True
    )
    recipient_email = models.EmailField(_("other controller's email"), blank=True)
    # Complaint escalated to the regulator (PDPC).
    regulator_reference = models.CharField(_("PDPC reference"), max_length=100, blank=True)
    # The email received, the paper scan, the call note.
    attachment = models.FileField(_("received message or scan"), upload_to="requests/", blank=True)
    by_representative = models.BooleanField(_("made by a representative"), default=False)
    representative_name = models.CharField(_("representative's name"), max_length=200, blank=True)
    authority_document = models.FileField(
        _("authority document"), upload_to="requests/authority/", blank=True
    )
    verification = models.CharField(
        _("identity verified by"), max_length=20, choices=Verification.choices, blank=True
    )
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    verified_by = staff_user(_("verified by"))
    verification_note = models.TextField(_("how identity was verified"), blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    due_at = models.DateTimeField(_("answer due by"), db_index=True)
    assigned_to = staff_user(_("assigned to"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The lawful reason of a rejection (PDPA s.30, s.33, s.34 ...); kept for s.39.
    rejection_reason = models.TextField(_("lawful reason for the rejection"), blank=True)
    # Warnings already sent for this request, in days left: [7, 3].
    warnings_sent = models.JSONField(default=list, blank=True)
    # SHA-256 of the secret that lets the requester follow the request.
    status_token_hash = models.CharField(max_length=64, blank=True)
    created_by = staff_user(_("entered by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


OPEN_REQUEST_STATUSES = {
    SubjectRequest.Status.RECEIVED,
    SubjectRequest.Status.VERIFYING,
    SubjectRequest.Status.IN_PROGRESS,
}


class RequestEvent(models.Model):
    """The recorded history of a request: status changes, assignments, notes,
    verification, messages sent to the person, deliveries."""

    class Kind(models.TextChoices):
        STATUS = "status", _("status changed")
        ASSIGNED = "assigned", _("assigned")
        NOTE = "note", _("internal note")
        VERIFIED = "verified", _("identity verified")
        MESSAGE = "message", _("message to the person")
        DELIVERY = "delivery", _("data delivered")
        WARNING = "warning", _("deadline warning")
        FIELD_DECISION = "field_decision", _("correction decided")
        ACTION = "action", _("request carried out")

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True)
    details = models.JSONField(default=dict, blank=True)
    actor = staff_user(_("by"))
    occurred_at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class OneTimeCode(models.Model):
    """A 6-digit code sent to an email address or phone to prove control of it:
    10 minutes of life, at most 3 tries. Only hashes are stored."""

    LIFETIME_MINUTES = 10
    MAX_ATTEMPTS = 3

    class Use(models.TextChoices):
        REQUEST = "request", _("verify a request")
        CONSENTS = "consents", _("see my consents")

    use = models.CharField(max_length=10, choices=Use.choices)
    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    # SHA-256 of the normalized email or E.164 phone the code was sent to.
    target_hash = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=5, choices=[("email", "email"), ("phone", "phone")])
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.use} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class DataExport(models.Model):
    """An access or portability bundle for one person, delivered through an
    expiring, single-use link or sent to another controller."""

    LINK_LIFETIME_HOURS = 72

    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="data_exports"
    )
    file = models.FileField(upload_to="exports/", blank=True)
    language = models.CharField(max_length=2)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    download_ip = models.GenericIPAddressField(null=True, blank=True)
    sent_to = models.EmailField(_("sent to"), blank=True)
    created_by = staff_user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.created_at:%Y-%m-%d}"


class LegalHold(models.Model):
    """Data a law requires us to keep (accounting, revenue, court orders):
    erasure and retention stop for the person while a hold is in force."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.TextField(_("reason"))
    legal_reference = models.CharField(_("law or order"), max_length=200)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    placed_by = staff_user(_("placed by"))
    lifted_by = staff_user()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.legal_reference}"


class RetentionRule(models.Model):
    """How long data may be kept (policy clause 7): who it applies to and what
    happens when the time is up."""

    class Trigger(models.TextChoices):
        NO_ACTIVITY = "no_activity", _("no activity for")
        RELATIONSHIP_ENDED = "relationship_ended", _("relationship ended more than")
        RECORD_AGE = "record_age", _("record older than")

    class Action(models.TextChoices):
        ANONYMIZE = "anonymize", _("erase the person's data (anonymize what must stay)")
        DELETE_CATEGORY = "delete_category", _("delete the data category only")

    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_th = models.TextField(_("explanation (Thai)"), blank=True)
    description_en = models.TextField(_("explanation (English)"), blank=True)
    # Empty: applies to every stage / every category / every purpose.
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=20, blank=True)
    category = models.CharField(_("data category"), max_length=3, blank=True)
    purpose = models.ForeignKey(
        Purpose,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retention_rules",
        verbose_name=_("purpose"),
    )
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    months = models.PositiveIntegerField(_("months"))
    action = models.CharField(_("then"), max_length=20, choices=Action.choices)
    is_active = models.BooleanField(_("in force"), default=True)
    updated_by = staff_user()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(months__gt=0), name="retention_months_positive")
        ]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_th if (get_language() or "th").startswith("th") else self.name_en


class RetentionRun(models.Model):
    """One run of the retention rules, with its counts per rule."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("preview only"), default=False)
    # {"rule id": {"matched": n, "erased": n, "held": n}}
    counts = models.JSONField(default=dict, blank=True)
    triggered_by = staff_user(_("started by"))
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class ErasureRecord(models.Model):
    """Proof that a person's data was erased, without re-identifying them."""

    person_ref = models.PositiveBigIntegerField(_("record number"))
    masked_name = models.CharField(_("masked name"), max_length=200)
    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(
        RetentionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(
        RetentionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="erasures"
    )
    approved_by = staff_user(_("approved by"))
    performed_at = models.DateTimeField(_("performed at"), db_index=True)
    # The record stayed (anonymized) or went (deleted).
    person_kept = models.BooleanField(_("record kept anonymized"))
    # {"app.model": {"deleted": n, "anonymized": n, "held": n}}
    tables = models.JSONField(_("tables touched"), default=dict)
    files_removed = models.PositiveIntegerField(_("files removed"), default=0)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-performed_at"]
        # Irreversible: the privacy officer role only (accounts.roles).
        permissions = [("erase_person", _("Can erase a person's data"))]

    def __str__(self) -> str:
        return f"#{self.person_ref} {self.masked_name}"
