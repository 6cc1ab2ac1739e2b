"""Record-level visibility (accounts.visibility): a sales role sees its teams'
records by default, an admin may narrow a role to its own records or widen it to
all, and every door — lists, search, detail pages, exports, the API, the board,
the dashboards — agrees. A record out of reach is answered like a missing one."""

import json
import re

import pytest
from django.test import Client

from connexion.accounts.models import RoleVisibility
from connexion.accounts.services import create_team, set_role_scope
from connexion.api.services import create_token
from connexion.audit.models import AuditEvent
from connexion.people.services import ContactDetails, create_person, create_source
from connexion.sales.models import Pipeline
from connexion.sales.services import deals as deal_services
from connexion.sales.services import leads as lead_services
from tests.exports import export_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    """Two sales teams, a person and a deal owned in each, and an unowned person."""
    noi = make_user("noi", roles=("sales",), language="en")
    mali = make_user("mali", roles=("sales",), language="en")
    krit = make_user("krit", roles=("sales",), language="en")
    create_team("North", members=[noi, mali], actor=None)
    create_team("South", members=[krit], actor=None)
    source = create_source(None, kind="direct", channel="phone")

    def person(first_name_en: str, owner, email: str):
        return create_person(
            None,
            source=source,
            first_name_th="ทดสอบ",
            first_name_en=first_name_en,
            last_name_en="Visible",
            owner=owner,
            contacts=ContactDetails(emails=[email]),
        )

    people = {
        "noi": person("Nara", noi, "nara@example.co.th"),
        "mali": person("Malai", mali, "malai@example.co.th"),
        "krit": person("Kanda", krit, "kanda@example.co.th"),
        "nobody": person("Pim", None, "pim@example.co.th"),
    }
    pipeline = Pipeline.objects.get(is_default=True)
    deals = {
        key: deal_services.create_deal(
            None,
            title=f"Deal of {key}",
            pipeline=pipeline,
            person=people[key],
            owner=people[key].owner,
            amount=10_000_00,
        )
        for key in ("noi", "krit")
    }
    leads = {
        key: lead_services.create_lead(None, title=f"Lead of {key}", first_name=key, owner=owner)
        for key, owner in (("noi", noi), ("krit", krit))
    }
    return {
        "users": {"noi": noi, "mali": mali, "krit": krit},
        "people": people,
        "deals": deals,
        "leads": leads,
    }


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def main_part(page: str) -> str:
    # The page's own content: the shell around it holds a fresh CSRF token and
    # the current address (for the language switch).
    return re.search(r"<main.*</main>", page, re.S).group(0)


def test_a_sales_user_sees_their_teams_and_unowned_people_in_the_list(world):
    page = text(signed_in(world["users"]["noi"]).get("/people/"))
    assert "Nara" in page and "Malai" in page and "Pim" in page
    assert "Kanda" not in page


def test_search_finds_nothing_out_of_reach(world):
    client = signed_in(world["users"]["noi"])
    hidden_link = f'href="/people/{world["people"]["krit"].pk}/"'
    assert hidden_link not in text(client.get("/people/", {"q": "kanda@example.co.th"}))
    assert hidden_link not in text(client.get("/people/", {"q": "Kanda"}))
    found = text(client.get("/people/", {"q": "malai@example.co.th"}))
    assert f'href="/people/{world["people"]["mali"].pk}/"' in found


def test_a_detail_page_out_of_reach_is_the_same_404_as_a_missing_one(world):
    client = signed_in(world["users"]["noi"])
    hidden = world["people"]["krit"].pk
    out_of_reach = client.get(f"/people/{hidden}/")
    missing = client.get("/people/999999/")
    assert out_of_reach.status_code == missing.status_code == 404
    assert main_part(text(out_of_reach)) == main_part(text(missing))
    # Nor can it be changed, nor linked through another page.
    assert client.post(f"/people/{hidden}/edit/", {"first_name_en": "X"}).status_code == 404
    assert client.get(f"/comms/people/{hidden}/email/").status_code == 404
    assert client.get(f"/people/{world['people']['mali'].pk}/").status_code == 200
    # Nothing was shown, so no access is logged; each attempt is, as a refusal.
    noi = world["users"]["noi"]
    assert not AuditEvent.objects.filter(
        kind=AuditEvent.Kind.ACCESS, object_id=str(hidden), actor=noi
    ).exists()
    refused = AuditEvent.objects.filter(kind=AuditEvent.Kind.REFUSED, actor=noi)
    assert refused.filter(object_type="people.person", object_id=str(hidden)).count() == 3
    assert refused.filter(object_id="999999").exists()
    assert {event.channel for event in refused} == {"ui"}


def test_exports_hold_only_what_the_user_sees(world):
    csv = text(export_people(signed_in(world["users"]["noi"]), "csv"))
    assert "nara@example.co.th" in csv and "pim@example.co.th" in csv
    assert "kanda@example.co.th" not in csv and "Kanda" not in csv


def test_the_api_agrees_with_the_pages(world, client):
    _token, raw = create_token(world["users"]["noi"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}
    listed = client.get("/api/v1/persons", **headers).json()
    names = {item["first_name_en"] for item in listed["items"]}
    assert names == {"Nara", "Malai", "Pim"}
    hidden = world["people"]["krit"]
    for response in (
        client.get(f"/api/v1/persons/{hidden.pk}", **headers),
        client.patch(
            f"/api/v1/persons/{hidden.pk}",
            json.dumps({"nickname_en": "x"}),
            content_type="application/json",
            **headers,
        ),
        client.delete(f"/api/v1/persons/{hidden.pk}", **headers),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": f"No person has the ID {hidden.pk}."}
    hidden.refresh_from_db()
    assert hidden.nickname_en == ""
    refused = AuditEvent.objects.filter(kind=AuditEvent.Kind.REFUSED, object_id=str(hidden.pk))
    assert refused.count() == 3 and {event.channel for event in refused} == {"api"}
    # A deal cannot be pinned on a person out of reach either.
    response = client.post(
        "/api/v1/deals",
        json.dumps({"title": "Sneaky", "person_id": hidden.pk, "amount": "1000"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert "person_id" in response.content.decode()
    deal = world["deals"]["krit"]
    assert client.get(f"/api/v1/deals/{deal.pk}", **headers).status_code == 404
    assert {d["title"] for d in client.get("/api/v1/deals", **headers).json()["items"]} == {
        "Deal of noi"
    }


def test_deals_leads_board_and_dashboard_show_the_teams_own(world):
    client = signed_in(world["users"]["mali"])
    deal_list = text(client.get("/sales/"))
    assert "Deal of noi" in deal_list and "Deal of krit" not in deal_list
    board = text(client.get("/sales/board/"))
    assert "Deal of noi" in board and "Deal of krit" not in board
    assert client.get(f"/sales/deals/{world['deals']['krit'].pk}/").status_code == 404
    assert client.post(f"/sales/deals/{world['deals']['krit'].pk}/delete/").status_code == 404
    assert client.get(f"/sales/leads/{world['leads']['krit'].pk}/").status_code == 404
    leads = text(client.get("/sales/leads/"))
    assert "Lead of noi" in leads and "Lead of krit" not in leads
    # The dashboard's open pipeline counts one deal of 10,000 baht, not two.
    from connexion.sales.activities.dashboards import sales_dashboard

    board = sales_dashboard(world["users"]["mali"])
    assert sum(row.count for block in board.pipelines for row in block.stages) == 1
    assert sum(row.count for block in sales_dashboard(None).pipelines for row in block.stages) == 2


def test_an_admin_narrows_a_role_to_its_own_records_from_the_roles_page(world, make_user):
    admin = make_user("boss", roles=("admin",), language="en")
    client = signed_in(admin)
    page = text(client.get("/settings/roles/"))
    assert "Records seen" in page and "Their teams&#x27; records" in page
    response = client.post("/settings/roles/", {"role": "sales", "scope": "own"}, follow=True)
    assert "Members of Sales now see: Their own records." in text(response)
    assert RoleVisibility.objects.get(role__name="sales").scope == "own"
    change = AuditEvent.objects.get(action="accounts.set_role_scope")
    assert change.actor == admin and change.details["scope"] == ["team", "own"]
    noi_page = text(signed_in(world["users"]["noi"]).get("/people/"))
    assert "Nara" in noi_page and "Pim" in noi_page and "Malai" not in noi_page
    # A scope that does not exist is refused by name, nothing changes.
    response = client.post("/settings/roles/", {"role": "sales", "scope": "everyone"}, follow=True)
    assert "Choose one of the listed scopes." in text(response)
    assert RoleVisibility.objects.get(role__name="sales").scope == "own"
    # Only staff managers reach the page.
    assert signed_in(world["users"]["noi"]).get("/settings/roles/").status_code == 403


def test_the_widest_role_wins_and_all_means_all(world, make_user):
    both = make_user("both", roles=("sales", "support"), language="en")
    page = text(signed_in(both).get("/people/"))
    assert all(name in page for name in ("Nara", "Malai", "Kanda", "Pim"))
    set_role_scope("sales", "all", actor=None)
    page = text(signed_in(world["users"]["krit"]).get("/people/"))
    assert all(name in page for name in ("Nara", "Malai", "Kanda", "Pim"))


def test_a_user_in_no_team_sees_their_own_and_the_unowned(world, make_user):
    loner = make_user("loner", roles=("sales",), language="en")
    mine = create_person(
        None,
        source=create_source(None, kind="direct", channel="phone"),
        first_name_th="ของฉัน",
        first_name_en="Mine",
        owner=loner,
    )
    page = text(signed_in(loner).get("/people/"))
    assert "Mine" in page and "Pim" in page
    assert not any(name in page for name in ("Nara", "Malai", "Kanda"))
    assert signed_in(loner).get(f"/people/{mine.pk}/").status_code == 200


def test_the_roles_page_speaks_thai(make_user):
    admin = make_user("boss", roles=("admin",), language="th")
    client = Client()
    client.force_login(admin)
    table = re.search(r"<table.*</table>", text(client.get("/settings/roles/")), re.S).group(0)
    assert "ดูข้อมูลการชำระเงินได้ (3.6)" in table and "ระเบียนของทีมตน" in table
    assert "ดูเอกสารยืนยันตัวตน" in table
    # Every label is translated: no English word is left in the table's text.
    words = re.sub(r"<[^>]+>", " ", table)
    assert not re.search(r"\b(Can|See|Add|Delete|records)\b", words)


def test_a_record_out_of_reach_cannot_be_linked_through_a_form(world):
    client = signed_in(world["users"]["noi"])
    mine, hidden = world["people"]["noi"], world["people"]["krit"]
    response = client.post(
        f"/people/{mine.pk}/relationships/",
        {"relationship-kind": "colleague", "relationship-other": f"#{hidden.pk} Kanda"},
        follow=True,
    )
    assert "Choose a record from the suggestions." in text(response)
    assert not mine.relationships.exists()
    # A teammate's record is linked as usual.
    client.post(
        f"/people/{mine.pk}/relationships/",
        {"relationship-kind": "colleague", "relationship-other": f"#{world['people']['mali'].pk}"},
    )
    assert mine.relationships.get().other == world["people"]["mali"]


def test_duplicates_pair_only_people_the_user_sees(world, make_user):
    source = create_source(None, kind="direct", channel="phone")
    for owner in (world["users"]["noi"], world["users"]["krit"]):
        create_person(
            None,
            source=source,
            first_name_th="ซ้ำ",
            first_name_en="Twin",
            last_name_en="Samename",
            owner=owner,
            contacts=ContactDetails(emails=["twin@example.co.th"]),
        )
    admin = make_user("boss", roles=("admin",), language="en")
    assert "Samename" in text(signed_in(admin).get("/people/duplicates/"))
    assert "Samename" not in text(signed_in(world["users"]["noi"]).get("/people/duplicates/"))
