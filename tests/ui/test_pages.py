from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.lib.thai import format_date
from connexion.ops.demo import load_demo_data

pytestmark = pytest.mark.django_db


def test_pages_need_a_sign_in(client):
    for path in ["/", "/people/", "/organizations/", "/deals/", "/settings/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/sign-in/?next=")


def test_unknown_route_gets_a_404_page_in_thai(client):
    response = client.get("/no/such/page", HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 404
    body = response.content.decode()
    assert "ไม่พบหน้า" in body and "Traceback" not in body


def test_unknown_route_gets_a_404_page_in_english(client):
    response = client.get("/no/such/page", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_home_shows_today_in_the_buddhist_era_in_thai(client, make_user):
    client.force_login(make_user("somsri", language="th"))
    body = client.get("/").content.decode()
    today = timezone.localdate()
    assert format_date(today, "th") in body
    assert str(today.year + 543) in body


def test_home_shows_a_gregorian_date_in_english(client, make_user):
    client.force_login(make_user("john", language="en"))
    body = client.get("/").content.decode()
    assert format_date(timezone.localdate(), "en") in body


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (
            "sales",
            ["People", "Organizations", "Deals", "Inbox"],
            ["Privacy", "Billing", "Settings"],
        ),
        ("billing", ["People", "Billing"], ["Deals", "Privacy", "Settings"]),
        ("privacy_officer", ["People", "Privacy"], ["Deals", "Billing", "Settings"]),
        ("admin", ["People", "Deals", "Inbox", "Privacy", "Billing", "Settings"], []),
    ],
)
def test_navigation_shows_only_the_areas_of_the_role(client, make_user, role, visible, hidden):
    client.force_login(make_user(f"u_{role}", roles=(role,), language="en"))
    body = client.get("/").content.decode()
    nav = body.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    for label in visible:
        assert f">{label}</a>" in nav, label
    for label in hidden:
        assert f">{label}</a>" not in nav, label


def test_an_area_outside_the_role_is_not_found(client, make_user):
    client.force_login(make_user("sam", roles=("support",)))
    assert client.get("/billing/").status_code == 404
    assert client.get("/inbox/").status_code == 200


def test_navigation_is_thai_for_a_thai_user(client, make_user):
    client.force_login(make_user("anong", roles=("admin",), language="th"))
    nav = client.get("/").content.decode().split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    for thai_label in ["บุคคล", "องค์กร", "ดีล", "กล่องข้อความ", "ความเป็นส่วนตัว", "ตั้งค่า"]:
        assert thai_label in nav, thai_label


def test_people_list_shows_demo_people_and_records_the_access(signed_in: Client):
    load_demo_data(people=60, organizations=3)
    response = signed_in.get("/people/")
    assert response.status_code == 200
    assert len(response.context["page"].items) == 50
    assert response.context["page"].next_cursor is not None
    event = AuditEvent.objects.filter(kind="access", action="people.list").latest("id")
    assert event.actor == signed_in.user  # type: ignore[attr-defined]
    assert len(event.details["ids"]) == 50


def test_people_search_in_thai_and_by_phone_in_any_format(signed_in: Client):
    load_demo_data(people=20, organizations=2)
    from connexion.people.models import Person

    person = Person.objects.exclude(first_name_th="").first()
    number = person.phonenumbers.get().number  # +66XXXXXXXXX
    local = "0" + number[3:]
    for query in [
        person.first_name_th,
        person.last_name_th[:3],
        person.first_name_en,
        local,
        f"{local[:3]}-{local[3:6]}-{local[6:]}",
        number,
    ]:
        response = signed_in.get("/people/", {"q": query}, HTTP_HX_REQUEST="true")
        assert person in response.context["page"].items, query
        # htmx gets the rows alone, not the whole page.
        assert "<html" not in response.content.decode()


def test_people_list_pages_with_a_keyset_cursor(signed_in: Client):
    load_demo_data(people=120, organizations=2)
    first = signed_in.get("/people/").context["page"]
    second = signed_in.get("/people/", {"cursor": first.next_cursor}).context["page"]
    assert {p.pk for p in first.items}.isdisjoint({p.pk for p in second.items})
    assert max(p.pk for p in second.items) < min(p.pk for p in first.items)


def test_organizations_list_and_search(signed_in: Client):
    load_demo_data(people=5, organizations=3)
    response = signed_in.get("/organizations/", {"q": "โอเพนคลาวด์"})
    names = [o.name_th for o in response.context["page"].items]
    assert names == ["บริษัท โอเพนคลาวด์ จำกัด"]


def test_people_are_hidden_from_staff_without_the_permission(client, make_user):
    client.force_login(make_user("norole", roles=()))
    assert client.get("/people/").status_code == 403


def test_static_files_are_served_without_a_cdn(client, make_user):
    client.force_login(make_user("somsri"))
    body = client.get("/").content.decode()
    assert "/static/ui/htmx.min.js" in body and "https://" not in body.split("<body")[0]
    assert client.get("/static/ui/htmx.min.js").status_code == 200


def test_birth_date_of_demo_people_is_never_in_the_future():
    load_demo_data(people=40, organizations=1)
    from connexion.people.models import Person

    assert not Person.objects.filter(date_of_birth__gt=date.today()).exists()
