"""The record of processing activities (PDPA s.39), generated from the registries
and never typed by hand: the purposes and their lawful bases, the personal-data
registry, the people held and where their data came from, the consent, objection
and disclosure ledgers, and the breaches.

`build_record()` returns plain data in the language active when it is called
(or the one it is given); the page, the CSV and the XLSX all read it. Only
counts and the reasons of decisions leave here, never a person's name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connexion.audit.services import record_access
from connexion.people.models import Organization, Person, Source
from connexion.portal.services import privacy_contact
from connexion.privacy import registry
from connexion.privacy.models import (
    OBJECTABLE_BASES,
    Breach,
    ConsentEvent,
    Disclosure,
    Objection,
    Purpose,
    RetentionRule,
    SubjectRequest,
)
from connexion.sales.models import Product

LANGUAGES = ("th", "en")


# What the software itself does to keep personal data safe (s.39(1)(8), s.37(1)).
# Only what Connexion actually does belongs here: the record is given to the regulator.
SECURITY_MEASURES = (
    gettext_lazy(
        "Role-based access with least privilege: each staff role opens only the areas "
        "its work needs, and a person with no role sees no personal data."
    ),
    gettext_lazy(
        "National ID and passport numbers are masked for every role not allowed to "
        "see them in full."
    ),
    gettext_lazy(
        "An append-only audit log records every change to personal data (before and "
        "after) and every read of it: who was shown what, when, from which address."
    ),
    gettext_lazy(
        "Every stored file (identity documents, consent evidence, request attachments, "
        "exports and imports) is encrypted at rest with AES-256-GCM under a key of its "
        "own, wrapped by a master key kept outside the database."
    ),
    gettext_lazy("Staff passwords are stored only as Argon2 hashes."),
    gettext_lazy(
        "Two-step sign-in (authenticator app) is required for administrators and "
        "privacy officers; sessions end after inactivity and after a maximum duration."
    ),
    gettext_lazy(
        "API tokens are limited by scope, expiry date and rate, and never see more "
        "than their user may."
    ),
    gettext_lazy(
        "Sign-in is throttled after repeated failures, per user and per address, and "
        "every attempt is kept in a sign-in history."
    ),
)


# The kinds of data subjects, in the order of the record.
SUBJECT_KINDS = (
    (Person.Lifecycle.CUSTOMER, gettext_lazy("customers")),
    (Person.Lifecycle.PROSPECT, gettext_lazy("prospects")),
    (Person.Lifecycle.VISITOR, gettext_lazy("website visitors")),
    (Person.Lifecycle.FORMER_CUSTOMER, gettext_lazy("former customers")),
)


AT_CORPORATE_CUSTOMERS = "corporate_customer_contact"


@dataclass(frozen=True)
class HeldField:
    model_label: str  # "people.person"
    model: str  # its verbose name
    name: str  # the field's name
    label: str  # its verbose name
    restricted: bool


@dataclass
class CategoryUse:
    code: str
    label: str
    fields: list[HeldField]

    @property
    def fields_by_model(self) -> list[tuple[str, list[HeldField]]]:
        grouped: dict[str, list[HeldField]] = {}
        for held in self.fields:
            grouped.setdefault(held.model, []).append(held)
        return list(grouped.items())

    @property
    def fields_text(self) -> str:
        return "; ".join(
            f"{model}: {', '.join(held.label for held in fields)}"
            for model, fields in self.fields_by_model
        )


@dataclass
class Recipient:
    basis: str
    basis_label: str
    name: str
    count: int
    categories: list[str]
    last_at: datetime
    purpose_code: str = ""  # consent: the purpose consented to
    purpose: str = ""
    product: str = ""  # partner: the joint product


@dataclass
class DisclosureBasis:
    code: str
    label: str
    count: int
    recipients: list[Recipient]


@dataclass
class Rejection:
    objection_id: int
    received_at: datetime
    decided_at: datetime | None
    reason: str


@dataclass
class Objections:
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    rejections: list[Rejection] = field(default_factory=list)


@dataclass
class Controller:
    """Who the record is about (s.39(1)): the business and its data protection
    officer, as published in the privacy center's contact."""

    name: str
    dpo_name: str
    email: str
    phone: str
    postal_address: str

    @property
    def is_set(self) -> bool:
        return bool(self.name)


@dataclass
class RefusedRequest:
    """A data-subject request refused, with its lawful reason (s.39(1)(7))."""

    request_id: int
    reference: str
    kind: str
    received_at: datetime
    refused_at: datetime | None
    reason: str


@dataclass
class ConsentFigures:
    given: int = 0
    withdrawn: int = 0


@dataclass
class PurposeRecord:
    code: str
    policy_clause: str
    name: str
    description: str
    lawful_basis: str
    lawful_basis_label: str
    is_direct_marketing: bool
    is_active: bool
    objectable: bool
    categories: list[CategoryUse]
    # The retention rules in force that reach this purpose's data, in words.
    retention: list[str]
    # Only for purposes that rest on consent.
    consent: ConsentFigures | None
    objections: Objections
    # Disclosures under consent to this purpose, last 12 months.
    recipients: list[Recipient]


@dataclass
class Figure:
    code: str
    label: str
    count: int
    people: int | None = None


@dataclass
class BreachRecord:
    title: str
    occurred_at: datetime
    aware_at: datetime
    risk: str
    risk_label: str
    people_affected: int
    categories: list[str]
    notice_required: bool
    notify_by: datetime
    regulator_notified_at: datetime | None
    regulator_reference: str
    people_notified_at: datetime | None
    note: str = ""

    @property
    def notified_late(self) -> bool:
        at = self.regulator_notified_at
        return at is not None and at > self.notify_by


@dataclass
class ProcessingRecord:
    language: str
    generated_at: datetime
    controller: Controller
    since: datetime  # start of the last 12 months
    purposes: list[PurposeRecord]
    data_subjects: list[Figure]
    sources: list[Figure]
    disclosures: list[DisclosureBasis]
    security_measures: list[str]
    breaches: list[BreachRecord]
    refused_requests: list[RefusedRequest] = field(default_factory=list)

    @property
    def rejection_ids(self) -> list[int]:
        return [r.objection_id for p in self.purposes for r in p.objections.rejections]


def _language() -> str:
    language = (translation.get_language() or "th")[:2]
    return language if language in LANGUAGES else "th"


@contextmanager
def _in_language(language: str | None) -> Iterator[str]:
    if language in LANGUAGES:
        with translation.override(language):
            yield language  # type: ignore[misc]
    else:
        yield _language()


def one_year_before(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)


def _pick(language: str, thai: str, english: str) -> str:
    return (thai or english) if language == "th" else (english or thai)


def _clause_order(purpose: Purpose) -> tuple[bool, list[tuple[int, str]], str]:
    """The clauses of the policy in their order (5.2 before 5.10), then the
    purposes outside it."""
    parts = [
        (int(part), "") if part.isdigit() else (0, part)
        for part in purpose.policy_clause.split(".")
    ]
    return (not purpose.policy_clause, parts, purpose.code)


def category_label(code: str) -> str:
    try:
        return str(registry.Category(code).label)
    except ValueError:
        return code


def held_fields(code: str) -> list[HeldField]:
    """The fields of the registry in this category, named as the models name them.
    Read at each call, so the record follows the registry."""
    held = []
    for model_label, fields in registry.PERSONAL_FIELDS.items():
        try:
            model = apps.get_model(model_label)
        except (LookupError, ValueError):
            model = None
        for name, personal in fields.items():
            if personal.category != code:
                continue
            label = name
            if model is not None:
                with suppress(FieldDoesNotExist):
                    label = str(getattr(model._meta.get_field(name), "verbose_name", name))
            held.append(
                HeldField(
                    model_label=model_label,
                    model=str(model._meta.verbose_name) if model is not None else model_label,
                    name=name,
                    label=label,
                    restricted=personal.sensitivity == registry.Sensitivity.RESTRICTED,
                )
            )
    return held


def _data_subjects() -> list[Figure]:
    """Only the kinds actually held; one person may be of two kinds (a customer
    who is also a director of a corporate customer)."""
    people = Person.objects.filter(merged_into__isnull=True)
    by_stage = dict(
        people.order_by()
        .values("lifecycle_stage")
        .annotate(n=Count("id"))
        .values_list("lifecycle_stage", "n")
    )
    figures = [
        Figure(str(stage), str(label), by_stage.get(stage, 0)) for stage, label in SUBJECT_KINDS
    ]
    customer = Organization.Kind.CUSTOMER
    at_customers = (
        people.filter(
            Q(organization_roles__organization__kind=customer) | Q(employer__kind=customer)
        )
        .values("id")
        .distinct()
        .count()
    )
    figures.append(Figure(AT_CORPORATE_CUSTOMERS, _("people at corporate customers"), at_customers))
    return [figure for figure in figures if figure.count]


def _sources() -> list[Figure]:
    collections = dict(
        Source.objects.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    people = dict(
        Person.objects.filter(merged_into__isnull=True)
        .order_by()
        .values("source__kind")
        .annotate(n=Count("id"))
        .values_list("source__kind", "n")
    )
    return [
        Figure(kind, str(label), collections.get(kind, 0), people.get(kind, 0))
        for kind, label in Source.Kind.choices
    ]


def _consent_figures(purpose_ids: list[int]) -> dict[int, ConsentFigures]:
    """The current state of each person's consent: their latest ledger entry."""
    figures: dict[int, ConsentFigures] = {pk: ConsentFigures() for pk in purpose_ids}
    if not purpose_ids:
        return figures
    now = timezone.now()
    latest = (
        ConsentEvent.objects.filter(
            person=OuterRef("person"), purpose=OuterRef("purpose"), occurred_at__lte=now
        )
        .order_by("-occurred_at", "-id")
        .values("id")[:1]
    )
    rows = (
        ConsentEvent.objects.filter(purpose_id__in=purpose_ids, person__merged_into__isnull=True)
        .filter(id=Subquery(latest))
        .order_by()
        .values("purpose_id", "action")
        .annotate(n=Count("id"))
        .values_list("purpose_id", "action", "n")
    )
    for purpose_id, action, n in rows:
        if action == ConsentEvent.Action.GIVEN:
            figures[purpose_id].given += n
        elif action == ConsentEvent.Action.WITHDRAWN:
            figures[purpose_id].withdrawn += n
    return figures


def _objections() -> dict[int, Objections]:
    figures: dict[int, Objections] = defaultdict(Objections)
    counts = (
        Objection.objects.order_by()
        .values("purpose_id", "status")
        .annotate(n=Count("id"))
        .values_list("purpose_id", "status", "n")
    )
    for purpose_id, status, n in counts:
        if status == Objection.Status.ACCEPTED:
            figures[purpose_id].accepted = n
        elif status == Objection.Status.REJECTED:
            figures[purpose_id].rejected = n
        elif status == Objection.Status.PENDING:
            figures[purpose_id].pending = n
    rejected = Objection.objects.filter(status=Objection.Status.REJECTED).order_by(
        "-decided_at", "-id"
    )
    for objection in rejected.only(
        "id", "purpose_id", "received_at", "decided_at", "decision_reason"
    ):
        figures[objection.purpose_id].rejections.append(
            Rejection(
                objection_id=objection.pk,
                received_at=objection.received_at,
                decided_at=objection.decided_at,
                reason=objection.decision_reason,
            )
        )
    return figures


def _disclosures(
    language: str, since: datetime, now: datetime, purposes: dict[int, Purpose]
) -> list[DisclosureBasis]:
    """Per basis, the recipients of the last 12 months with how often each
    received data, and which categories."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    rows = (
        Disclosure.objects.filter(disclosed_at__gte=since, disclosed_at__lte=now)
        .values_list(
            "basis",
            "recipient_id",
            "recipient_name",
            "purpose_id",
            "product_id",
            "categories",
            "disclosed_at",
        )
        .order_by("disclosed_at")
    )
    for basis, recipient_id, recipient_name, purpose_id, product_id, categories, at in rows:
        key = (basis, recipient_id, recipient_name if recipient_id is None else "", purpose_id)
        key += (product_id,)
        group = groups.setdefault(key, {"count": 0, "categories": set(), "last_at": at})
        group["count"] += 1
        group["categories"].update(categories or [])
        group["last_at"] = max(group["last_at"], at)
    organizations = Organization.objects.in_bulk({key[1] for key in groups if key[1]})
    products = Product.objects.in_bulk({key[4] for key in groups if key[4]})
    result = []
    for basis, label in Disclosure.Basis.choices:
        recipients = []
        for key, group in groups.items():
            if key[0] != basis:
                continue
            _basis, recipient_id, recipient_name, purpose_id, product_id = key
            organization = organizations.get(recipient_id) if recipient_id else None
            purpose = purposes.get(purpose_id) if purpose_id else None
            product = products.get(product_id) if product_id else None
            recipients.append(
                Recipient(
                    basis=basis,
                    basis_label=str(label),
                    name=(
                        _pick(language, organization.name_th, organization.name_en)
                        if organization
                        else recipient_name
                    ),
                    count=group["count"],
                    categories=sorted(group["categories"]),
                    last_at=group["last_at"],
                    purpose_code=purpose.code if purpose else "",
                    purpose=_pick(language, purpose.name_th, purpose.name_en) if purpose else "",
                    product=_pick(language, product.name_th, product.name_en) if product else "",
                )
            )
        recipients.sort(key=lambda r: (-r.count, r.name))
        result.append(
            DisclosureBasis(
                code=basis,
                label=str(label),
                count=sum(r.count for r in recipients),
                recipients=recipients,
            )
        )
    return result


def _breaches(since: datetime) -> list[BreachRecord]:
    records = [
        BreachRecord(
            title=breach.title,
            occurred_at=breach.occurred_at,
            aware_at=breach.aware_at,
            risk=breach.risk,
            risk_label=str(breach.get_risk_display()),
            people_affected=breach.people_affected,
            categories=list(breach.categories),
            notice_required=breach.needs_regulator_notice,
            notify_by=breach.notify_by,
            regulator_notified_at=breach.regulator_notified_at,
            regulator_reference=breach.regulator_reference,
            people_notified_at=breach.people_notified_at,
        )
        for breach in Breach.objects.filter(aware_at__gte=since).order_by("-aware_at", "-id")
    ]
    for record in records:
        record.note = breach_note(record)
    return records


def breach_note(breach: BreachRecord) -> str:
    if not breach.notice_required:
        return _("No notice required: assessed as no risk.")
    if breach.regulator_notified_at is None:
        return _("The regulator has not been notified yet.")
    if breach.notified_late:
        return _("The regulator was notified after 72 hours.")
    return ""


def rule_reaches(rule: RetentionRule, purpose: Purpose) -> bool:
    """Whether a retention rule applies to the data held for this purpose: a rule
    for the purpose itself, or one for any purpose that covers one of its data
    categories (or all of them)."""
    if rule.purpose_id is not None:
        return rule.purpose_id == purpose.pk
    return not rule.category or rule.category in purpose.data_categories


def rule_text(rule: RetentionRule, language: str) -> str:
    """A rule in words: "Former customers…: relationship ended more than 12
    months → delete the data category only (3.2)"."""
    name = _pick(language, rule.name_th, rule.name_en)
    what = f"{rule.get_trigger_display()} {rule.months} " + _("months")
    then = str(rule.get_action_display())
    if rule.category:
        then += f" ({rule.category})"
    return f"{name}: {what} → {then}"


def build_record(language: str | None = None, *, now: datetime | None = None) -> ProcessingRecord:
    """The whole record, in `language` ("th" or "en") or the active language."""
    with _in_language(language) as language:
        now = now or timezone.now()
        since = one_year_before(now)
        purposes = sorted(Purpose.objects.all(), key=_clause_order)
        rules = list(RetentionRule.objects.filter(is_active=True).order_by("months", "id"))
        by_id = {purpose.pk: purpose for purpose in purposes}
        consents = _consent_figures([p.pk for p in purposes if p.needs_consent])
        objections = _objections()
        disclosures = _disclosures(language, since, now, by_id)
        consent_recipients: dict[str, list[Recipient]] = defaultdict(list)
        for basis in disclosures:
            if basis.code == Disclosure.Basis.CONSENT:
                for recipient in basis.recipients:
                    consent_recipients[recipient.purpose_code].append(recipient)
        categories: dict[str, CategoryUse] = {}
        records = []
        for purpose in purposes:
            for code in purpose.data_categories:
                if code not in categories:
                    categories[code] = CategoryUse(code, category_label(code), held_fields(code))
            records.append(
                PurposeRecord(
                    code=purpose.code,
                    policy_clause=purpose.policy_clause,
                    name=_pick(language, purpose.name_th, purpose.name_en),
                    description=_pick(language, purpose.description_th, purpose.description_en),
                    lawful_basis=purpose.lawful_basis,
                    lawful_basis_label=str(purpose.get_lawful_basis_display()),
                    is_direct_marketing=purpose.is_direct_marketing,
                    is_active=purpose.is_active,
                    objectable=purpose.lawful_basis in OBJECTABLE_BASES,
                    categories=[categories[code] for code in purpose.data_categories],
                    retention=[
                        rule_text(rule, language) for rule in rules if rule_reaches(rule, purpose)
                    ],
                    consent=consents.get(purpose.pk) if purpose.needs_consent else None,
                    objections=objections.get(purpose.pk, Objections()),
                    recipients=consent_recipients.get(purpose.code, []),
                )
            )
        return ProcessingRecord(
            language=language,
            generated_at=now,
            controller=_controller(language),
            since=since,
            purposes=records,
            data_subjects=_data_subjects(),
            sources=_sources(),
            disclosures=disclosures,
            security_measures=[str(measure) for measure in SECURITY_MEASURES],
            breaches=_breaches(since),
            refused_requests=_refused_requests(),
        )


def _controller(language: str) -> Controller:
    contact = privacy_contact()
    return Controller(
        name=_pick(language, contact.controller_name_th, contact.controller_name_en),
        dpo_name=contact.dpo_name,
        email=contact.email,
        phone=contact.phone,
        postal_address=_pick(language, contact.postal_address_th, contact.postal_address_en),
    )


def _refused_requests() -> list[RefusedRequest]:
    refused = SubjectRequest.objects.filter(status=SubjectRequest.Status.REJECTED).order_by(
        "-closed_at", "-id"
    )
    return [
        RefusedRequest(
            request.pk,
            request.reference,
            str(request.get_kind_display()),
            request.received_at,
            request.closed_at,
            request.rejection_reason,
        )
        for request in refused.only(
            "reference", "kind", "received_at", "closed_at", "rejection_reason"
        )
    ]


def read_record(
    viewer: Any, language: str | None = None, *, shown_as: str = "page"
) -> ProcessingRecord:
    """Builds the record for a reader and logs the reading: the reasons of rejected
    objections are about people, so their showing is on the audit log."""
    record = build_record(language)
    record_access(
        viewer,
        f"privacy.record_of_processing.{shown_as}",
        "privacy.objection",
        [str(pk) for pk in record.rejection_ids],
    )
    if record.refused_requests:
        record_access(
            viewer,
            f"privacy.record_of_processing.{shown_as}",
            "privacy.subjectrequest",
            [str(refused.request_id) for refused in record.refused_requests],
        )
    return record
