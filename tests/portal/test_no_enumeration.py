"""Nothing tells a visitor whether an email or phone belongs to someone we
hold data about: the same answer, the same messages, and the same work (the
same database queries, so the same timing class) for a customer's address and
for an unknown one."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connexion.privacy.models import SubjectRequest
from tests.portal.conftest import started_value

pytestmark = pytest.mark.django_db

KNOWN = "somsri@example.co.th"
UNKNOWN = "nobody-here@example.co.th"


def normalized(html: str) -> str:
    """The page without what differs on every view: tokens and time stamps."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    html = re.sub(r'name="started" value="[^"]+"', "", html)
    return html


def ask_code(client, email):
    page = client.get("/privacy/consents/")
    started = started_value(page.content.decode())
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/privacy/consents/", {"channel": "email", "email": email, "started": started}
        )
    return response, len(queries)


def test_asking_for_a_code_answers_the_same_for_a_customer_and_a_stranger(client, person):
    known, known_queries = ask_code(client, KNOWN)
    known_page = client.get(known["Location"]).content.decode()
    client.cookies.pop("sessionid", None)
    unknown, unknown_queries = ask_code(client, UNKNOWN)
    unknown_page = client.get(unknown["Location"]).content.decode()

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known_queries == unknown_queries
    mask = re.compile(r"[a-z]\*\*\*@example\.co\.th")
    assert mask.sub("…", normalized(known_page)) == mask.sub("…", normalized(unknown_page))
    # Both got the same message, but for the code.
    first, second = mail.outbox
    assert first.subject == second.subject
    assert re.sub(r"\d{6}", "", first.body) == re.sub(r"\d{6}", "", second.body)


def submit(client, email):
    page = client.get("/privacy/request/")
    data = {
        "kind": "access",
        "requester_name": "Somsri",
        "email": email,
        "send_code_by": "email",
        "description": "A copy of my data, please.",
        "started": started_value(page.content.decode()),
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/privacy/request/", data)
    return response, queries


def test_a_request_answers_the_same_for_a_customer_and_a_stranger(client, person):
    known, known_queries = submit(client, KNOWN)
    sent_for_known = [m.subject for m in mail.outbox]
    known_page = client.get(known["Location"]).content.decode()
    mail.outbox.clear()
    unknown, unknown_queries = submit(client, UNKNOWN)
    sent_for_unknown = [m.subject for m in mail.outbox]
    unknown_page = client.get(unknown["Location"]).content.decode()

    assert SubjectRequest.objects.get(requester_email=KNOWN).person == person
    assert SubjectRequest.objects.get(requester_email=UNKNOWN).person is None
    assert known.status_code == unknown.status_code == 302
    numbers = re.compile(r"DSR-\d{4}-\d{5}")
    assert [numbers.sub("#", s) for s in sent_for_known] == [
        numbers.sub("#", s) for s in sent_for_unknown
    ]
    same = re.compile(r"DSR-\d{4}-\d{5}|/privacy/request/follow/[^/\"]+/")
    assert same.sub("#", normalized(known_page)) == same.sub("#", normalized(unknown_page))
    # The same statements, in the same order; the match of a customer reads that
    # person by its key once more (one primary-key read: the same timing class).
    shapes = [re.sub(r"\d+|'[^']*'", "?", q["sql"]) for q in known_queries.captured_queries]
    others = [re.sub(r"\d+|'[^']*'", "?", q["sql"]) for q in unknown_queries.captured_queries]
    extra = [q for q in shapes if q not in others or shapes.count(q) > others.count(q)]
    assert len(known_queries) - len(unknown_queries) <= 1
    assert all('"people_person"' in q for q in extra)


def test_a_web_form_answers_the_same_for_a_customer_and_a_stranger(client, make_user, person):
    from connexion.portal.services import save_web_form

    form = save_web_form(
        make_user("dpo", roles=("privacy_officer",)),
        name_th="ติดต่อเรา",
        name_en="Contact us",
        fields=[{"field": "first_name", "required": True}, {"field": "email", "required": True}],
    )
    url = f"/privacy/forms/{form.key}/"
    answers = []
    for email in (KNOWN, UNKNOWN):
        page = client.get(url)
        response = client.post(
            url,
            {
                "first_name": "Somsri",
                "email": email,
                "started": started_value(page.content.decode()),
            },
        )
        answers.append((response.status_code, normalized(response.content.decode())))
    assert answers[0] == answers[1]
