from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connexion.lib.thai import PROVINCES

PROVINCE_CHOICES = [(thai, thai) for thai, _english in PROVINCES]


class Organization(models.Model):
    """A corporate customer, partner or other juristic person."""

    name_th = models.CharField(_("name (Thai)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax ID"), max_length=13, blank=True, db_index=True)
    branch = models.CharField(
        _("branch"), max_length=5, blank=True, help_text=_("Empty for the head office.")
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_th", "name_en", "id"]

    def __str__(self) -> str:
        return self.name_th or self.name_en


class Person(models.Model):
    """Anyone the business holds data about: customer, prospect, visitor, contact."""

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
    last_name_th = models.CharField(_("last name (Thai)"), max_length=100, blank=True)
    first_name_en = models.CharField(_("first name (Latin)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("last name (Latin)"), max_length=100, blank=True)
    nickname = models.CharField(_("nickname"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.PROSPECT
    )
    employer = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("employer"),
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["first_name_th", "last_name_th", "id"]

    def __str__(self) -> str:
        return self.name_th or self.name_en

    @property
    def name_th(self) -> str:
        return f"{self.first_name_th} {self.last_name_th}".strip()

    @property
    def name_en(self) -> str:
        return f"{self.first_name_en} {self.last_name_en}".strip()


class ContactPoint(models.Model):
    """Belongs to exactly one person or one organization."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, organization__isnull=True)
                | models.Q(person__isnull=True, organization__isnull=False),
                name="%(class)s_one_owner",
            )
        ]


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

    class Meta(ContactPoint.Meta):
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")

    def __str__(self) -> str:
        return self.number


class PostalAddress(ContactPoint):
    house_number = models.CharField(_("house number"), max_length=30, blank=True)
    moo = models.CharField(_("moo"), max_length=10, blank=True)
    building = models.CharField(_("village or building"), max_length=120, blank=True)
    soi = models.CharField(_("soi"), max_length=80, blank=True)
    road = models.CharField(_("road"), max_length=80, blank=True)
    subdistrict = models.CharField(_("subdistrict"), max_length=80, blank=True)
    district = models.CharField(_("district"), max_length=80, blank=True)
    province = models.CharField(_("province"), max_length=40, choices=PROVINCE_CHOICES)
    postcode = models.CharField(_("postcode"), max_length=5)

    class Meta(ContactPoint.Meta):
        verbose_name = _("postal address")
        verbose_name_plural = _("postal addresses")

    def __str__(self) -> str:
        parts = [
            self.house_number,
            f"หมู่ {self.moo}" if self.moo else "",
            self.building,
            f"ซอย{self.soi}" if self.soi else "",
            f"ถนน{self.road}" if self.road else "",
            self.subdistrict,
            self.district,
            self.province,
            self.postcode,
        ]
        return " ".join(part for part in parts if part)
