"""Reads of the privacy area: the dashboard figures, the registers and the
privacy panel of one person. Reads that show people's data record the access;
figures and registry entries (purposes, notices, breaches) are not personal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access
from connexion.people.models import EmailAddress, Person, PhoneNumber, PostalAddress, SocialAccount
from connexion.privacy.ledger.decisions import renewal_notices
from connexion.privacy.models import (
    CONSENT_BASES,
    Breach,
    ConsentEvent,
    DataUse,
    Disclosure,
    LawfulBasis,
    Objection,
    PrivacyNotice,
    Purpose,
    Restriction,
)
from connexion.sales.models import Product, ProductInterest

PAGE_SIZE = 50
RECENT_DAYS = 30
UI = AuditEvent.Channel.UI


def _page(queryset: QuerySet[Any], number: Any) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(number)


def _record_people(viewer: Any, action: str, person_ids: list[int]) -> None:
    record_access(viewer, action, "people.person", [str(pk) for pk in dict.fromkeys(person_ids)])


def consent_purposes(*, active_only: bool = True) -> QuerySet[Purpose]:
    purposes = Purpose.objects.filter(lawful_basis__in=CONSENT_BASES)
    return purposes.filter(is_active=True) if active_only else purposes


# --- the dashboard ------------------------------------------------------------


@dataclass
class Coverage:
    purpose: Purpose
    total: int
    given: int
    withdrawn: int
    # Given under an earlier notice than the one that asks to renew it: counted in
    # `given`, but no longer usable.
    outdated: int = 0
    renewal: PrivacyNotice | None = None

    @property
    def never(self) -> int:
        return self.total - self.given - self.withdrawn


def consent_coverage(at: datetime | None = None) -> list[Coverage]:
    """Given / withdrawn / never asked per consent purpose, from the latest ledger
    entry of each person: one query for all purposes, a subquery per purpose."""
    at = at or timezone.now()
    purposes = list(consent_purposes())
    if not purposes:
        return []
    renewals = renewal_notices(purposes, at)
    annotations: dict[str, Any] = {}
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for purpose in purposes:
        latest = ConsentEvent.objects.filter(
            person=OuterRef("pk"), purpose=purpose, occurred_at__lte=at
        ).order_by("-occurred_at", "-id")
        action, notice_at = f"action_{purpose.pk}", f"notice_at_{purpose.pk}"
        annotations[action] = Subquery(latest.values("action")[:1])
        aggregates[f"given_{purpose.pk}"] = Count("pk", filter=Q(**{action: "given"}))
        aggregates[f"withdrawn_{purpose.pk}"] = Count("pk", filter=Q(**{action: "withdrawn"}))
        renewal = renewals.get(purpose.pk)
        if renewal is not None:
            annotations[notice_at] = Subquery(latest.values("notice__effective_at")[:1])
            aggregates[f"outdated_{purpose.pk}"] = Count(
                "pk",
                filter=Q(**{action: "given", f"{notice_at}__lt": renewal.effective_at}),
            )
    figures = (
        Person.objects.filter(merged_into__isnull=True)
        .annotate(**annotations)
        .aggregate(**aggregates)
    )
    return [
        Coverage(
            purpose=purpose,
            total=figures["total"],
            given=figures[f"given_{purpose.pk}"],
            withdrawn=figures[f"withdrawn_{purpose.pk}"],
            outdated=figures.get(f"outdated_{purpose.pk}", 0),
            renewal=renewals.get(purpose.pk),
        )
        for purpose in purposes
    ]


def active_restrictions_q(at: datetime) -> Q:
    return Q(starts_at__lte=at, lifted_at__isnull=True) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


@dataclass
class BreachClock:
    """Where a breach stands against the 72-hour notice to the regulator (s.37(4))."""

    state: str  # "notified", "not_required", "running", "overdue"
    deadline: datetime
    hours: int = 0
    minutes: int = 0
    late: bool = False

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def breach_clock(breach: Breach, at: datetime | None = None) -> BreachClock:
    at = at or timezone.now()
    deadline = breach.notify_by
    if breach.regulator_notified_at is not None:
        return BreachClock("notified", deadline, late=breach.regulator_notified_at > deadline)
    if not breach.needs_regulator_notice:
        return BreachClock("not_required", deadline)
    remaining = deadline - at
    state = "running" if remaining > timedelta(0) else "overdue"
    minutes = int(abs(remaining).total_seconds() // 60)
    return BreachClock(state, deadline, hours=minutes // 60, minutes=minutes % 60)


def _with_clocks(breaches: list[Breach], at: datetime) -> list[Breach]:
    for breach in breaches:
        breach.clock = breach_clock(breach, at)  # type: ignore[attr-defined]
    return breaches


@dataclass
class Dashboard:
    coverage: list[Coverage]
    active_restrictions: int
    pending_objections: int
    recent_disclosures: int
    open_breaches: list[Breach]
    recent_days: int = RECENT_DAYS


def dashboard(at: datetime | None = None) -> Dashboard:
    """Counts only, and breach records (incidents, not people): nothing to log."""
    at = at or timezone.now()
    return Dashboard(
        coverage=consent_coverage(at),
        active_restrictions=Restriction.objects.filter(active_restrictions_q(at)).count(),
        pending_objections=Objection.objects.filter(status=Objection.Status.PENDING).count(),
        recent_disclosures=Disclosure.objects.filter(
            disclosed_at__gt=at - timedelta(days=RECENT_DAYS), disclosed_at__lte=at
        ).count(),
        open_breaches=_with_clocks(
            list(Breach.objects.filter(closed_at__isnull=True).order_by("aware_at")), at
        ),
    )


# --- the registers ------------------------------------------------------------


CONSENT_STATES = ("given", "outdated", "withdrawn", "never")


def people_by_consent(
    viewer: Any, purpose: Purpose, state: str, page: Any = None, at: datetime | None = None
) -> Page:
    """The people behind one figure of the consent coverage."""
    at = at or timezone.now()
    latest = ConsentEvent.objects.filter(
        person=OuterRef("pk"), purpose=purpose, occurred_at__lte=at
    ).order_by("-occurred_at", "-id")
    people = Person.objects.filter(merged_into__isnull=True).annotate(
        consent_action=Subquery(latest.values("action")[:1]),
        consent_at=Subquery(latest.values("occurred_at")[:1]),
        consent_notice_at=Subquery(latest.values("notice__effective_at")[:1]),
        consent_version=Subquery(latest.values("notice__version")[:1]),
    )
    renewal = renewal_notices([purpose], at).get(purpose.pk)
    if state == "never":
        people = people.filter(consent_action__isnull=True)
    elif state in {"given", "withdrawn"}:
        people = people.filter(consent_action=state)
    elif state == "outdated" and renewal is not None:
        people = people.filter(consent_action="given", consent_notice_at__lt=renewal.effective_at)
    elif state == "outdated":
        people = people.none()
    result = _page(people.order_by("id"), page)
    _record_people(viewer, "privacy.consent_list", [p.pk for p in result.object_list])
    return result


RESTRICTION_STATUSES = ("active", "lifted", "all")


def restrictions_page(viewer: Any, status: str, page: Any = None) -> Page:
    at = timezone.now()
    restrictions = Restriction.objects.select_related("person", "created_by", "lifted_by")
    if status == "active":
        restrictions = restrictions.filter(active_restrictions_q(at))
    elif status == "lifted":
        restrictions = restrictions.filter(Q(lifted_at__isnull=False) | Q(ends_at__lte=at))
    result = _page(restrictions.order_by("-starts_at", "-id"), page)
    _describe_restrictions(result.object_list, at)
    _record_people(viewer, "privacy.restriction_list", [r.person_id for r in result.object_list])
    return result


OBJECTION_STATUSES = tuple(Objection.Status.values)


def objections_page(viewer: Any, status: str, page: Any = None) -> Page:
    objections = Objection.objects.select_related("person", "purpose", "decided_by")
    if status in OBJECTION_STATUSES:
        objections = objections.filter(status=status)
    result = _page(objections.order_by("-received_at", "-id"), page)
    _record_people(viewer, "privacy.objection_list", [o.person_id for o in result.object_list])
    return result


def objection_for(viewer: Any, objection_id: int) -> Objection | None:
    objection = (
        Objection.objects.select_related("person", "purpose", "decided_by", "recorded_by")
        .filter(pk=objection_id)
        .first()
    )
    if objection is not None:
        _record_people(viewer, "privacy.objection_detail", [objection.person_id])
    return objection


def disclosures_page(viewer: Any, basis: str, recent: bool, page: Any = None) -> Page:
    disclosures = Disclosure.objects.select_related(
        "person", "recipient", "purpose", "product", "recorded_by"
    )
    if basis in Disclosure.Basis.values:
        disclosures = disclosures.filter(basis=basis)
    if recent:
        disclosures = disclosures.filter(
            disclosed_at__gt=timezone.now() - timedelta(days=RECENT_DAYS)
        )
    result = _page(disclosures.order_by("-disclosed_at", "-id"), page)
    _record_people(viewer, "privacy.disclosure_list", [d.person_id for d in result.object_list])
    return result


BREACH_STATUSES = ("open", "closed", "all")


def breaches(status: str) -> list[Breach]:
    """Breach records describe incidents, not people: no access to record."""
    found = Breach.objects.all()
    if status == "open":
        found = found.filter(closed_at__isnull=True)
    elif status == "closed":
        found = found.filter(closed_at__isnull=False)
    return _with_clocks(list(found.order_by("-aware_at")), timezone.now())


def breach_detail(breach_id: int) -> Breach | None:
    breach = Breach.objects.select_related("recorded_by").filter(pk=breach_id).first()
    if breach is not None:
        breach.clock = breach_clock(breach)  # type: ignore[attr-defined]
    return breach


# --- one person's privacy panel ----------------------------------------------


CONTACT_MODELS: dict[str, type[Any]] = {
    "email": EmailAddress,
    "phone": PhoneNumber,
    "social": SocialAccount,
    "address": PostalAddress,
}


def person_contact_points(person: Person) -> list[tuple[str, Any]]:
    """The person's own contact points, as (kind, contact point)."""
    points: list[tuple[str, Any]] = []
    for kind, model in CONTACT_MODELS.items():
        points += [(kind, point) for point in model.objects.filter(person=person).order_by("id")]
    return points


def _describe_restrictions(restrictions: Any, at: datetime) -> None:
    """Names what each restriction covers, and whether it holds now."""
    wanted: dict[str, set[int]] = {}
    for restriction in restrictions:
        if restriction.contact_kind in CONTACT_MODELS and restriction.contact_id:
            wanted.setdefault(restriction.contact_kind, set()).add(restriction.contact_id)
    found = {
        (kind, point.pk): point
        for kind, ids in wanted.items()
        for point in CONTACT_MODELS[kind].objects.filter(pk__in=ids)
    }
    for restriction in restrictions:
        restriction.contact_point = found.get(  # type: ignore[attr-defined]
            (restriction.contact_kind, restriction.contact_id)
        )
        restriction.is_active = (  # type: ignore[attr-defined]
            restriction.lifted_at is None
            and restriction.starts_at <= at
            and (restriction.ends_at is None or restriction.ends_at > at)
        )


@dataclass
class ConsentState:
    purpose: Purpose
    state: str  # one of CONSENT_STATES
    event: ConsentEvent | None = None
    renewal: PrivacyNotice | None = None

    @property
    def may_withdraw(self) -> bool:
        return self.state in {"given", "outdated"}

    @property
    def may_give(self) -> bool:
        return self.state != "given"


@dataclass
class PersonPanel:
    person: Person
    notice: PrivacyNotice | None
    consents: list[ConsentState]
    ledger: list[ConsentEvent]
    restrictions: list[Restriction]
    objections: list[Objection]
    interests: list[ProductInterest]
    disclosures: list[Disclosure]
    contact_points: list[tuple[str, Any]]
    # The joint products offered now, that an interest can be recorded in.
    products: list[Product] = field(default_factory=list)

    @property
    def active_restrictions(self) -> list[Restriction]:
        return [r for r in self.restrictions if r.is_active]  # type: ignore[attr-defined]

    @property
    def past_restrictions(self) -> list[Restriction]:
        return [r for r in self.restrictions if not r.is_active]  # type: ignore[attr-defined]


def current_notice(at: datetime | None = None) -> PrivacyNotice | None:
    return (
        PrivacyNotice.objects.filter(effective_at__lte=at or timezone.now())
        .order_by("-effective_at")
        .first()
    )


def person_panel(viewer: Any, person: Person, *, channel: str = UI) -> PersonPanel:
    """What the person said and did about their data, for their page."""
    at = timezone.now()
    purposes = list(consent_purposes())
    ledger = list(
        ConsentEvent.objects.filter(person=person)
        .select_related("purpose", "notice", "recorded_by")
        .order_by("-occurred_at", "-id")
    )
    latest: dict[int, ConsentEvent] = {}
    for event in ledger:
        if event.occurred_at <= at:
            latest.setdefault(event.purpose_id, event)
    renewals = renewal_notices(purposes, at)
    consents = []
    for purpose in purposes:
        event = latest.get(purpose.pk)
        renewal = renewals.get(purpose.pk)
        if event is None:
            state = "never"
        elif event.action == ConsentEvent.Action.WITHDRAWN:
            state = "withdrawn"
        elif renewal is not None and event.notice.effective_at < renewal.effective_at:
            state = "outdated"
        else:
            state = "given"
        consents.append(ConsentState(purpose, state, event, renewal))
    restrictions = list(
        Restriction.objects.filter(person=person)
        .select_related("created_by", "lifted_by")
        .order_by("-starts_at", "-id")
    )
    _describe_restrictions(restrictions, at)
    panel = PersonPanel(
        person=person,
        notice=current_notice(at),
        consents=consents,
        ledger=ledger,
        restrictions=restrictions,
        objections=list(
            Objection.objects.filter(person=person)
            .select_related("purpose", "decided_by")
            .order_by("-received_at", "-id")
        ),
        # Interests in joint products: the ground of a disclosure to a partner (6.2).
        interests=list(
            ProductInterest.objects.filter(person=person, product__partner__isnull=False)
            .select_related("product", "product__partner")
            .order_by("-since", "-id")
        ),
        disclosures=list(
            Disclosure.objects.filter(person=person)
            .select_related("recipient", "purpose", "product")
            .order_by("-disclosed_at", "-id")
        ),
        contact_points=person_contact_points(person),
        products=list(
            Product.objects.filter(is_active=True, partner__isnull=False).select_related("partner")
        ),
    )
    record_access(
        viewer, "privacy.person_panel", "people.person", [str(person.pk)], channel=channel
    )
    return panel


def legal_uses(viewer: Any, limit: int = 20) -> list[DataUse]:
    """The latest uses of personal data on a legal obligation (policy 5.6, 6.3):
    the privacy dashboard lists each one with its reference."""
    found = list(
        DataUse.objects.filter(purpose__lawful_basis=LawfulBasis.LEGAL_OBLIGATION, allowed=True)
        .select_related("purpose", "used_by", "person")
        .order_by("-used_at", "-id")[:limit]
    )
    _record_people(viewer, "privacy.legal_uses", [use.person_id for use in found])
    return found
