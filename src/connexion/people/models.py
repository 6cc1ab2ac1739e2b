from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connexion.lib.thai import PROVINCES
from connexion.people.validators import validate_not_in_future, validate_thai_id

PROVINCE_CHOICES = [(thai, thai) for thai, _english in PROVINCES]
BANGKOK = PROVINCES[0][0]

postcode_validator = RegexValidator(r"^\d{5}$", _("Enter a postcode of 5 digits."))
branch_validator = RegexValidator(r"^\d{5}$", _("Enter a branch number of 5 digits."))


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """Where personal data came from (policy 4.1-4.3): one collection event,
    shared by everything collected in it (a form, a call, a whole import file)."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("given directly by the person")
        RELATED_PERSON = "related_person", _("given by a related person")
        PARTNER = "partner", _("received from a business partner")

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("web form")
        EMAIL = "email", _("email")
        CHAT = "chat", _("chat")
        PHONE = "phone", _("phone")
        IN_PERSON = "in_person", _("in person")
        IMPORT = "import", _("import")

    kind = models.CharField(_("source"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    related_person = models.ForeignKey(
        "Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    partner = models.ForeignKey(
        "Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner"),
    )
    agreement_reference = models.CharField(_("agreement reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    collected_at = models.DateTimeField(_("collected at"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("collected by"),
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="related_person") | Q(related_person__isnull=False),
                name="source_related_person_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind="partner") | Q(partner__isnull=False),
                name="source_partner_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"


class Organization(models.Model):
    """A corporate customer, partner or other juristic person."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("corporate customer")
        PARTNER = "partner", _("business partner")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CUSTOMER)
    name_th = models.CharField(_("legal name (Thai)"), max_length=200, blank=True)
    name_en = models.CharField(_("legal name (English)"), max_length=200, blank=True)
    tax_id = models.CharField(
        _("tax ID"), max_length=13, blank=True, db_index=True, validators=[validate_thai_id]
    )
    branch = models.CharField(
        _("branch number"),
        max_length=5,
        blank=True,
        validators=[branch_validator],
        help_text=_("Empty for the head office."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="organizations")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("source")
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_th", "name_en", "id"]
        # The lists page by keyset on (sort field, id).
        indexes = [
            models.Index(fields=["name_th", "id"], name="organization_name_th_id"),
            models.Index(fields=["name_en", "id"], name="organization_name_en_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_th="") | ~Q(name_en=""), name="organization_has_a_name"
            )
        ]

    def __str__(self) -> str:
        return self.name_th or self.name_en

    @property
    def is_head_office(self) -> bool:
        return not self.branch


class Person(models.Model):
    """Anyone the business holds data about: customer, prospect, website
    visitor, a contact at a corporate customer, a payer or a referrer."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other")

    class Lifecycle(models.TextChoices):
        VISITOR = "visitor", _("visitor")
        PROSPECT = "prospect", _("prospect")
        CUSTOMER = "customer", _("customer")
        FORMER_CUSTOMER = "former_customer", _("former customer")

    title = models.CharField(_("title"), max_length=30, blank=True)
    first_name_th = models.CharField(_("first name (Thai)"), max_length=100, blank=True)
    middle_name_th = models.CharField(_("middle name (Thai)"), max_length=100, blank=True)
    last_name_th = models.CharField(_("last name (Thai)"), max_length=100, blank=True)
    nickname_th = models.CharField(_("nickname (Thai)"), max_length=60, blank=True)
    first_name_en = models.CharField(_("first name (Latin)"), max_length=100, blank=True)
    middle_name_en = models.CharField(_("middle name (Latin)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("last name (Latin)"), max_length=100, blank=True)
    nickname_en = models.CharField(_("nickname (Latin)"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_not_in_future]
    )
    national_id = models.CharField(
        _("national ID"), max_length=13, blank=True, db_index=True, validators=[validate_thai_id]
    )
    passport_number = models.CharField(
        _("passport number"), max_length=20, blank=True, db_index=True
    )
    passport_country = models.CharField(_("passport country"), max_length=2, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    employer = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
        verbose_name=_("employer"),
    )
    employer_name = models.CharField(_("employer (not in the CRM)"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.PROSPECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="people")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="people", verbose_name=_("source")
    )
    # Names, nicknames, emails and phone numbers folded to lower case in one
    # column, so one indexed substring match finds a person by any of them.
    search_text = models.TextField(editable=False, default="")
    # Set when the person's data was erased but the record had to stay (a deal
    # in revenue reports, a legal hold): the row then holds no personal data.
    anonymized_at = models.DateTimeField(_("anonymized at"), null=True, blank=True)
    # Set when this record was merged into another; kept for the history.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["-id"]
        # The lists page by keyset on (sort field, id); "newest" uses the primary key.
        indexes = [
            models.Index(fields=["first_name_th", "id"], name="person_first_name_th_id"),
            models.Index(fields=["first_name_en", "id"], name="person_first_name_en_id"),
            models.Index(fields=["updated_at", "id"], name="person_updated_at_id"),
        ]
        permissions = [
            ("view_identity_numbers", _("Can see full national ID and passport numbers")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name_th="")
                | ~Q(first_name_en="")
                | ~Q(last_name_th="")
                | ~Q(last_name_en="")
                | Q(anonymized_at__isnull=False),
                name="person_has_a_name",
            )
        ]

    def __str__(self) -> str:
        if self.anonymized_at:
            return gettext("anonymized person #%(id)s") % {"id": self.pk}
        return self.name_th or self.name_en

    @property
    def name_th(self) -> str:
        parts = [self.first_name_th, self.middle_name_th, self.last_name_th]
        return " ".join(part for part in parts if part)

    @property
    def name_en(self) -> str:
        parts = [self.first_name_en, self.middle_name_en, self.last_name_en]
        return " ".join(part for part in parts if part)

    def age(self, on: date | None = None) -> int | None:
        """Derived from the birth date, never stored (policy 3.1)."""
        if self.date_of_birth is None:
            return None
        on = on or date.today()
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class LifecycleChange(models.Model):
    """Every change of a person's lifecycle stage, with its date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="lifecycle_changes")
    stage = models.CharField(_("stage"), max_length=20, choices=Person.Lifecycle.choices)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lifecycle change")
        verbose_name_plural = _("lifecycle changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.stage}"


def contact_point_constraints(label: str, per: str | None = None) -> list[models.BaseConstraint]:
    """Exactly one owner, and at most one primary per owner (and per `per`, e.g.
    a primary mobile beside a primary fax)."""
    extra = [per] if per else []
    suffix = f"_{per}" if per else ""
    return [
        models.CheckConstraint(
            condition=Q(person__isnull=False, organization__isnull=True)
            | Q(person__isnull=True, organization__isnull=False),
            name=f"{label}_one_owner",
        ),
        *(
            models.UniqueConstraint(
                fields=[owner, *extra],
                condition=Q(is_primary=True, **{f"{owner}__isnull": False}),
                name=f"{label}_one_primary_per_{owner}{suffix}",
            )
            for owner in ("person", "organization")
        ),
    ]


class ContactPoint(models.Model):
    """Belongs to exactly one person or one organization; at most one primary
    of each kind per owner; always with its provenance."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    label = models.CharField(_("label"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", verbose_name=_("source")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True
        constraints = contact_point_constraints("%(class)s")

    @property
    def owner(self) -> "Person | Organization":
        return self.person or self.organization  # type: ignore[return-value]


class EmailAddress(ContactPoint):
    email = models.EmailField(_("email"), db_index=True)

    class Meta(ContactPoint.Meta):
        verbose_name = _("email address")
        verbose_name_plural = _("email addresses")

    def __str__(self) -> str:
        return self.email


class PhoneNumber(ContactPoint):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("mobile")
        LANDLINE = "landline", _("landline")
        FAX = "fax", _("fax")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    number = models.CharField(_("number (E.164)"), max_length=20, db_index=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        # One primary per kind: a primary mobile and a primary fax may coexist.
        constraints = contact_point_constraints("phonenumber", per="kind")

    def __str__(self) -> str:
        return self.number


class SocialAccount(ContactPoint):
    class Platform(models.TextChoices):
        LINE = "line", "LINE"
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        X = "x", "X"
        TIKTOK = "tiktok", "TikTok"
        OTHER = "other", _("other")

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=100, blank=True)
    platform_user_id = models.CharField(_("platform user ID"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("social-media account")
        verbose_name_plural = _("social-media accounts")
        constraints = [
            *contact_point_constraints("socialaccount", per="platform"),
            models.CheckConstraint(
                condition=~Q(handle="") | ~Q(platform_user_id=""),
                name="socialaccount_handle_or_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.handle or self.platform_user_id}"


class PostalAddress(ContactPoint):
    """A Thai address in its structure, or a free-form foreign address."""

    house_number = models.CharField(_("house number"), max_length=30, blank=True)
    moo = models.CharField(_("moo"), max_length=10, blank=True)
    building = models.CharField(_("village or building"), max_length=120, blank=True)
    soi = models.CharField(_("soi"), max_length=80, blank=True)
    road = models.CharField(_("road"), max_length=80, blank=True)
    subdistrict = models.CharField(_("subdistrict"), max_length=80, blank=True)
    district = models.CharField(_("district"), max_length=80, blank=True)
    province = models.CharField(_("province"), max_length=40, choices=PROVINCE_CHOICES, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=5, blank=True, validators=[postcode_validator]
    )
    country = models.CharField(_("country"), max_length=2, default="TH")
    foreign_address = models.TextField(_("foreign address"), blank=True)

    class Meta(ContactPoint.Meta):
        verbose_name = _("postal address")
        verbose_name_plural = _("postal addresses")

    def __str__(self) -> str:
        if self.country != "TH":
            return f"{self.foreign_address} ({self.country})"
        bangkok = self.province == BANGKOK
        parts = [
            self.house_number,
            f"หมู่ {self.moo}" if self.moo else "",
            self.building,
            f"ซอย{self.soi}" if self.soi else "",
            f"ถนน{self.road}" if self.road else "",
            (f"แขวง{self.subdistrict}" if bangkok else f"ตำบล{self.subdistrict}")
            if self.subdistrict
            else "",
            (f"เขต{self.district}" if bangkok else f"อำเภอ{self.district}")
            if self.district
            else "",
            self.province if bangkok else f"จังหวัด{self.province}",
            self.postcode,
        ]
        return " ".join(part for part in parts if part)


class OrganizationRole(models.Model):
    """A person's role at an organization, over a period."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("director")
        SHAREHOLDER = "shareholder", _("shareholder")
        EMPLOYEE = "employee", _("employee")
        LEGAL_REPRESENTATIVE = "legal_representative", _("legal representative")
        AUTHORIZED_SIGNATORY = "authorized_signatory", _("authorized signatory")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="organization_roles")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="person_roles"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    share_percent = models.DecimalField(
        _("share %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role at an organization")
        verbose_name_plural = _("roles at organizations")
        ordering = ["organization_id", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="organizationrole_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} – {self.organization}"

    @property
    def may_act_for_organization(self) -> bool:
        return self.role in {self.Role.AUTHORIZED_SIGNATORY, self.Role.LEGAL_REPRESENTATIVE}


class Relationship(models.Model):
    """How two people are related: the policy's related persons and payers/payees."""

    class Kind(models.TextChoices):
        REFERRED_BY = "referred_by", _("referred by")
        COLLEAGUE = "colleague", _("colleague of")
        PAYER_FOR = "payer_for", _("pays for")
        PAYEE_OF = "payee_of", _("is paid by")
        OTHER = "other", _("other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("relationship"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.CheckConstraint(condition=~Q(person=models.F("other")), name="not_self"),
            models.UniqueConstraint(fields=["person", "other", "kind"], name="one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.other}"


class SavedView(models.Model):
    """A named filter and sort of a list, per user."""

    class ListName(models.TextChoices):
        PEOPLE = "people", _("people")
        ORGANIZATIONS = "organizations", _("organizations")
        DEALS = "deals", _("deals")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(max_length=20, choices=ListName.choices)
    name = models.CharField(_("name"), max_length=80)
    query_string = models.CharField(max_length=1000)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name", "name"], name="one_name_per_list")
        ]

    def __str__(self) -> str:
        return self.name
