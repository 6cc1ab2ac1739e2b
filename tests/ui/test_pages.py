import pytest
from django.utils import timezone

from connexion.lib.thai import format_date

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


def test_static_files_are_served_without_a_cdn(client, make_user):
    client.force_login(make_user("somsri"))
    body = client.get("/").content.decode()
    assert "/static/ui/htmx.min.js" in body and "https://" not in body.split("<body")[0]
    assert client.get("/static/ui/htmx.min.js").status_code == 200
