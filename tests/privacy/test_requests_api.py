"""The data-subject request API at /api/v1/requests: create, list, read,
move through the states, notes and assignment; 422s name the field."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from connexion.api.services import create_token
from connexion.audit.models import AuditEvent
from connexion.privacy.models import SubjectRequest
from connexion.privacy.subject_requests import intake
from tests.privacy.request_support import open_by_api

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client: Client, token: str, language: str = "en") -> None:
        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language, "HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, **self.headers)

    def post(self, path: str, body: Any):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", **self.headers
        )

    def put(self, path: str, body: Any):
        return self.client.put(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", **self.headers
        )


@pytest.fixture
def api_for(client, make_user):
    def make(username: str = "dpo", roles: tuple[str, ...] = ("privacy_officer",)) -> Api:
        user = make_user(username, roles=roles)
        _token, raw = create_token(user)
        api = Api(client, raw)
        api.user = user  # type: ignore[attr-defined]
        return api

    return make


def fields_of(response) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_an_integrator_puts_a_request_into_the_queue(api_for, person):
    api = api_for()
    response = api.post(
        "/requests",
        {
            "kind": "rectification",
            "requester_name": "สมศรี ใจดี",
            "requester_email": "Somsri@Example.co.th",
            "language": "th",
            "description": "ชื่อสะกดผิด",
            "proposed_changes": {"first_name_th": "สมศรีย์"},
            "assigned_to": "dpo",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    request = SubjectRequest.objects.get()
    assert body["reference"] == request.reference
    assert body["channel"] == "api" and body["status"] == "received"
    assert body["person_id"] == person.pk
    assert body["requester_email"] == "somsri@example.co.th"
    assert body["days_left"] == 30 and body["overdue"] is False
    assert body["assigned_to"] == "dpo"
    assert intake.follow_request(request.reference, body["status_secret"]) == request
    assert mail.outbox[0].to == ["somsri@example.co.th"]
    assert AuditEvent.objects.get(action="privacy.request_open").channel == "api"


def test_bad_fields_are_named_in_a_422(api_for, person):
    api = api_for()
    response = api.post(
        "/requests",
        {
            "kind": "rectification",
            "requester_name": "Somsri",
            "requester_email": "not-an-email",
            "language": "en",
            "description": "fix",
            "proposed_changes": {"shoe_size": "42"},
            "person_id": 999999,
        },
    )
    assert response.status_code == 422
    assert fields_of(response) == {"person_id": "No person has the ID 999999."}
    response = api.post(
        "/requests",
        {
            "kind": "rectification",
            "requester_name": "Somsri",
            "requester_email": "not-an-email",
            "language": "en",
            "description": "fix",
            "proposed_changes": {"shoe_size": "42"},
        },
    )
    assert response.status_code == 422
    assert fields_of(response) == {
        "requester_email": "Enter a valid email address.",
        "proposed_changes.shoe_size": "This detail cannot be corrected through a request.",
    }
    response = api.post("/requests", {"kind": "gossip", "language": "fr", "colour": "red"})
    assert response.status_code == 422
    assert {"kind", "language", "requester_name", "description", "colour"} <= set(
        fields_of(response)
    )
    assert SubjectRequest.objects.count() == 0


def test_the_queue_lists_open_requests_by_days_left_with_filters(api_for, person):
    api = api_for()
    now = timezone.now()
    later = open_by_api(api.user, received_at=now - timedelta(days=1))
    overdue = open_by_api(api.user, kind="erasure", received_at=now - timedelta(days=35))
    body = api.get("/requests").json()
    assert [item["reference"] for item in body["items"]] == [overdue.reference, later.reference]
    assert body["items"][0]["overdue"] is True and body["items"][0]["days_left"] == -5
    assert body["count"] == 2 and body["next_page"] is None
    assert [i["reference"] for i in api.get("/requests", {"overdue": "true"}).json()["items"]] == [
        overdue.reference
    ]
    assert api.get("/requests", {"kind": "access"}).json()["count"] == 1
    paged = api.get("/requests", {"limit": 1}).json()
    assert (len(paged["items"]), paged["next_page"]) == (1, 2)
    assert api.get("/requests", {"page": 5}).json()["items"] == []
    wrong = api.get("/requests", {"assigned_to": "ghost"})
    assert wrong.status_code == 422
    assert fields_of(wrong) == {"assigned_to": "No staff user has the username ghost."}


def test_transitions_follow_the_state_machine(api_for, person):
    api = api_for()
    request = open_by_api(api.user, language="en")
    path = f"/requests/{request.pk}/transitions"

    refused = api.post(path, {"to": "completed"})
    assert refused.status_code == 422
    assert fields_of(refused) == {
        "to": "The requester's identity is not verified: a request cannot be completed "
        "before it is."
    }
    assert api.post(path, {"to": "in_progress"}).status_code == 422
    assert api.post(path, {"to": "verifying"}).json()["status"] == "verifying"
    no_reason = api.post(path, {"to": "rejected"})
    assert fields_of(no_reason) == {"reason": "Give the lawful reason for rejecting the request."}
    assert fields_of(api.post(path, {"to": "done"})).keys() == {"to"}
    rejected = api.post(path, {"to": "rejected", "reason": "Not our customer's data (s.30)"})
    assert rejected.status_code == 200
    assert rejected.json()["rejection_reason"] == "Not our customer's data (s.30)"
    detail = api.get(f"/requests/{request.pk}").json()
    assert [e["to_status"] for e in detail["events"] if e["kind"] == "status"] == [
        "rejected",
        "verifying",
        "received",
    ]
    assert api.get("/requests/999999").status_code == 404


def test_notes_and_assignment(api_for, make_user, person):
    api = api_for()
    request = open_by_api(api.user)
    note = api.post(f"/requests/{request.pk}/notes", {"text": "Called back"})
    assert note.status_code == 201 and note.json()["actor"] == "dpo"
    assert fields_of(api.post(f"/requests/{request.pk}/notes", {"text": ""})).keys() == {"text"}
    make_user("seller", roles=("sales",))
    refused = api.put(f"/requests/{request.pk}/assignment", {"assigned_to": "seller"})
    assert fields_of(refused) == {
        "assigned_to": "This staff member has no access to the privacy area."
    }
    assert (
        api.put(f"/requests/{request.pk}/assignment", {"assigned_to": "dpo"}).json()["assigned_to"]
        == "dpo"
    )
    assert (
        api.put(f"/requests/{request.pk}/assignment", {"assigned_to": None}).json()["assigned_to"]
        is None
    )


def test_the_requests_api_needs_the_privacy_area(api_for):
    api = api_for("sales1", roles=("sales",))
    assert api.get("/requests").status_code == 403
    body = {
        "kind": "access",
        "requester_name": "x",
        "requester_email": "x@example.com",
        "language": "en",
        "description": "x",
    }
    assert api.post("/requests", body).status_code == 403
