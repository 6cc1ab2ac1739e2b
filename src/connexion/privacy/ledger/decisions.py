"""The one decision every outgoing use of personal data asks first:
`may_use(person, purpose, contact_point)`. It weighs the lawful basis, the
current consent, objections, restrictions and the customer lifecycle, and says
why when the answer is no."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from connexion.lib.thai import format_date
from connexion.people.models import (
    EmailAddress,
    Person,
    PhoneNumber,
    PostalAddress,
    SocialAccount,
)
from connexion.privacy.models import (
    OBJECTABLE_BASES,
    ConsentEvent,
    LawfulBasis,
    Objection,
    PrivacyNotice,
    Purpose,
    Restriction,
)

CONTACT_KINDS: dict[type[Any], str] = {
    EmailAddress: "email",
    PhoneNumber: "phone",
    SocialAccount: "social",
    PostalAddress: "address",
}
CONTACT_CATEGORY = "3.2"


@dataclass
class Refusal:
    code: str
    message: str


@dataclass
class Decision:
    allowed: bool
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [refusal.message for refusal in self.refusals]

    @property
    def codes(self) -> list[str]:
        return [refusal.code for refusal in self.refusals]

    def __bool__(self) -> bool:
        return self.allowed


def _date(value: datetime) -> str:
    language = (translation.get_language() or "th")[:2]
    return format_date(timezone.localtime(value).date(), language)


def active_restrictions(person: Person, at: datetime) -> list[Restriction]:
    return list(
        Restriction.objects.filter(person=person, starts_at__lte=at, lifted_at__isnull=True)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .order_by("starts_at")
    )


def latest_consent(person: Person, purpose: Purpose, at: datetime) -> ConsentEvent | None:
    return (
        ConsentEvent.objects.filter(person=person, purpose=purpose, occurred_at__lte=at)
        .select_related("notice")
        .order_by("-occurred_at", "-id")
        .first()
    )


def renewal_notices(purposes: list[Purpose], at: datetime) -> dict[int, PrivacyNotice]:
    """For each purpose, the newest notice in effect that asks to renew its consent
    (consents given under an earlier notice no longer count)."""
    renewals: dict[int, PrivacyNotice] = {}
    links = (
        PrivacyNotice.renew_consent_for.through.objects.filter(
            purpose__in=purposes, privacynotice__effective_at__lte=at
        )
        .select_related("privacynotice")
        .order_by("-privacynotice__effective_at")
    )
    for link in links:
        renewals.setdefault(link.purpose_id, link.privacynotice)
    return renewals


# The reason shown for each refusal; %(date)s is in the reader's calendar.
MESSAGES = {
    "purpose_inactive": gettext_lazy("This purpose is no longer in use."),
    "merged": gettext_lazy("This record was merged into another one."),
    "not_their_contact": gettext_lazy("This contact detail is not theirs."),
    "record_restricted": gettext_lazy(
        "The person asked to suspend the use of their whole record since %(date)s."
    ),
    "category_restricted": gettext_lazy(
        "The person asked to suspend the use of their %(category)s data since %(date)s."
    ),
    "contact_point_restricted": gettext_lazy(
        "The person asked not to be contacted at %(contact)s since %(date)s."
    ),
    "objected": gettext_lazy(
        "The person objected to this purpose on %(date)s and the objection was accepted."
    ),
    "objection_pending": gettext_lazy(
        "The person objected to this purpose on %(date)s; the objection awaits a decision."
    ),
    "no_consent": gettext_lazy("The person has not given consent for this purpose."),
    "consent_withdrawn": gettext_lazy("The person withdrew consent for this purpose on %(date)s."),
    "consent_outdated": gettext_lazy(
        "Privacy notice version %(version)s asks for this consent again; "
        "the person has not renewed it."
    ),
    "no_contract": gettext_lazy(
        "This purpose rests on a contract, and the person is not a customer now (%(stage)s)."
    ),
}


def _refusal(code: str, **params: Any) -> Refusal:
    if "date" in params:
        params["date"] = _date(params["date"])
    return Refusal(code, str(MESSAGES[code]) % params if params else str(MESSAGES[code]))


def _restriction_refusals(
    restrictions: list[Restriction], purpose: Purpose, contact_point: Any
) -> list[Refusal]:
    refusals = []
    for restriction in restrictions:
        since = restriction.starts_at
        if restriction.scope == Restriction.Scope.RECORD:
            refusals.append(_refusal("record_restricted", date=since))
        elif restriction.scope == Restriction.Scope.CATEGORY and (
            restriction.category in purpose.data_categories
            or (contact_point is not None and restriction.category == CONTACT_CATEGORY)
        ):
            refusals.append(
                _refusal("category_restricted", category=restriction.category, date=since)
            )
        elif (
            restriction.scope == Restriction.Scope.CONTACT_POINT
            and contact_point is not None
            and restriction.contact_kind == CONTACT_KINDS.get(type(contact_point))
            and restriction.contact_id == contact_point.pk
        ):
            refusals.append(_refusal("contact_point_restricted", contact=contact_point, date=since))
    return refusals


def may_use(
    person: Person,
    purpose: Purpose,
    contact_point: Any = None,
    *,
    at: datetime | None = None,
) -> Decision:
    """May this person's data be used for this purpose (through this contact
    point) now? Pure reading: the caller logs a refusal it acts on."""
    at = at or timezone.now()
    refusals: list[Refusal] = []

    if not purpose.is_active:
        refusals.append(_refusal("purpose_inactive"))
    if person.merged_into_id:
        refusals.append(_refusal("merged"))
    if contact_point is not None and getattr(contact_point, "person_id", None) != person.pk:
        refusals.append(_refusal("not_their_contact"))

    legal = purpose.lawful_basis in {LawfulBasis.LEGAL_OBLIGATION, LawfulBasis.VITAL_INTEREST}
    # A restriction suspends every use except what the law itself requires (s.34).
    if not legal:
        refusals += _restriction_refusals(active_restrictions(person, at), purpose, contact_point)

    consent = latest_consent(person, purpose, at) if purpose.needs_consent else None
    if purpose.lawful_basis in OBJECTABLE_BASES:
        objections = Objection.objects.filter(
            person=person, purpose=purpose, received_at__lte=at
        ).exclude(status=Objection.Status.REJECTED)
        if consent is not None and consent.action == ConsentEvent.Action.GIVEN:
            # Consent given after an objection is the person's later word.
            objections = objections.filter(received_at__gt=consent.occurred_at)
        objection = objections.order_by("-received_at").first()
        if objection is not None and objection.status == Objection.Status.ACCEPTED:
            refusals.append(_refusal("objected", date=objection.received_at))
        elif objection is not None:
            # Pending: the use stops while the objection is examined (s.34(3)).
            refusals.append(_refusal("objection_pending", date=objection.received_at))

    if purpose.needs_consent:
        if consent is None:
            refusals.append(_refusal("no_consent"))
        elif consent.action == ConsentEvent.Action.WITHDRAWN:
            refusals.append(_refusal("consent_withdrawn", date=consent.occurred_at))
        else:
            renewal = renewal_notices([purpose], at).get(purpose.pk)
            if renewal is not None and consent.notice.effective_at < renewal.effective_at:
                refusals.append(_refusal("consent_outdated", version=renewal.version))

    contract = purpose.lawful_basis == LawfulBasis.CONTRACT
    if contract and person.lifecycle_stage != Person.Lifecycle.CUSTOMER:
        refusals.append(_refusal("no_contract", stage=person.get_lifecycle_stage_display()))

    return Decision(allowed=not refusals, refusals=refusals)
