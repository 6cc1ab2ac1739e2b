"""`may_use` as a table of cases: basis × consent × objection × restriction ×
lifecycle → decision; and random histories that must end in what the latest
facts imply."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from connexion.people.models import Person
from connexion.people.services import ContactDetails, create_person, create_source
from connexion.privacy.ledger.decisions import may_use
from connexion.privacy.ledger.services import (
    decide_objection,
    give_consent,
    lift_restriction,
    record_objection,
    restrict,
    withdraw_consent,
)
from connexion.privacy.models import ConsentEvent, Objection, PrivacyNotice, Purpose

pytestmark = pytest.mark.django_db

WORDING = "ฉันยินยอมให้ส่งข่าวสารและข้อเสนอพิเศษทางอีเมล"


def apply(person: Person, purpose: Purpose, consent: str, objection: str, restriction: str):
    phone = person.phonenumbers.get()
    if consent in {"given", "withdrawn"}:
        give_consent(None, person, purpose, wording=WORDING, channel="staff")
    if consent == "withdrawn":
        withdraw_consent(None, person, purpose, channel="staff")
    if objection != "none":
        made = record_objection(None, person, purpose, grounds="ไม่ต้องการ")
        if objection in {"accepted", "rejected"} and made.status == Objection.Status.PENDING:
            decide_objection(None, made, accept=objection == "accepted", reason="พิจารณาแล้ว")
    if restriction == "record":
        restrict(None, person, scope="record", reason="ข้อมูลอยู่ระหว่างโต้แย้ง")
    elif restriction == "contact":
        restrict(None, person, scope="contact_point", contact_point=phone, reason="ห้ามโทร")
    elif restriction == "category":
        restrict(None, person, scope="category", category="3.2", reason="ห้ามติดต่อ")
    return phone


# (purpose, lifecycle, consent, objection, restriction, through phone) -> allowed, codes
CASES = [
    ("direct-marketing", "customer", "never", "none", "none", False, False, ["no_consent"]),
    ("direct-marketing", "customer", "given", "none", "none", False, True, []),
    ("direct-marketing", "prospect", "given", "none", "none", True, True, []),
    (
        "direct-marketing",
        "customer",
        "withdrawn",
        "none",
        "none",
        False,
        False,
        ["consent_withdrawn"],
    ),
    # An objection to direct marketing is honoured at once (s.32(2)).
    ("direct-marketing", "customer", "given", "pending", "none", False, False, ["objected"]),
    (
        "direct-marketing",
        "customer",
        "given",
        "none",
        "contact",
        True,
        False,
        ["contact_point_restricted"],
    ),
    ("direct-marketing", "customer", "given", "none", "contact", False, True, []),
    (
        "direct-marketing",
        "customer",
        "given",
        "none",
        "record",
        False,
        False,
        ["record_restricted"],
    ),
    (
        "direct-marketing",
        "customer",
        "given",
        "none",
        "category",
        False,
        False,
        ["category_restricted"],
    ),
    ("product-contact", "prospect", "never", "none", "none", True, True, []),
    ("product-contact", "prospect", "never", "pending", "none", True, False, ["objection_pending"]),
    ("product-contact", "prospect", "never", "accepted", "none", True, False, ["objected"]),
    ("product-contact", "prospect", "never", "rejected", "none", True, True, []),
    (
        "product-contact",
        "prospect",
        "never",
        "none",
        "contact",
        True,
        False,
        ["contact_point_restricted"],
    ),
    ("service", "customer", "never", "none", "none", True, True, []),
    ("service", "former_customer", "never", "none", "none", True, False, ["no_contract"]),
    # Contracts are not open to objection; a restriction still holds.
    ("service", "customer", "never", "accepted", "none", False, True, []),
    ("service", "customer", "never", "none", "record", True, False, ["record_restricted"]),
    # What the law requires goes ahead even on a restricted record (s.34).
    ("legal-contact", "former_customer", "never", "none", "record", True, True, []),
    ("legal-contact", "visitor", "never", "none", "contact", True, True, []),
]


@pytest.mark.parametrize(
    ("code", "stage", "consent", "objection", "restriction", "by_phone", "allowed", "codes"),
    CASES,
)
def test_decision_table(
    person, code, stage, consent, objection, restriction, by_phone, allowed, codes
):
    purpose = Purpose.objects.get(code=code)
    Person.objects.filter(pk=person.pk).update(lifecycle_stage=stage)
    person.refresh_from_db()
    if objection == "accepted" and code == "service":
        # A contract is not open to objection: refused when recorded.
        with pytest.raises(ValidationError) as excinfo:
            record_objection(None, person, purpose)
        assert "purpose" in excinfo.value.message_dict
        objection = "none"
    phone = apply(person, purpose, consent, objection, restriction)
    decision = may_use(person, purpose, phone if by_phone else None)
    assert decision.allowed is allowed
    assert decision.codes == codes


def test_refusals_are_explained_in_thai_with_a_buddhist_era_date(person, marketing):
    phone = person.phonenumbers.get()
    give_consent(None, person, marketing, wording=WORDING, channel="staff")
    restrict(None, person, scope="contact_point", contact_point=phone, reason="ห้ามโทร")
    with translation.override("th"):
        reason = may_use(person, marketing, phone).reasons[0]
    assert "081 234 5678" in reason or "+66812345678" in reason
    assert str(timezone.localdate().year + 543) in reason
    with translation.override("en"):
        assert "asked not to be contacted" in may_use(person, marketing, phone).reasons[0]


def test_a_lifted_or_ended_restriction_no_longer_applies(person, service):
    restriction = restrict(None, person, scope="record", reason="โต้แย้ง")
    assert not may_use(person, service)
    lift_restriction(None, restriction)
    assert may_use(person, service)
    restrict(
        None, person, scope="record", reason="โต้แย้ง", ends_at=timezone.now() + timedelta(days=1)
    )
    assert not may_use(person, service)
    assert may_use(person, service, at=timezone.now() + timedelta(days=2))


def test_consent_given_again_after_an_objection_counts(person, marketing):
    give_consent(None, person, marketing, wording=WORDING, channel="staff")
    record_objection(None, person, marketing)
    assert not may_use(person, marketing)
    give_consent(None, person, marketing, wording=WORDING, channel="privacy_center")
    assert may_use(person, marketing)


def test_a_contact_point_of_someone_else_is_refused(person, legal):
    source = create_source(None, kind="direct", channel="phone")
    other = create_person(
        None,
        source=source,
        first_name_en="Other",
        contacts=ContactDetails(phones=[("mobile", "0899999999")]),
    )
    decision = may_use(person, legal, other.phonenumbers.get())
    assert decision.codes == ["not_their_contact"]


ACTIONS = st.lists(
    st.sampled_from(["give", "withdraw", "object", "accept", "reject", "restrict", "lift"]),
    max_size=12,
)


class RandomHistoryTests(HypothesisTestCase):
    """Whatever the order of events, the decision is what the latest facts imply."""

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(actions=ACTIONS)
    def test_random_histories(self, actions):
        source = create_source(None, kind="direct", channel="phone")
        person = create_person(
            None, source=source, first_name_en="Random", lifecycle_stage="customer"
        )
        PrivacyNotice.objects.update(effective_at=timezone.now() - timedelta(days=365))
        purpose = Purpose.objects.get(code="product-contact")  # legitimate interest
        marketing = Purpose.objects.get(code="direct-marketing")  # consent
        consent = None  # latest consent action for marketing
        objection = None  # latest non-rejected objection status for product-contact
        restriction = None
        clock = timezone.now() - timedelta(days=30)
        for action in actions:
            clock += timedelta(minutes=1)
            if action == "give":
                give_consent(None, person, marketing, wording=WORDING, channel="staff", at=clock)
                consent = "given"
            elif action == "withdraw":
                if consent == "given":
                    withdraw_consent(None, person, marketing, channel="staff", at=clock)
                    consent = "withdrawn"
                else:
                    with pytest.raises(ValidationError):
                        withdraw_consent(None, person, marketing, channel="staff", at=clock)
            elif action == "object":
                pending = Objection.objects.filter(
                    person=person, purpose=purpose, status="pending"
                ).exists()
                if pending:
                    with pytest.raises(ValidationError):
                        record_objection(None, person, purpose, received_at=clock)
                else:
                    record_objection(None, person, purpose, received_at=clock)
                    objection = "pending"
            elif action in {"accept", "reject"}:
                pending = Objection.objects.filter(
                    person=person, purpose=purpose, status="pending"
                ).first()
                if pending:
                    decide_objection(None, pending, accept=action == "accept", reason="r")
                    if action == "accept":
                        objection = "accepted"
                    else:
                        # The rejected one drops out; an earlier accepted one still stands.
                        accepted = Objection.objects.filter(
                            person=person, purpose=purpose, status="accepted"
                        ).exists()
                        objection = "accepted" if accepted else None
            elif action == "restrict" and restriction is None:
                restriction = restrict(None, person, scope="record", reason="r", starts_at=clock)
            elif action == "lift" and restriction is not None:
                lift_restriction(None, restriction)
                restriction = None

        now = timezone.now()
        marketing_expected = consent == "given" and restriction is None
        assert may_use(person, marketing, at=now).allowed is marketing_expected
        purpose_expected = objection is None and restriction is None
        assert may_use(person, purpose, at=now).allowed is purpose_expected
        # History is never rewritten: one ledger row per give or withdraw.
        assert ConsentEvent.objects.filter(person=person).count() == (
            actions.count("give")
            + sum(
                1
                for i, a in enumerate(actions)
                if a == "withdraw" and _was_given_before(actions[:i])
            )
        )


def _was_given_before(actions: list[str]) -> bool:
    state = None
    for action in actions:
        if action == "give":
            state = "given"
        elif action == "withdraw" and state == "given":
            state = "withdrawn"
    return state == "given"
