"""Pipelines, products, deals and leads through sales.services."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from connexion.audit.models import AuditEvent
from connexion.people.models import Organization, Person, Source
from connexion.sales.models import Deal, DealProduct, Lead, Pipeline, Stage, StageChange
from connexion.sales.services import deals as deal_services
from connexion.sales.services import interests as interest_services
from connexion.sales.services import leads as lead_services
from connexion.sales.services import pipelines as pipeline_services
from connexion.sales.services import products as product_services

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- pipelines ---------------------------------------------------------------


def test_a_new_installation_has_a_default_pipeline_with_bilingual_stages(pipeline):
    stages = list(pipeline.stages.all())
    assert [s.name_en for s in stages] == [
        "Qualified",
        "Meeting",
        "Proposal sent",
        "Negotiation",
        "Won",
        "Lost",
    ]
    assert all(s.name_th for s in stages)
    assert [s.order for s in stages] == sorted(s.order for s in stages)
    assert stages[4].is_won and stages[4].probability == 100
    assert stages[5].is_lost and stages[5].probability == 0
    assert Pipeline.objects.filter(is_default=True).count() == 1


def test_seeding_again_adds_nothing(pipeline):
    pipeline_services.seed_default_pipeline()
    assert Pipeline.objects.count() == 1


def test_only_one_default_pipeline(pipeline, other_pipeline):
    pipeline_services.update_pipeline(None, other_pipeline, is_default=True)
    pipeline.refresh_from_db()
    assert not pipeline.is_default
    assert Pipeline.objects.get(is_default=True) == other_pipeline


def test_a_stage_cannot_be_won_and_lost_or_beyond_100_percent(pipeline):
    with pytest.raises(ValidationError) as excinfo:
        pipeline_services.create_stage(
            None,
            pipeline,
            name_th="แปลก",
            name_en="Odd",
            probability=120,
            is_won=True,
            is_lost=True,
        )
    assert set(errors_of(excinfo)) == {"probability", "is_lost"}
    assert not Stage.objects.filter(name_en="Odd").exists()


def test_a_stage_with_deals_or_history_is_not_deleted(make_deal, stages):
    make_deal()
    with pytest.raises(ValidationError):
        pipeline_services.delete_stage(None, stages["Qualified"])
    assert Stage.objects.filter(pk=stages["Qualified"].pk).exists()


def test_the_last_open_stage_stays(other_pipeline):
    for stage in other_pipeline.stages.filter(is_won=False, is_lost=False)[1:]:
        pipeline_services.delete_stage(None, stage)
    last = other_pipeline.stages.get(is_won=False, is_lost=False)
    with pytest.raises(ValidationError):
        pipeline_services.delete_stage(None, last)
    assert Stage.objects.filter(pk=last.pk).exists()


# --- products ----------------------------------------------------------------


def test_product_codes_are_unique_whatever_the_case(crm_product):
    with pytest.raises(ValidationError) as excinfo:
        product_services.create_product(None, code="crm-pro", name_en="Another", price=0)
    assert list(errors_of(excinfo)) == ["code"]


def test_a_joint_product_needs_a_partner_organization(acme, partner):
    with pytest.raises(ValidationError) as excinfo:
        product_services.create_product(
            None, code="INS", name_en="Insurance", price=0, partner=acme
        )
    assert list(errors_of(excinfo)) == ["partner"]
    product = product_services.create_product(
        None, code="INS", name_en="Insurance", price=0, partner=partner
    )
    assert product.partner == partner


def test_a_product_price_is_never_negative():
    with pytest.raises(ValidationError) as excinfo:
        product_services.create_product(None, code="X", name_en="X", price=-1)
    assert list(errors_of(excinfo)) == ["price"]


# --- deals -------------------------------------------------------------------


def test_a_new_deal_starts_in_the_first_open_stage_and_records_it(make_deal, stages):
    deal = make_deal()
    assert deal.stage == stages["Qualified"]
    assert deal.status == Deal.Status.OPEN
    assert deal.amount_thb == deal.amount == 100_000_00
    change = StageChange.objects.get(deal=deal)
    assert change.from_stage is None and change.to_stage == stages["Qualified"]
    assert AuditEvent.objects.filter(action="sales.create_deal", object_id=str(deal.pk)).exists()


def test_negative_amounts_are_refused_and_nothing_is_written(pipeline, somchai):
    with pytest.raises(ValidationError) as excinfo:
        deal_services.create_deal(None, title="Bad", pipeline=pipeline, person=somchai, amount=-100)
    assert "amount" in errors_of(excinfo)
    assert not Deal.objects.exists() and not StageChange.objects.exists()


def test_a_deal_names_someone(pipeline):
    with pytest.raises(ValidationError) as excinfo:
        deal_services.create_deal(None, title="Nobody", pipeline=pipeline)
    assert list(errors_of(excinfo)) == ["person"]


def test_another_currency_needs_its_rate_and_keeps_the_thb_value(pipeline, somchai):
    with pytest.raises(ValidationError) as excinfo:
        deal_services.create_deal(
            None, title="USD", pipeline=pipeline, person=somchai, amount=1000_00, currency="USD"
        )
    assert list(errors_of(excinfo)) == ["exchange_rate"]
    deal = deal_services.create_deal(
        None,
        title="USD",
        pipeline=pipeline,
        person=somchai,
        amount=1000_50,
        currency="USD",
        exchange_rate=Decimal("35.123456"),
    )
    # 1,000.50 USD × 35.123456 = 35,141.017728 THB -> 3,514,102 satang, rounded half up.
    assert deal.amount_thb == 3_514_102
    assert deal.exchange_rate == Decimal("35.123456")


def test_a_currency_without_minor_units(pipeline, somchai):
    deal = deal_services.create_deal(
        None,
        title="JPY",
        pipeline=pipeline,
        person=somchai,
        amount=150_000,
        currency="JPY",
        exchange_rate=Decimal("0.2333"),
    )
    assert deal.amount_thb == 3_499_500  # ¥150,000 × 0.2333 = ฿34,995.00


def test_a_buddhist_era_close_date_is_refused_with_the_ce_year(make_deal):
    with pytest.raises(ValidationError) as excinfo:
        make_deal(expected_close_date=date(2569, 6, 30))
    message = errors_of(excinfo)["expected_close_date"][0]
    assert "2569" in message and "2026" in message
    assert not Deal.objects.exists()


def test_a_move_is_recorded_with_who_and_from_where(make_deal, stages, make_user):
    user = make_user("mover")
    deal = make_deal()
    deal_services.move_deal(user, deal, stages["Proposal sent"])
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal sent"]
    change = deal.stage_changes.first()
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        stages["Qualified"],
        stages["Proposal sent"],
        user,
    )
    assert AuditEvent.objects.filter(action="sales.move_deal", actor=user).count() == 1


def test_a_stage_of_another_pipeline_is_refused(make_deal, other_pipeline):
    deal = make_deal()
    foreign = other_pipeline.stages.first()
    with pytest.raises(ValidationError) as excinfo:
        deal_services.move_deal(None, deal, foreign)
    assert "another pipeline" in errors_of(excinfo)["stage"][0]
    deal.refresh_from_db()
    assert deal.stage.pipeline_id == deal.pipeline_id
    assert deal.stage_changes.count() == 1


def test_a_deal_cannot_be_created_in_a_stage_of_another_pipeline(pipeline, other_pipeline, somchai):
    with pytest.raises(ValidationError) as excinfo:
        deal_services.create_deal(
            None,
            title="Mixed",
            pipeline=pipeline,
            stage=other_pipeline.stages.first(),
            person=somchai,
        )
    assert list(errors_of(excinfo)) == ["stage"]


def test_won_and_lost_close_the_deal_and_lost_needs_a_reason(make_deal, stages):
    deal = make_deal()
    with pytest.raises(ValidationError) as excinfo:
        deal_services.move_deal(None, deal, stages["Lost"])
    assert list(errors_of(excinfo)) == ["lost_reason"]
    deal_services.move_deal(None, deal, stages["Lost"], lost_reason="ราคาสูงเกินไป")
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == (Deal.Status.LOST, "ราคาสูงเกินไป")
    assert deal.closed_at is not None
    deal_services.move_deal(None, deal, stages["Won"])
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON
    deal_services.move_deal(None, deal, stages["Negotiation"])
    deal.refresh_from_db()
    assert deal.status == Deal.Status.OPEN and deal.closed_at is None
    assert deal.stage_changes.count() == 4


def test_products_make_the_amount(make_deal, crm_product):
    deal = make_deal(amount=0)
    deal_services.add_deal_line(None, deal, crm_product, 3)
    deal_services.add_deal_line(None, deal, crm_product, 1, 999_99)
    deal.refresh_from_db()
    assert deal.amount == deal.amount_thb == 3 * 1_250_050 + 999_99
    with pytest.raises(ValidationError) as excinfo:
        deal_services.update_deal(None, deal, amount=5)
    assert list(errors_of(excinfo)) == ["amount"]
    line = deal.lines.first()
    deal_services.remove_deal_line(None, deal, line.pk)
    deal.refresh_from_db()
    assert deal.amount == 999_99


def test_a_bad_product_line_changes_nothing(make_deal, crm_product):
    deal = make_deal(amount=0)
    deal_services.add_deal_line(None, deal, crm_product, 2)
    with pytest.raises(ValidationError) as excinfo:
        deal_services.add_deal_line(None, deal, crm_product, 0)
    assert list(errors_of(excinfo)) == ["quantity"]
    deal.refresh_from_db()
    assert deal.amount == 2 * 1_250_050 and DealProduct.objects.filter(deal=deal).count() == 1


def test_a_deactivated_owner_is_refused(make_deal, make_user):
    gone = make_user("gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as excinfo:
        make_deal(owner=gone)
    assert list(errors_of(excinfo)) == ["owner"]


# --- leads -------------------------------------------------------------------


def test_a_lead_says_who(db):
    with pytest.raises(ValidationError) as excinfo:
        lead_services.create_lead(None, title="Something")
    assert "first_name" in errors_of(excinfo)
    lead = lead_services.create_lead(
        None, title="CRM", email="Noi@Example.com", phone="081-234-5678"
    )
    assert lead.email == "noi@example.com" and lead.phone == "+66812345678"


def test_disqualifying_needs_a_reason(db):
    lead = lead_services.create_lead(None, title="CRM", first_name="Noi")
    with pytest.raises(ValidationError) as excinfo:
        lead_services.set_lead_status(None, lead, Lead.Status.DISQUALIFIED)
    assert list(errors_of(excinfo)) == ["disqualified_reason"]
    lead_services.set_lead_status(None, lead, Lead.Status.DISQUALIFIED, reason="งบไม่พอ")
    lead.refresh_from_db()
    assert lead.status == "disqualified" and lead.disqualified_reason == "งบไม่พอ"


def test_converting_creates_the_person_and_organization_and_opens_a_deal(
    pipeline, stages, crm_product, make_user
):
    seller = make_user("seller")
    lead = lead_services.create_lead(
        seller,
        title="ระบบ CRM",
        first_name="น้อย",
        last_name="ใจงาม",
        email="noi@example.com",
        phone="0812345678",
        company_name="บริษัท น้อยการค้า จำกัด",
        source="web_form",
        products=[crm_product],
        owner=seller,
    )
    deal = lead_services.convert_lead(
        seller,
        lead,
        lead_services.Conversion(pipeline=pipeline, create_person=True, create_organization=True),
    )
    lead.refresh_from_db()
    person = Person.objects.get(first_name_th="น้อย", last_name_th="ใจงาม")
    organization = Organization.objects.get(name_th="บริษัท น้อยการค้า จำกัด")
    assert person.emailaddresss.get().email == "noi@example.com"
    assert person.phonenumbers.get().number == "+66812345678"
    assert person.employer == organization and person.owner == seller
    assert person.source.channel == Source.Channel.WEB_FORM
    assert (deal.person, deal.organization, deal.lead, deal.stage) == (
        person,
        organization,
        lead,
        stages["Qualified"],
    )
    assert deal.amount == crm_product.price and deal.lines.get().product == crm_product
    assert lead.converted_deal == deal and lead.converted_at and lead.status == "qualified"
    assert (lead.person, lead.organization, lead.converted_by) == (person, organization, seller)
    assert AuditEvent.objects.filter(action="sales.convert_lead", object_id=str(lead.pk)).exists()
    # A converted lead is history: it cannot be converted or changed again.
    with pytest.raises(ValidationError):
        lead_services.convert_lead(seller, lead, lead_services.Conversion(pipeline=pipeline))
    with pytest.raises(ValidationError):
        lead_services.update_lead(seller, lead, title="changed")


def test_converting_links_an_existing_person(pipeline, somchai):
    lead = lead_services.create_lead(None, title="Renewal", first_name="Somchai")
    deal = lead_services.convert_lead(
        None, lead, lead_services.Conversion(pipeline=pipeline, person=somchai, amount=50_000_00)
    )
    assert deal.person == somchai and deal.amount == 50_000_00
    assert Person.objects.count() == 1


def test_a_failed_conversion_writes_nothing(pipeline):
    """A partner lead without the agreement reference: the person would be
    created, but the provenance is refused, so the whole conversion is."""
    partner = Organization.objects.create(
        kind=Organization.Kind.PARTNER,
        name_en="Partner",
        source=Source.objects.create(
            kind="direct", channel="phone", collected_at="2026-01-01T00:00:00Z"
        ),
    )
    lead = lead_services.create_lead(
        None, title="Insurance", first_name="Dao", source="partner", partner=partner
    )
    people_before = Person.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        lead_services.convert_lead(
            None, lead, lead_services.Conversion(pipeline=pipeline, create_person=True)
        )
    assert "source_detail" in errors_of(excinfo)
    lead.refresh_from_db()
    assert not lead.is_converted and lead.person is None
    assert Person.objects.count() == people_before and not Deal.objects.exists()


def test_a_disqualified_lead_is_not_converted(pipeline, somchai):
    lead = lead_services.create_lead(None, title="CRM", person=somchai)
    lead_services.set_lead_status(None, lead, "disqualified", reason="duplicate")
    with pytest.raises(ValidationError) as excinfo:
        lead_services.convert_lead(None, lead, lead_services.Conversion(pipeline=pipeline))
    assert list(errors_of(excinfo)) == ["status"]


# --- interests in products ---------------------------------------------------


def test_an_interest_is_recorded_once_with_its_first_date(somchai, crm_product):
    first = interest_services.record_product_interest(
        None, somchai, crm_product, "interested", source="campaign", source_detail="Expo 2569"
    )
    again = interest_services.record_product_interest(None, somchai, crm_product, "interested")
    assert again == first and first.source == "campaign"
    assert somchai.product_interests.count() == 1
    with pytest.raises(ValidationError) as excinfo:
        interest_services.record_product_interest(None, somchai, crm_product, "maybe")
    assert list(errors_of(excinfo)) == ["kind"]


def test_converting_a_lead_records_the_interests_and_winning_the_purchase(
    pipeline, stages, somchai, crm_product
):
    lead = lead_services.create_lead(
        None, title="CRM", person=somchai, source="web_form", products=[crm_product]
    )
    deal = lead_services.convert_lead(None, lead, lead_services.Conversion(pipeline=pipeline))
    interest = somchai.product_interests.get()
    assert (interest.kind, interest.source, interest.lead) == ("interested", "lead", lead)
    assert interest.since == lead.created_at
    deal_services.move_deal(None, deal, stages["Won"])
    bought = somchai.product_interests.get(kind="bought")
    assert (bought.product, bought.source, bought.deal) == (crm_product, "deal", deal)


def test_a_partner_disclosure_rests_on_an_interest_in_the_joint_product(somchai, partner):
    """The privacy core's rule 6.2 reads the one catalog's interest records."""
    from connexion.privacy.ledger.services import check_disclosure

    product = product_services.create_product(
        None, code="INS", name_en="Insurance", price=0, partner=partner
    )
    errors = check_disclosure(somchai, basis="partner", recipient=partner, product=product)
    assert "6.2" in errors["product"][0]
    interest_services.record_product_interest(None, somchai, product, "interested")
    assert check_disclosure(somchai, basis="partner", recipient=partner, product=product) == {}


# --- the totals kept per stage -------------------------------------------------


def test_the_kept_totals_match_the_deals_after_every_kind_of_write(
    pipeline, stages, somchai, crm_product, make_deal
):
    from django.db.models import Count, Sum

    from connexion.sales.models import StageTotal

    def kept() -> dict[int, tuple[int, int]]:
        return {
            t.stage_id: (t.deal_count, t.amount_thb)
            for t in StageTotal.objects.all()
            if t.deal_count or t.amount_thb
        }

    def counted() -> dict[int, tuple[int, int]]:
        rows = Deal.objects.values("stage").annotate(n=Count("*"), total=Sum("amount_thb"))
        return {row["stage"]: (row["n"], row["total"]) for row in rows}

    first = make_deal(amount=1_000_00)
    second = make_deal(amount=0)
    deal_services.add_deal_line(None, second, crm_product, 2)
    deal_services.move_deal(None, first, stages["Negotiation"])
    deal_services.update_deal(
        None, first, currency="USD", exchange_rate=Decimal("35"), amount=10_00
    )
    deal_services.move_deal(None, second, stages["Lost"], lost_reason="no budget")
    lead = lead_services.create_lead(None, title="Lead", person=somchai, products=[crm_product])
    lead_services.convert_lead(None, lead, lead_services.Conversion(pipeline=pipeline))
    with pytest.raises(ValidationError):
        make_deal(amount=-1)
    assert kept() == counted()
    deal_services.delete_deal(None, first)
    assert kept() == counted()
    deal_services.rebuild_stage_totals()
    assert kept() == counted()
