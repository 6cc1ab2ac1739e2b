"""The use door: every action that contacts a person, discloses their data or hands it
over asks here first, with the purpose the action itself carries (an email's is its
template's, an announcement's is clause 5.5), never one picked in a form.

`use` asks `decisions.may_use`, adds the narrow rules of the legal-obligation path
(only a role holding `privacy.use_for_legal_obligation`, only with the reference of
the order or law), records the use or the refusal with its reasons (a `DataUse` row
and an audit entry), and raises `UseRefused` when the action may not go ahead.
`use_many` does the same for a batch (the people export) and returns who may be
included. A test (tests/privacy/test_use_door.py) finds every place the code sends
mail, a text message or an export file and fails on one that does not come here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.people.models import Person
from connexion.privacy.ledger.decisions import CONTACT_KINDS, Decision, Refusal, may_use
from connexion.privacy.models import DataUse, LawfulBasis, Purpose

LEGAL_PERMISSION = "privacy.use_for_legal_obligation"
UI = AuditEvent.Channel.UI

MESSAGES = {
    "legal_permission": gettext_lazy(
        "Only the privacy officer may use personal data on a legal obligation."
    ),
    "legal_reference": gettext_lazy(
        "A use on a legal obligation needs the reference of the order or the law."
    ),
}


class UseRefused(Exception):
    """The door said no; `decision.reasons` are the translated reasons, and the
    refusal is already recorded."""

    def __init__(self, decision: Decision) -> None:
        super().__init__("; ".join(decision.reasons))
        self.decision = decision


def on_legal_obligation(purpose: Purpose) -> bool:
    return purpose.lawful_basis == LawfulBasis.LEGAL_OBLIGATION


def decide(
    person: Person,
    purpose: Purpose,
    *,
    actor: Any,
    contact_point: Any = None,
    reference: str = "",
) -> Decision:
    """What `use` would answer, without recording anything (for a page that
    offers the action only when it may go ahead)."""
    decision = may_use(person, purpose, contact_point)
    if on_legal_obligation(purpose):
        if not (getattr(actor, "pk", None) and actor.has_perm(LEGAL_PERMISSION)):
            decision.refusals.append(Refusal("legal_permission", str(MESSAGES["legal_permission"])))
        if not reference.strip():
            decision.refusals.append(Refusal("legal_reference", str(MESSAGES["legal_reference"])))
        decision.allowed = not decision.refusals
    return decision


def _row(
    person: Person,
    purpose: Purpose,
    action: str,
    decision: Decision,
    *,
    actor: Any,
    contact_point: Any,
    reference: str,
    at: Any,
) -> DataUse:
    return DataUse(
        person=person,
        purpose=purpose,
        action=action,
        contact_kind=CONTACT_KINDS.get(type(contact_point), "") if contact_point else "",
        contact_id=getattr(contact_point, "pk", None),
        allowed=decision.allowed,
        refusals=decision.codes,
        reference=reference.strip(),
        used_by=actor if getattr(actor, "pk", None) else None,
        used_at=at,
    )


def use(
    actor: Any,
    person: Person,
    purpose: Purpose,
    *,
    action: str,
    contact_point: Any = None,
    reference: str = "",
    audit_channel: str = UI,
) -> DataUse:
    """Asks the door for one use and records the answer. Returns the recorded
    use when it may go ahead; raises `UseRefused` (after recording the refusal,
    in its own transaction, so a caller's rollback does not erase it)."""
    decision = decide(
        person, purpose, actor=actor, contact_point=contact_point, reference=reference
    )
    with transaction.atomic():
        record = _row(
            person,
            purpose,
            action,
            decision,
            actor=actor,
            contact_point=contact_point,
            reference=reference,
            at=timezone.now(),
        )
        record.save()
        record_change(
            actor,
            "privacy.use" if decision else "privacy.use_refused",
            person,
            {
                "use": record.pk,
                "action": action,
                "purpose": purpose.code,
                "to": record.contact_id,
                **({"reasons": decision.codes} if not decision else {}),
            },
            channel=audit_channel,
        )
    if not decision:
        raise UseRefused(decision)
    return record


@dataclass
class BatchUse:
    """Who a batch use may include, and who it leaves out with the reasons."""

    included: list[Person] = field(default_factory=list)
    left_out: list[tuple[Person, Decision]] = field(default_factory=list)


def decide_many(
    actor: Any, people: Iterable[Person], purpose: Purpose, *, reference: str = ""
) -> tuple[BatchUse, dict[int, Decision]]:
    """What `use_many` would include and leave out, recording nothing (for the
    page that shows it before the download), with each person's decision."""
    batch, decisions = BatchUse(), {}
    for person in people:
        decision = decide(person, purpose, actor=actor, reference=reference)
        decisions[person.pk] = decision
        if decision:
            batch.included.append(person)
        else:
            batch.left_out.append((person, decision))
    return batch, decisions


def use_many(
    actor: Any,
    people: Iterable[Person],
    purpose: Purpose,
    *,
    action: str,
    reference: str = "",
    audit_channel: str = UI,
) -> BatchUse:
    """The door for a batch: one recorded use per person, one audit entry with
    the counts; people whose restriction or objection forbids the purpose are
    left out, not refused as a whole."""
    people = list(people)
    batch, decisions = decide_many(actor, people, purpose, reference=reference)
    now = timezone.now()
    rows = [
        _row(
            person,
            purpose,
            action,
            decisions[person.pk],
            actor=actor,
            contact_point=None,
            reference=reference,
            at=now,
        )
        for person in people
    ]
    with transaction.atomic():
        DataUse.objects.bulk_create(rows, batch_size=1000)
        record_change(
            actor,
            "privacy.use_batch",
            purpose,
            {
                "action": action,
                "included": len(batch.included),
                "left_out": len(batch.left_out),
            },
            channel=audit_channel,
        )
    return batch
