"""Sales and service work: pipelines and their stages, products, leads, deals
and their stage history, and the activities, tasks and notes staff record
about people, organizations, leads and deals.

Money is stored as whole minor units (satang for THB) in integer columns:
never floats. A deal in another currency records the rate to THB it was
valued at, and keeps its THB value beside it so sums need no conversion.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from connexion.people.models import Organization, Person


def bilingual(name_th: str, name_en: str) -> str:
    """The name in the language of the request, the other one when it is missing."""
    if (translation.get_language() or "th")[:2] == "en":
        return name_en or name_th
    return name_th or name_en


def _staff(verbose_name: object, related_name: str = "+", **kwargs: object) -> models.ForeignKey:
    """A member of staff; the record stays when the account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=verbose_name,
        **kwargs,
    )


class Pipeline(models.Model):
    """A sales process: an ordered set of stages a deal moves through."""

    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["order", "id"]
        permissions = [
            ("manage_pipelines", _("Can configure pipelines, stages and products")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="pipeline_one_default"
            )
        ]

    def __str__(self) -> str:
        return bilingual(self.name_th, self.name_en)


class Stage(models.Model):
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline")
    )
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability %"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100),
                name="stage_probability_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"
            ),
        ]

    def __str__(self) -> str:
        return bilingual(self.name_th, self.name_en)

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class Product(models.Model):
    """A product or service we sell. With a partner it is a joint product,
    whose buyers and interested people the partner may receive (policy 6.2)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    price = models.BigIntegerField(_("price (satang)"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)
    partner = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joint_products",
        limit_choices_to={"kind": Organization.Kind.PARTNER},
        verbose_name=_("partner (joint product)"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=~Q(name_th="") | ~Q(name_en=""), name="product_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        return bilingual(self.name_th, self.name_en)


class ProductInterest(models.Model):
    """A person showed interest in a product or bought it: since when and how
    we know. For a joint product this is the only ground for disclosing their
    data to that partner (policy 6.2); purpose 5.1 contacts them about it."""

    class Kind(models.TextChoices):
        INTERESTED = "interested", _("showed interest")
        BOUGHT = "bought", _("bought")

    class SourceKind(models.TextChoices):
        WEB_FORM = "web_form", _("web form")
        REFERRAL = "referral", _("referral")
        PARTNER = "partner", _("partner")
        CAMPAIGN = "campaign", _("campaign")
        IMPORT = "import", _("import")
        MANUAL = "manual", _("entered by staff")
        LEAD = "lead", _("a lead")
        DEAL = "deal", _("a won deal")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="product_interests", verbose_name=_("person")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="interests", verbose_name=_("product")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    since = models.DateTimeField(_("since"))
    source = models.CharField(
        _("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.MANUAL
    )
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    lead = models.ForeignKey(
        "Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deal = models.ForeignKey(
        "Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = _staff(_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("product interest")
        verbose_name_plural = _("product interests")
        ordering = ["-since", "-id"]
        indexes = [models.Index(fields=["product", "kind"], name="productinterest_product_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "product", "kind"], name="productinterest_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.product_id} {self.kind}"


class Lead(models.Model):
    """An interest not yet qualified. Until converted it may name someone who
    is not in the CRM yet (the contact fields); converting creates or links
    the person and organization and opens a deal."""

    class SourceKind(models.TextChoices):
        WEB_FORM = "web_form", _("web form")
        REFERRAL = "referral", _("referral")
        PARTNER = "partner", _("partner")
        CAMPAIGN = "campaign", _("campaign")
        IMPORT = "import", _("import")
        MANUAL = "manual", _("entered by staff")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        CONTACTED = "contacted", _("contacted")
        QUALIFIED = "qualified", _("qualified")
        DISQUALIFIED = "disqualified", _("disqualified")

    title = models.CharField(_("interest"), max_length=200)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("organization"),
    )
    # Who, when they are not in the CRM yet.
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)

    source = models.CharField(
        _("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.MANUAL
    )
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    referred_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("referred by"),
    )
    partner = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organization.Kind.PARTNER},
        verbose_name=_("partner"),
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="leads", verbose_name=_("products of interest")
    )
    owner = _staff(_("owner"), related_name="owned_leads")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    disqualified_reason = models.CharField(_("reason disqualified"), max_length=300, blank=True)
    converted_deal = models.ForeignKey(
        "Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("deal"),
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    converted_by = _staff(_("converted by"))
    created_by = _staff(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="lead_created_id"),
            models.Index(fields=["status", "created_at"], name="lead_status_created"),
            models.Index(fields=["source", "created_at"], name="lead_source_created"),
            models.Index(fields=["owner", "status"], name="lead_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="disqualified") | ~Q(disqualified_reason=""),
                name="lead_disqualified_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False)
                | Q(organization__isnull=False)
                | ~Q(first_name="")
                | ~Q(last_name="")
                | ~Q(company_name="")
                | ~Q(email="")
                | ~Q(phone=""),
                name="lead_names_someone",
            ),
            models.CheckConstraint(
                condition=Q(converted_deal__isnull=True) | Q(converted_at__isnull=False),
                name="lead_conversion_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def contact_name(self) -> str:
        if self.person_id:
            return str(self.person)
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.company_name or self.email or self.phone

    @property
    def is_converted(self) -> bool:
        return self.converted_deal_id is not None


class Deal(models.Model):
    class Status(models.TextChoices):
        # Follows the stage's won/lost flags; kept on the deal so lists and
        # dashboards filter without joining the stage.
        OPEN = "open", _("open")
        WON = "won", _("won")
        LOST = "lost", _("lost")

    title = models.CharField(_("title"), max_length=200)
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        verbose_name=_("organization"),
    )
    owner = _staff(_("owner"), related_name="owned_deals")
    # Minor units of `currency` (satang for THB).
    amount = models.BigIntegerField(_("amount"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="THB")
    # THB for one unit of `currency`, as agreed when the amount was set.
    exchange_rate = models.DecimalField(
        _("exchange rate to THB"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    amount_thb = models.BigIntegerField(_("amount in THB (satang)"), default=0, editable=False)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("in this stage since"))
    lead = models.ForeignKey(
        Lead,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        verbose_name=_("lead"),
    )
    created_by = _staff(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-updated_at", "-id"]
        indexes = [
            # Kanban: counts and sums per stage of a pipeline, then the first
            # cards of each stage, most recently moved first.
            models.Index(fields=["pipeline", "stage", "amount_thb"], name="deal_pipeline_stage"),
            # The deal list's sums per stage of the open (or won, or lost) deals.
            models.Index(fields=["status", "stage", "amount_thb"], name="deal_status_stage"),
            models.Index(fields=["stage", "stage_changed_at", "id"], name="deal_stage_moved"),
            # The list pages by keyset on (sort field, id).
            models.Index(fields=["updated_at", "id"], name="deal_updated_id"),
            models.Index(fields=["expected_close_date", "id"], name="deal_close_date_id"),
            models.Index(fields=["amount_thb", "id"], name="deal_amount_id"),
            # One owner's deals: their sums per stage (index only) and their list.
            models.Index(fields=["owner", "status", "stage", "amount_thb"], name="deal_owner_sums"),
            models.Index(fields=["owner", "updated_at", "id"], name="deal_owner_updated"),
            models.Index(fields=["status", "closed_at"], name="deal_status_closed"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_thb__gte=0), name="deal_amount_thb_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(currency="THB") | Q(exchange_rate__gt=0),
                name="deal_foreign_currency_has_rate",
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | ~Q(lost_reason=""), name="deal_lost_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def weighted_thb(self) -> int:
        """The THB value times the stage's probability, in satang (integer arithmetic)."""
        return self.amount_thb * self.stage.probability // 100


class DealProduct(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="deal_lines", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    # Minor units of the deal's currency.
    unit_price = models.BigIntegerField(_("unit price"))

    class Meta:
        verbose_name = _("deal product")
        verbose_name_plural = _("deal products")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="dealproduct_quantity_1"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="dealproduct_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price


class StageTotal(models.Model):
    """The number and THB value of the deals in a stage, kept by the services
    in the same transaction as each deal write, so that the board and the list
    show sums over hundreds of thousands of deals without adding them up."""

    stage = models.OneToOneField(
        Stage, primary_key=True, on_delete=models.CASCADE, related_name="total"
    )
    deal_count = models.BigIntegerField(default=0)
    amount_thb = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("stage total")
        verbose_name_plural = _("stage totals")

    def __str__(self) -> str:
        return f"{self.stage_id}: {self.deal_count}"


class StageChange(models.Model):
    """Every move of a deal between stages; the first row has no from_stage."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_by = _staff(_("changed by"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["deal", "changed_at"], name="stagechange_deal_at")]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class Activity(models.Model):
    """Something staff did with or about someone: a call, a meeting …"""

    class Kind(models.TextChoices):
        CALL = "call", _("call")
        MEETING = "meeting", _("meeting")
        EMAIL = "email", _("email")
        CHAT = "chat", _("chat")
        VISIT = "visit", _("visit")
        NOTE = "note", _("note")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    occurred_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("organization"),
    )
    lead = models.ForeignKey(
        Lead,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("lead"),
    )
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("deal"),
    )
    participants = models.ManyToManyField(
        Person, blank=True, related_name="activities_attended", verbose_name=_("participants")
    )
    staff_participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="sales_activities",
        verbose_name=_("staff participants"),
    )
    created_by = _staff(_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="activity_person_at"),
            models.Index(fields=["organization", "occurred_at"], name="activity_org_at"),
            models.Index(fields=["lead", "occurred_at"], name="activity_lead_at"),
            models.Index(fields=["deal", "occurred_at"], name="activity_deal_at"),
            models.Index(fields=["created_by", "occurred_at"], name="activity_staff_at"),
            # The sales dashboard counts this month's activities per staff member
            # from this index alone (PostgreSQL: an index-only scan).
            models.Index(fields=["occurred_at"], include=["created_by"], name="activity_at"),
        ]

    def __str__(self) -> str:
        return self.subject


class Task(models.Model):
    class Priority(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", _("normal")
        HIGH = "high", _("high")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assignee = _staff(_("assigned to"), related_name="sales_tasks")
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("organization"),
    )
    lead = models.ForeignKey(
        Lead,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("lead"),
    )
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("deal"),
    )
    created_by = _staff(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            # "My tasks": open tasks of one assignee by due time.
            models.Index(fields=["assignee", "done_at", "due_at"], name="task_assignee_due"),
            # The reminder sweep: only reminders still to send.
            models.Index(
                fields=["remind_at"],
                condition=Q(reminder_sent_at__isnull=True, done_at__isnull=True),
                name="task_reminder_due",
            ),
            models.Index(fields=["person", "created_at"], name="task_person_at"),
            models.Index(fields=["organization", "created_at"], name="task_org_at"),
            models.Index(fields=["deal", "created_at"], name="task_deal_at"),
        ]

    def __str__(self) -> str:
        return self.title


class Note(models.Model):
    # Sanitized to a small allow-list of tags before it is stored.
    body_html = models.TextField(_("note"))
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notes",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
        verbose_name=_("organization"),
    )
    lead = models.ForeignKey(
        Lead,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
        verbose_name=_("lead"),
    )
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
        verbose_name=_("deal"),
    )
    author = _staff(_("author"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "created_at"], name="note_person_at"),
            models.Index(fields=["organization", "created_at"], name="note_org_at"),
            models.Index(fields=["lead", "created_at"], name="note_lead_at"),
            models.Index(fields=["deal", "created_at"], name="note_deal_at"),
        ]

    def __str__(self) -> str:
        return self.body_html[:60]


class Reminder(models.Model):
    """A task's reminder delivered in the application: the bell in the top bar
    counts the unread ones. Made once, by the reminder sweep, when it is due."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_reminders"
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField(_("due at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    email_error = models.CharField(_("email error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "due_at"], name="reminder_user_unread")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.task_id}"
