"""The sales pages through Django's test client: lists, forms, the board."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connexion.accounts.services import create_team
from connexion.audit.models import AuditEvent
from connexion.people.models import SavedView
from connexion.sales.models import Deal, Lead, Product, Stage
from connexion.sales.selectors import CARDS_PER_STAGE
from connexion.sales.services import deals as deal_services
from connexion.sales.services import leads as lead_services

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


# --- access ------------------------------------------------------------------


def test_the_deals_area_needs_its_permission(client, make_user):
    client.force_login(make_user("helpdesk", roles=("support",)))
    assert client.get("/sales/").status_code == 403
    assert client.get("/sales/board/").status_code == 403
    assert client.get("/sales/leads/").status_code == 403


def test_the_navigation_leads_to_the_deal_list(sales_client):
    response = sales_client.get("/")
    assert 'href="/sales/"' in body(response)
    assert sales_client.get("/deals/")["Location"] == "/sales/"


def test_only_managers_configure_pipelines_and_products(sales_client, pipeline):
    assert sales_client.get("/sales/pipelines/").status_code == 403
    assert sales_client.get("/sales/products/new/").status_code == 403
    assert "New product" not in body(sales_client.get("/sales/products/"))


# --- the deal list -----------------------------------------------------------


@pytest.fixture
def some_deals(make_deal, stages, acme, make_user, sales_client):
    other = make_user("other")
    # A teammate: a sales role sees its teams' records (accounts.visibility).
    create_team("Bangkok sales", members=[sales_client.user, other], actor=None)
    today = date(2026, 6, 1)
    deals = {
        "small": make_deal("Small", amount=1_000_00, expected_close_date=today),
        "big": make_deal("Big", amount=250_000_00, expected_close_date=today + timedelta(days=40)),
        "corp": make_deal("Corp", organization=acme, person=None, amount=90_000_50, owner=other),
    }
    deal_services.move_deal(None, deals["big"], stages["Negotiation"])
    won = make_deal("Done", amount=5_000_00)
    deal_services.move_deal(None, won, stages["Won"])
    deals["won"] = won
    return deals


def test_the_list_shows_open_deals_with_sums_per_stage(sales_client, some_deals):
    response = sales_client.get("/sales/")
    text = body(response)
    assert "Small" in text and "Big" in text and "Corp" in text and "Done" not in text
    sums = response.context["sums"]
    by_stage = {row.stage.name_en: (row.count, row.total) for row in sums}
    assert by_stage == {"Qualified": (2, 91_000_50), "Negotiation": (1, 250_000_00)}
    assert "฿341,000.50" in text  # the total, with thousands separators
    assert response.context["count"] == 3


def test_the_list_filters(sales_client, some_deals, stages):
    def titles(**params):
        response = sales_client.get("/sales/", params)
        assert response.status_code == 200
        return {deal.title for deal in response.context["page"].items}

    assert titles(stage=stages["Negotiation"].pk) == {"Big"}
    assert titles(status="") == {"Small", "Big", "Corp", "Done"}
    assert titles(status="won") == {"Done"}
    assert titles(owner=some_deals["corp"].owner_id) == {"Corp"}
    assert titles(close_from="2026-06-01", close_to="2026-06-30") == {"Small"}
    assert titles(amount_min="1,000", amount_max="100000") == {"Small", "Corp"}
    assert titles(q="bi") == {"Big"}
    assert [
        d.title for d in sales_client.get("/sales/", {"sort": "amount"}).context["page"].items
    ] == [
        "Big",
        "Corp",
        "Small",
    ]


def test_bad_filters_are_named_and_left_out(sales_client, some_deals):
    response = sales_client.get("/sales/", {"amount_min": "-5", "close_from": "2569-01-01"})
    text = body(response)
    assert "An amount cannot be negative." in text
    assert "Buddhist Era" in text and "2026" in text
    assert len(response.context["page"].items) == 3


def test_the_list_pages_by_cursor(sales_client, make_deal):
    for index in range(55):
        make_deal(f"Deal {index:02d}")
    first = sales_client.get("/sales/", {"sort": "newest"})
    page = first.context["page"]
    assert len(page.items) == 50 and page.next_cursor
    rest = sales_client.get(
        "/sales/", {"sort": "newest", "cursor": page.next_cursor}, HTTP_HX_REQUEST="true"
    )
    assert [d.title for d in rest.context["page"].items] == [
        f"Deal {i:02d}" for i in range(4, -1, -1)
    ]


def test_a_view_is_saved_per_user(sales_client, some_deals, stages):
    query = f"stage={stages['Negotiation'].pk}&status=open"
    response = sales_client.post(
        "/sales/views/save/", {"name": "Closing soon", "query_string": query}
    )
    assert response.status_code == 302
    view = SavedView.objects.get(user=sales_client.user, list_name="deals")
    assert view.query_string == query
    assert "Closing soon" in body(sales_client.get("/sales/"))


# --- deal forms --------------------------------------------------------------


def test_create_a_deal_with_an_amount_as_typed(sales_client, somchai, stages):
    response = sales_client.post(
        "/sales/deals/new/",
        {
            "title": "ระบบ CRM",
            "stage": stages["Meeting"].pk,
            "person": f"#{somchai.pk} {somchai}",
            "owner": sales_client.user.pk,
            "amount": "125,000.50",
            "currency": "THB",
            "expected_close_date": "2026-09-30",
        },
    )
    deal = Deal.objects.get()
    assert response["Location"] == f"/sales/deals/{deal.pk}/"
    assert (deal.amount, deal.stage, deal.person) == (12_500_050, stages["Meeting"], somchai)
    page = body(sales_client.get(response["Location"]))
    assert "฿125,000.50" in page and "30 September 2026" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-100", "An amount cannot be negative."), ("one thousand", "Enter an amount as a number")],
)
def test_bad_amounts_are_refused_in_the_form(sales_client, somchai, stages, amount, message):
    response = sales_client.post(
        "/sales/deals/new/",
        {
            "title": "X",
            "stage": stages["Meeting"].pk,
            "person": f"#{somchai.pk}",
            "amount": amount,
            "currency": "THB",
        },
    )
    assert response.status_code == 422
    assert message in body(response)
    assert not Deal.objects.exists()


def test_a_buddhist_era_year_in_the_english_form_asks_for_the_ce_year(
    sales_client, somchai, stages
):
    response = sales_client.post(
        "/sales/deals/new/",
        {
            "title": "X",
            "stage": stages["Meeting"].pk,
            "person": f"#{somchai.pk}",
            "amount": "1",
            "currency": "THB",
            "expected_close_date": "2569-06-30",
        },
    )
    assert response.status_code == 422
    assert "Did you mean 2026?" in body(response)
    assert not Deal.objects.exists()


def test_a_buddhist_era_year_in_the_thai_form_is_converted(client, make_user, somchai, stages):
    client.force_login(make_user("somsri", language="th"))
    response = client.post(
        "/sales/deals/new/",
        {
            "title": "X",
            "stage": stages["Meeting"].pk,
            "person": f"#{somchai.pk}",
            "amount": "1",
            "currency": "THB",
            "expected_close_date": "2569-06-30",
        },
    )
    assert response.status_code == 302
    assert Deal.objects.get().expected_close_date == date(2026, 6, 30)
    page = body(client.get(response["Location"]))
    assert "30 มิถุนายน 2569" in page  # shown in the Buddhist Era again


def test_another_currency_needs_the_rate_in_the_form(sales_client, somchai, stages):
    data = {
        "title": "X",
        "stage": stages["Meeting"].pk,
        "person": f"#{somchai.pk}",
        "amount": "1000",
        "currency": "USD",
    }
    response = sales_client.post("/sales/deals/new/", data)
    assert response.status_code == 422 and "exchange rate" in body(response)
    response = sales_client.post("/sales/deals/new/", {**data, "exchange_rate": "35.5"})
    deal = Deal.objects.get()
    assert (deal.amount, deal.amount_thb) == (1000_00, 35_500_00)


def test_products_on_a_deal(sales_client, make_deal, crm_product):
    deal = make_deal(amount=0)
    response = sales_client.post(
        f"/sales/deals/{deal.pk}/products/",
        {"line-product": crm_product.pk, "line-quantity": "2", "line-unit_price": ""},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.amount == 2 * crm_product.price
    response = sales_client.post(
        f"/sales/deals/{deal.pk}/products/",
        {"line-product": crm_product.pk, "line-quantity": "1", "line-unit_price": "-3"},
    )
    assert response.status_code == 422 and "cannot be negative" in body(response)
    assert deal.lines.count() == 1


def test_move_from_the_deal_page(sales_client, make_deal, stages, other_pipeline):
    deal = make_deal()
    foreign = other_pipeline.stages.first()
    response = sales_client.post(f"/sales/deals/{deal.pk}/move/", {"move-stage": foreign.pk})
    assert response.status_code == 422 and "another pipeline" in body(response)
    response = sales_client.post(f"/sales/deals/{deal.pk}/move/", {"move-stage": stages["Lost"].pk})
    assert response.status_code == 422 and "Say why the deal was lost." in body(response)
    response = sales_client.post(
        f"/sales/deals/{deal.pk}/move/",
        {"move-stage": stages["Lost"].pk, "move-lost_reason": "Budget cut"},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.status == "lost" and deal.lost_reason == "Budget cut"


# --- the board ---------------------------------------------------------------


def test_the_board_shows_counts_and_sums_of_all_deals_but_the_first_cards(
    sales_client, make_deal, pipeline, stages
):
    for index in range(CARDS_PER_STAGE + 10):
        make_deal(f"Deal {index}", amount=100_00)
    make_deal("Later", amount=1)
    response = sales_client.get(f"/sales/board/{pipeline.pk}/")
    board = response.context["board"]
    column = next(c for c in board.columns if c.stage == stages["Qualified"])
    assert (
        column.count == CARDS_PER_STAGE + 11 and column.total == (CARDS_PER_STAGE + 10) * 100_00 + 1
    )
    assert len(column.cards) == CARDS_PER_STAGE and column.cards[0].title == "Later"
    assert body(response).count('class="deal-card"') == CARDS_PER_STAGE
    assert "11 more deals" in body(response)
    more = sales_client.get(
        f"/sales/board/stages/{stages['Qualified'].pk}/more/", {"cursor": column.next_cursor}
    )
    assert body(more).count('class="deal-card"') == 11


def test_the_board_costs_the_same_queries_for_3_deals_or_120(
    sales_client, make_deal, pipeline, stages
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert sales_client.get(f"/sales/board/{pipeline.pk}/").status_code == 200
        return len(captured)

    make_deal("First")
    for stage in ("Proposal sent", "Won"):
        deal_services.move_deal(None, make_deal(stage), stages[stage])
    few = queries()
    for index in range(120):
        deal = make_deal(f"Deal {index}")
        if index % 2:
            deal_services.move_deal(None, deal, stages["Proposal sent"])
    assert queries() == few


def test_moving_on_the_board_answers_with_the_new_sums(sales_client, make_deal, pipeline, stages):
    deal = make_deal(amount=40_000_00)
    make_deal("Stays", amount=1_000_00)
    response = sales_client.post(
        f"/sales/deals/{deal.pk}/move/",
        {"from": "board", "stage": stages["Proposal sent"].pk, "owner": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    columns = {c.stage.name_en: c for c in response.context["board"].columns}
    assert (columns["Qualified"].count, columns["Qualified"].total) == (1, 1_000_00)
    assert (columns["Proposal sent"].count, columns["Proposal sent"].total) == (1, 40_000_00)
    assert 'id="board"' in body(response) and "<html" not in body(response)
    assert "moved to Proposal sent" in body(response)


def test_a_refused_move_on_the_board_says_why_and_changes_nothing(
    sales_client, make_deal, stages, other_pipeline
):
    deal = make_deal()
    response = sales_client.post(
        f"/sales/deals/{deal.pk}/move/",
        {"from": "board", "stage": other_pipeline.stages.first().pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and "another pipeline" in body(response)
    response = sales_client.post(
        f"/sales/deals/{deal.pk}/move/", {"from": "board", "stage": stages["Lost"].pk}
    )
    assert response.status_code == 422
    assert 'name="lost_reason"' in body(response) and "Why was it lost?" in body(response)
    deal.refresh_from_db()
    assert deal.stage == stages["Qualified"] and deal.stage_changes.count() == 1


def test_my_deals_on_the_board(sales_client, make_deal, pipeline, make_user):
    make_deal("Mine", owner=sales_client.user)
    make_deal("Theirs", owner=make_user("other"))
    response = sales_client.get(f"/sales/board/{pipeline.pk}/", {"owner": sales_client.user.pk})
    assert "Mine" in body(response) and "Theirs" not in body(response)


def test_reading_the_board_is_recorded(sales_client, make_deal, pipeline):
    deal = make_deal()
    sales_client.get(f"/sales/board/{pipeline.pk}/")
    event = AuditEvent.objects.filter(action="sales.board").latest("id")
    assert event.actor == sales_client.user and event.object_id == str(deal.pk)


# --- leads -------------------------------------------------------------------


def test_lead_list_filters(sales_client, make_user):
    lead_services.create_lead(None, title="Web", first_name="A", source="web_form")
    lead_services.create_lead(
        None, title="Ref", first_name="B", source="referral", source_detail="Khun C"
    )
    lead = lead_services.create_lead(None, title="Gone", first_name="D")
    lead_services.set_lead_status(None, lead, "disqualified", reason="spam")

    def titles(**params):
        return {x.title for x in sales_client.get("/sales/leads/", params).context["page"].items}

    assert titles() == {"Web", "Ref", "Gone"}
    assert titles(source="referral") == {"Ref"}
    assert titles(status="disqualified") == {"Gone"}


def test_create_disqualify_and_convert_a_lead(sales_client, stages, crm_product):
    response = sales_client.post(
        "/sales/leads/new/",
        {
            "title": "ระบบ CRM",
            "first_name": "Noi",
            "last_name": "Jaingam",
            "email": "noi@example.com",
            "source": "web_form",
            "products": [crm_product.pk],
            "owner": sales_client.user.pk,
        },
    )
    lead = Lead.objects.get()
    assert response["Location"] == f"/sales/leads/{lead.pk}/"
    response = sales_client.post(
        f"/sales/leads/{lead.pk}/status/", {"status-status": "disqualified"}
    )
    assert response.status_code == 422 and "Say why the lead is disqualified." in body(response)
    response = sales_client.post(f"/sales/leads/{lead.pk}/status/", {"status-status": "contacted"})
    assert response.status_code == 302
    form = sales_client.get(f"/sales/leads/{lead.pk}/convert/")
    assert form.status_code == 200 and form.context["form"].initial["create_person"] is True
    response = sales_client.post(
        f"/sales/leads/{lead.pk}/convert/",
        {
            "create_person": "on",
            "channel": "web_form",
            "stage": stages["Qualified"].pk,
            "title": "CRM for Noi",
            "currency": "THB",
        },
    )
    lead.refresh_from_db()
    deal = lead.converted_deal
    assert response["Location"] == f"/sales/deals/{deal.pk}/"
    assert deal.person.first_name_en == "Noi" and deal.amount == crm_product.price
    assert "From lead" in body(sales_client.get(response["Location"]))


def test_converting_needs_someone(sales_client, stages):
    lead = lead_services.create_lead(None, title="Anonymous", email="x@example.com")
    response = sales_client.post(
        f"/sales/leads/{lead.pk}/convert/",
        {"stage": stages["Qualified"].pk, "title": "X", "currency": "THB"},
    )
    assert response.status_code == 422
    assert "Link or create a person or an organization" in body(response)
    assert not Deal.objects.exists()


# --- products and pipelines --------------------------------------------------


def test_an_admin_adds_a_product_priced_with_satang(client, admin_user):
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    response = client.post(
        "/sales/products/new/",
        {
            "code": "SUP-1Y",
            "name_th": "บริการดูแลรายปี",
            "name_en": "Yearly support",
            "price": "1,990.50",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    product = Product.objects.get(code="SUP-1Y")
    assert product.price == 199_050
    assert "฿1,990.50" in body(client.get("/sales/products/"))
    response = client.post("/sales/products/new/", {"code": "X", "name_en": "X", "price": "12.345"})
    assert response.status_code == 422 and "at most 2 decimal places" in body(response)


def test_an_admin_configures_stages(client, admin_user, pipeline, stages):
    client.force_login(admin_user)
    response = client.post(
        f"/sales/pipelines/{pipeline.pk}/stages/",
        {
            "new-stage-name_th": "ทดลองใช้",
            "new-stage-name_en": "Trial",
            "new-stage-order": "35",
            "new-stage-probability": "40",
        },
    )
    assert response.status_code == 302
    trial = Stage.objects.get(name_en="Trial")
    names = list(pipeline.stages.values_list("name_en", flat=True))
    assert names[names.index("Trial") - 1 : names.index("Trial") + 2] == [
        "Proposal sent",
        "Trial",
        "Negotiation",
    ]
    prefix = f"stage-{trial.pk}"
    response = client.post(
        f"/sales/pipelines/{pipeline.pk}/stages/{trial.pk}/",
        {
            f"{prefix}-name_th": "ทดลองใช้",
            f"{prefix}-name_en": "Trial",
            f"{prefix}-order": "35",
            f"{prefix}-probability": "140",
        },
    )
    assert response.status_code == 422
    trial.refresh_from_db()
    assert trial.probability == 40
    page = body(client.get(f"/sales/pipelines/{pipeline.pk}/"))
    assert "ทดลองใช้" in page


# --- the person page ---------------------------------------------------------


def test_the_person_page_shows_their_deals(sales_client, make_deal, somchai):
    make_deal("Renewal 2026")
    page = body(sales_client.get(f"/people/{somchai.pk}/"))
    assert "Renewal 2026" in page and f"/sales/deals/new/?person={somchai.pk}" in page


def test_timestamps_are_timezone_aware(make_deal):
    assert timezone.is_aware(make_deal().stage_changed_at)


def test_record_an_interest_on_the_person_page(sales_client, somchai, crm_product):
    response = sales_client.post(
        f"/sales/people/{somchai.pk}/interests/",
        {
            "interest-product": crm_product.pk,
            "interest-kind": "interested",
            "interest-since": "2026-03-01",
            "interest-source": "referral",
            "interest-source_detail": "Khun Malee",
        },
    )
    assert response.status_code == 302
    interest = somchai.product_interests.get()
    assert timezone.localtime(interest.since).date() == date(2026, 3, 1)
    page = body(sales_client.get(f"/people/{somchai.pk}/"))
    assert "since 1 March 2026, source: referral" in page and "Khun Malee" in page


def test_the_dashboard_filters_won_and_lost_by_date_and_leads_by_date(sales_client, some_deals):
    today = timezone.localdate()
    won = {
        d.title
        for d in sales_client.get(
            "/sales/",
            {"status": "won", "closed_from": today.isoformat(), "closed_to": today.isoformat()},
        )
        .context["page"]
        .items
    }
    assert won == {"Done"}
    earlier = (today - timedelta(days=40)).isoformat()
    response = sales_client.get("/sales/", {"status": "won", "closed_to": earlier})
    assert response.context["page"].items == []
    lead_services.create_lead(None, title="Today", first_name="A")
    leads = (
        sales_client.get(
            "/sales/leads/", {"created_from": today.isoformat(), "created_to": today.isoformat()}
        )
        .context["page"]
        .items
    )
    assert [x.title for x in leads] == ["Today"]
    assert sales_client.get("/sales/leads/", {"created_to": earlier}).context["page"].items == []
