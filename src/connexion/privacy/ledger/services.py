"""Writes of the privacy core. Each is one transaction with one audit entry;
each refuses bad input with errors keyed by field and writes nothing then."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import acting_user
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.people.models import Organization, Person
from connexion.privacy.ledger.decisions import CONTACT_KINDS, Decision, latest_consent, may_use
from connexion.privacy.models import (
    OBJECTABLE_BASES,
    Breach,
    ConsentEvent,
    Disclosure,
    Objection,
    PrivacyNotice,
    Purpose,
    Restriction,
)
from connexion.privacy.registry import Category
from connexion.sales.models import Product, ProductInterest

if TYPE_CHECKING:
    from connexion.privacy.forms import PurposeForm

UI = AuditEvent.Channel.UI
CATEGORY_CODES = set(Category.values)


def wording_hash(wording: str) -> str:
    return hashlib.sha256(wording.encode("utf-8")).hexdigest()


def current_notice(at: datetime | None = None) -> PrivacyNotice:
    notice = (
        PrivacyNotice.objects.filter(effective_at__lte=at or timezone.now())
        .order_by("-effective_at")
        .first()
    )
    if notice is None:
        raise ValidationError({"notice": [_("No privacy notice is in effect yet.")]})
    return notice


def _live_person(person: Person) -> None:
    if person.merged_into_id:
        raise ValidationError(
            {"person": [_("This record was merged into another one: use that record.")]}
        )


# --- purposes (the registry) ------------------------------------------------
# Purposes are not personal data: the form's own save writes them, here with
# the before/after in the audit log.


@transaction.atomic
def save_purpose(actor: Any, form: PurposeForm) -> Purpose:
    """Saves a registry change with its before/after in the audit log."""
    purpose = form.instance
    creating = purpose.pk is None
    before = {} if creating else form.initial
    changes = {}
    for name in form.changed_data if not creating else form.Meta.fields:
        old = before.get(name)
        new = form.cleaned_data.get(name)
        if name == "data_categories":
            old, new = sorted(old or []), sorted(new or [])
        if old != new:
            changes[name] = [old, new]
    purpose = form.save(commit=False)
    purpose.data_categories = sorted(form.cleaned_data["data_categories"])
    purpose.save()
    record_change(
        actor, "privacy.create_purpose" if creating else "privacy.update_purpose", purpose, changes
    )
    return purpose


# --- consent ----------------------------------------------------------------


@transaction.atomic
def give_consent(
    actor: Any,
    person: Person,
    purpose: Purpose,
    *,
    wording: str,
    channel: str,
    notice: PrivacyNotice | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    evidence: File | None = None,
    at: datetime | None = None,
    audit_channel: str = UI,
) -> ConsentEvent:
    """Records a consent for one purpose (s.19: one purpose, one decision)."""
    _live_person(person)
    errors: dict[str, list[str]] = {}
    if not purpose.is_active:
        errors["purpose"] = [_("This purpose is no longer in use.")]
    if not purpose.needs_consent:
        errors["purpose"] = [
            _("This purpose does not rest on consent (%(basis)s).")
            % {"basis": purpose.get_lawful_basis_display()}
        ]
    if not wording.strip():
        errors["wording"] = [_("Record the exact wording the person agreed to.")]
    if channel not in ConsentEvent.Channel.values:
        errors["channel"] = [_("Choose how the consent was given.")]
    at = at or timezone.now()
    if at > timezone.now():
        errors["occurred_at"] = [_("The time cannot be in the future.")]
    if notice is None and not errors:
        notice = current_notice(at)
    elif notice is not None and notice.effective_at > at:
        errors["notice"] = [_("This notice version was not yet in effect at that time.")]
    if errors:
        raise ValidationError(errors)
    event = ConsentEvent(
        person=person,
        purpose=purpose,
        action=ConsentEvent.Action.GIVEN,
        notice=notice,
        wording_hash=wording_hash(wording),
        wording=wording,
        channel=channel,
        occurred_at=at,
        recorded_by=acting_user(actor),
        ip_address=ip_address,
        user_agent=user_agent[:400],
    )
    if evidence is not None:
        event.evidence.save(evidence.name or "evidence", evidence, save=False)
    event.save()
    record_change(
        actor,
        "privacy.give_consent",
        person,
        {f"consent:{purpose.code}": [None, "given"]},
        channel=audit_channel,
    )
    return event


@transaction.atomic
def withdraw_consent(
    actor: Any,
    person: Person,
    purpose: Purpose,
    *,
    channel: str,
    ip_address: str | None = None,
    user_agent: str = "",
    at: datetime | None = None,
    audit_channel: str = UI,
) -> ConsentEvent:
    """As easy as giving it (s.19): one call, effective at once, history kept."""
    _live_person(person)
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"occurred_at": [_("The time cannot be in the future.")]})
    # Serialize with other consent writes for this person.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    latest = latest_consent(person, purpose, at)
    if latest is None or latest.action != ConsentEvent.Action.GIVEN:
        raise ValidationError({"purpose": [_("There is no consent to withdraw for this purpose.")]})
    if channel not in ConsentEvent.Channel.values:
        raise ValidationError({"channel": [_("Choose how the consent was withdrawn.")]})
    event = ConsentEvent.objects.create(
        person=person,
        purpose=purpose,
        action=ConsentEvent.Action.WITHDRAWN,
        notice=latest.notice,
        wording_hash=latest.wording_hash,
        channel=channel,
        occurred_at=at,
        recorded_by=acting_user(actor),
        ip_address=ip_address,
        user_agent=user_agent[:400],
    )
    record_change(
        actor,
        "privacy.withdraw_consent",
        person,
        {f"consent:{purpose.code}": ["given", "withdrawn"]},
        channel=audit_channel,
    )
    return event


# --- restrictions and objections --------------------------------------------


@transaction.atomic
def restrict(
    actor: Any,
    person: Person,
    *,
    scope: str,
    reason: str,
    contact_point: Any = None,
    category: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    audit_channel: str = UI,
) -> Restriction:
    """Suspends the use of a contact point, a category, or the whole record (8.3)."""
    _live_person(person)
    errors: dict[str, list[str]] = {}
    starts_at = starts_at or timezone.now()
    contact_kind = ""
    if scope == Restriction.Scope.CONTACT_POINT:
        contact_kind = CONTACT_KINDS.get(type(contact_point), "")
        if contact_point is None or not contact_kind:
            errors["contact_point"] = [_("Choose the contact detail to restrict.")]
        elif contact_point.person_id != person.pk:
            errors["contact_point"] = [_("This contact detail belongs to someone else.")]
    elif scope == Restriction.Scope.CATEGORY:
        if category not in CATEGORY_CODES:
            errors["category"] = [_("Choose a data category from 3.1 to 3.7.")]
    elif scope != Restriction.Scope.RECORD:
        errors["scope"] = [_("Choose what to restrict.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason of the restriction.")]
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The end must come after the start.")]
    if errors:
        raise ValidationError(errors)
    restriction = Restriction.objects.create(
        person=person,
        scope=scope,
        contact_kind=contact_kind,
        contact_id=contact_point.pk if contact_kind else None,
        category=category if scope == Restriction.Scope.CATEGORY else "",
        reason=reason.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=acting_user(actor),
    )
    target = f"{contact_kind}:{contact_point.pk}" if contact_kind else category or "record"
    record_change(
        actor,
        "privacy.restrict",
        person,
        {f"restriction:{restriction.pk}": [None, f"{scope} {target}"]},
        channel=audit_channel,
    )
    return restriction


@transaction.atomic
def lift_restriction(actor: Any, restriction: Restriction, *, audit_channel: str = UI) -> None:
    if restriction.lifted_at is not None:
        raise ValidationError({"restriction": [_("This restriction was already lifted.")]})
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = acting_user(actor)
    restriction.save(update_fields=["lifted_at", "lifted_by"])
    record_change(
        actor,
        "privacy.lift_restriction",
        restriction.person,
        {f"restriction:{restriction.pk}": ["active", "lifted"]},
        channel=audit_channel,
    )


@transaction.atomic
def record_objection(
    actor: Any,
    person: Person,
    purpose: Purpose,
    *,
    grounds: str = "",
    received_at: datetime | None = None,
    audit_channel: str = UI,
) -> Objection:
    _live_person(person)
    received_at = received_at or timezone.now()
    if received_at > timezone.now():
        raise ValidationError({"received_at": [_("The time cannot be in the future.")]})
    if purpose.lawful_basis not in OBJECTABLE_BASES:
        # s.32 opens to objection what rests on consent, legitimate interest, public task
        # or research; what a contract or the law requires is not (a complaint is).
        message = _("This purpose rests on %(basis)s and is not open to objection.") % {
            "basis": purpose.get_lawful_basis_display()
        }
        raise ValidationError({"purpose": [message]})
    if Objection.objects.filter(
        person=person, purpose=purpose, status=Objection.Status.PENDING
    ).exists():
        raise ValidationError({"purpose": [_("An objection to this purpose is already pending.")]})
    objection = Objection.objects.create(
        person=person,
        purpose=purpose,
        grounds=grounds.strip(),
        received_at=received_at,
        recorded_by=acting_user(actor),
    )
    if purpose.is_direct_marketing:
        # s.32(2): an objection to direct marketing is not weighed, it is honoured.
        objection.status = Objection.Status.ACCEPTED
        objection.decided_at = received_at
        objection.decision_reason = _("Objection to direct marketing: honoured without review.")
        objection.save(update_fields=["status", "decided_at", "decision_reason"])
    record_change(
        actor,
        "privacy.object",
        person,
        {f"objection:{purpose.code}": [None, objection.status]},
        channel=audit_channel,
    )
    return objection


@transaction.atomic
def decide_objection(
    actor: Any, objection: Objection, *, accept: bool, reason: str, audit_channel: str = UI
) -> Objection:
    if objection.status != Objection.Status.PENDING:
        raise ValidationError({"objection": [_("This objection was already decided.")]})
    if not reason.strip():
        # A rejection's lawful reason goes into the record of processing (s.39).
        raise ValidationError({"reason": [_("Give the reason of the decision.")]})
    objection.status = Objection.Status.ACCEPTED if accept else Objection.Status.REJECTED
    objection.decided_at = timezone.now()
    objection.decided_by = acting_user(actor)
    objection.decision_reason = reason.strip()
    objection.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    record_change(
        actor,
        "privacy.decide_objection",
        objection.person,
        {f"objection:{objection.purpose.code}": ["pending", objection.status]},
        channel=audit_channel,
    )
    return objection


# --- partners and disclosures -----------------------------------------------


def check_disclosure(
    person: Person,
    *,
    basis: str,
    recipient: Organization | None,
    purpose: Purpose | None = None,
    product: Product | None = None,
    legal_reference: str = "",
) -> dict[str, list[str]]:
    """The grounds of a disclosure (6.1-6.3); empty when it may go ahead."""
    errors: dict[str, list[str]] = {}
    if basis == Disclosure.Basis.CONSENT:
        if purpose is None:
            errors["purpose"] = [_("Name the purpose the person consented to.")]
        elif not purpose.needs_consent:
            errors["purpose"] = [_("This purpose does not rest on consent.")]
        else:
            decision = may_use(person, purpose)
            if not decision:
                errors["basis"] = decision.reasons
    elif basis == Disclosure.Basis.PARTNER:
        if recipient is None or recipient.kind != Organization.Kind.PARTNER:
            errors["recipient"] = [_("Under the partner basis the recipient must be a partner.")]
        elif product is None or product.partner_id != recipient.pk:
            errors["product"] = [_("Name the joint product of this partner.")]
        elif not ProductInterest.objects.filter(person=person, product=product).exists():
            errors["product"] = [
                _(
                    "The person neither bought nor showed interest in this product: it may not be "
                    "disclosed to the partner (policy 6.2)."
                )
            ]
    elif basis == Disclosure.Basis.LEGAL_OBLIGATION:
        if not legal_reference.strip():
            errors["legal_reference"] = [_("Give the reference of the order or request.")]
    else:
        errors["basis"] = [_("Without a basis the data may not be disclosed.")]
    if basis in {Disclosure.Basis.CONSENT, Disclosure.Basis.PARTNER} and not errors:
        from connexion.privacy.ledger.decisions import active_restrictions

        if any(
            r.scope == Restriction.Scope.RECORD for r in active_restrictions(person, timezone.now())
        ):
            errors["basis"] = [
                _(
                    "The person's record is restricted: only a legal obligation "
                    "allows a disclosure now."
                )
            ]
    return errors


def record_disclosure(
    actor: Any,
    person: Person,
    *,
    basis: str,
    categories: list[str],
    reason: str,
    recipient: Organization | None = None,
    recipient_name: str = "",
    fields: list[str] | None = None,
    purpose: Purpose | None = None,
    product: Product | None = None,
    legal_reference: str = "",
    disclosed_at: datetime | None = None,
    audit_channel: str = UI,
) -> Disclosure:
    errors = check_disclosure(
        person,
        basis=basis,
        recipient=recipient,
        purpose=purpose,
        product=product,
        legal_reference=legal_reference,
    )
    if recipient is None and not recipient_name.strip():
        errors.setdefault("recipient", []).append(_("Name the recipient."))
    if not categories or set(categories) - CATEGORY_CODES:
        errors["categories"] = [_("Choose the data categories disclosed (3.1 to 3.7).")]
    if not reason.strip():
        errors["reason"] = [_("Say why the data is disclosed.")]
    if errors:
        # Outside the transaction below, so that the refusal stays on record.
        record_change(
            actor,
            "privacy.disclosure_refused",
            person,
            {"refused": [None, "; ".join(m for ms in errors.values() for m in ms)]},
            channel=audit_channel,
        )
        raise ValidationError(errors)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            person=person,
            recipient=recipient,
            recipient_name=recipient_name.strip(),
            categories=sorted(categories),
            fields=fields or [],
            basis=basis,
            purpose=purpose,
            product=product,
            legal_reference=legal_reference.strip(),
            reason=reason.strip(),
            disclosed_at=disclosed_at or timezone.now(),
            recorded_by=acting_user(actor),
        )
        to_whom = recipient or recipient_name
        record_change(
            actor,
            "privacy.disclose",
            person,
            {f"disclosure:{disclosure.pk}": [None, f"{basis} → {to_whom}"]},
            channel=audit_channel,
        )
    return disclosure


# --- breaches ---------------------------------------------------------------


@transaction.atomic
def record_breach(
    actor: Any,
    *,
    title: str,
    description: str,
    occurred_at: datetime,
    aware_at: datetime,
    categories: list[str],
    people_affected: int,
    risk: str,
    risk_reasoning: str,
    audit_channel: str = UI,
) -> Breach:
    errors: dict[str, list[str]] = {}
    if aware_at < occurred_at:
        errors["aware_at"] = [_("We cannot have become aware before it happened.")]
    if aware_at > timezone.now():
        errors["aware_at"] = [_("The time cannot be in the future.")]
    if not title.strip():
        errors["title"] = [_("Give the breach a title.")]
    if not categories or set(categories) - CATEGORY_CODES:
        errors["categories"] = [_("Choose the data categories concerned (3.1 to 3.7).")]
    if people_affected < 0:
        errors["people_affected"] = [_("Enter a number of people, zero or more.")]
    if risk not in Breach.Risk.values:
        errors["risk"] = [_("Choose the risk assessment.")]
    if not risk_reasoning.strip():
        # Even "no risk" is recorded with its reasoning.
        errors["risk_reasoning"] = [_("Explain the risk assessment.")]
    if errors:
        raise ValidationError(errors)
    breach = Breach.objects.create(
        title=title.strip(),
        description=description.strip(),
        occurred_at=occurred_at,
        aware_at=aware_at,
        categories=sorted(categories),
        people_affected=people_affected,
        risk=risk,
        risk_reasoning=risk_reasoning.strip(),
        recorded_by=acting_user(actor),
    )
    record_change(
        actor, "privacy.record_breach", breach, {"risk": [None, risk]}, channel=audit_channel
    )
    return breach


@transaction.atomic
def record_breach_notification(
    actor: Any,
    breach: Breach,
    *,
    regulator_notified_at: datetime | None = None,
    regulator_reference: str = "",
    people_notified_at: datetime | None = None,
    late_reason: str = "",
    audit_channel: str = UI,
) -> Breach:
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    for name, value in (
        ("regulator_notified_at", regulator_notified_at),
        ("people_notified_at", people_notified_at),
    ):
        if value is not None and (value > now or value < breach.aware_at):
            errors[name] = [_("The time must be between the awareness and now.")]
    late = regulator_notified_at is not None and regulator_notified_at > breach.notify_by
    if late and not late_reason.strip():
        # s.37(4): 72 hours; a late notice must say why.
        errors["late_reason"] = [
            _("The regulator was notified after 72 hours: give the reason for the delay.")
        ]
    if errors:
        raise ValidationError(errors)
    before = {
        "regulator_notified_at": breach.regulator_notified_at,
        "people_notified_at": breach.people_notified_at,
    }
    if regulator_notified_at is not None:
        breach.regulator_notified_at = regulator_notified_at
        breach.regulator_reference = regulator_reference.strip()
    if people_notified_at is not None:
        breach.people_notified_at = people_notified_at
    breach.late_reason = late_reason.strip() or breach.late_reason
    breach.save()
    record_change(
        actor,
        "privacy.breach_notification",
        breach,
        {
            name: [
                str(value) if value else None,
                str(getattr(breach, name)) if getattr(breach, name) else None,
            ]
            for name, value in before.items()
        },
        channel=audit_channel,
    )
    return breach


@transaction.atomic
def close_breach(actor: Any, breach: Breach, *, audit_channel: str = UI) -> Breach:
    """Closes a breach once what it required was done."""
    if breach.closed_at is not None:
        raise ValidationError({"breach": [_("This breach is already closed.")]})
    if breach.needs_regulator_notice and breach.regulator_notified_at is None:
        raise ValidationError(
            {"regulator_notified_at": [_("Record the notification to the regulator first.")]}
        )
    if breach.risk == Breach.Risk.HIGH and breach.people_notified_at is None:
        # s.37(4): a high risk is also told to the people affected.
        raise ValidationError(
            {"people_notified_at": [_("Record the notification to the people affected first.")]}
        )
    breach.closed_at = timezone.now()
    breach.save(update_fields=["closed_at"])
    record_change(
        actor, "privacy.close_breach", breach, {"closed": [False, True]}, channel=audit_channel
    )
    return breach


# --- notices ----------------------------------------------------------------


@transaction.atomic
def publish_notice(
    actor: Any,
    *,
    version: str,
    text_th: str,
    text_en: str,
    effective_at: datetime | None = None,
    renew_consent_for: list[Purpose] | None = None,
    audit_channel: str = UI,
) -> PrivacyNotice:
    errors: dict[str, list[str]] = {}
    if not version.strip():
        errors["version"] = [_("Give the version a name.")]
    elif PrivacyNotice.objects.filter(version=version.strip()).exists():
        errors["version"] = [_("This version exists already.")]
    if not text_th.strip():
        errors["text_th"] = [_("Give the Thai text.")]
    if not text_en.strip():
        errors["text_en"] = [_("Give the English text.")]
    renew = renew_consent_for or []
    if any(not purpose.needs_consent for purpose in renew):
        errors["renew_consent_for"] = [
            _("Only purposes that rest on consent can ask for it again.")
        ]
    if errors:
        raise ValidationError(errors)
    notice = PrivacyNotice.objects.create(
        version=version.strip(),
        text_th=text_th,
        text_en=text_en,
        effective_at=effective_at or timezone.now(),
        published_by=acting_user(actor),
    )
    notice.renew_consent_for.set(renew)
    record_change(
        actor,
        "privacy.publish_notice",
        notice,
        {"version": [None, notice.version]},
        channel=audit_channel,
    )
    return notice


def log_refusal(
    actor: Any,
    person: Person,
    purpose: Purpose,
    decision: Decision,
    *,
    use: str,
    audit_channel: str = UI,
) -> None:
    """Every refused use is kept, with its reasons."""
    record_change(
        actor,
        "privacy.use_refused",
        person,
        {f"{use}:{purpose.code}": [None, "; ".join(decision.codes)]},
        channel=audit_channel,
    )
