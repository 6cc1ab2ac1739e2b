"""The activities API: /api/v1/activities, /api/v1/tasks and /api/v1/notes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connexion.accounts.models import User
from connexion.api.services import create_token
from connexion.audit.models import AuditEvent
from connexion.people.services import create_person, create_source
from connexion.sales.models import Activity, Note, Task
from tests.api.test_people_api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, make_user) -> Api:
    user = make_user("sales1", roles=("sales",))
    _token, raw = create_token(user)
    api = Api(client, raw)
    api.user = user  # type: ignore[attr-defined]
    return api


@pytest.fixture
def person(db):
    source = create_source(None, kind="direct", channel="phone")
    return create_person(None, source=source, first_name_th="มาลี", last_name_th="ศรีสุข")


def _iso(delta: timedelta = timedelta(0)) -> str:
    return (timezone.now() + delta).isoformat()


def test_log_list_change_and_delete_an_activity(api, person):
    response = api.post(
        "/activities",
        {
            "kind": "call",
            "subject": "Asked about prices",
            "occurred_at": _iso(),
            "duration_minutes": 20,
            "person_id": person.pk,
            "staff_participant_ids": [api.user.pk],
        },
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["person_id"] == person.pk and created["staff_participant_ids"] == [api.user.pk]
    assert AuditEvent.objects.filter(action="sales.log_activity", channel="api").exists()

    listed = api.get("/activities", {"person": person.pk}).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]

    changed = api.patch(f"/activities/{created['id']}", {"outcome": "Will buy"})
    assert changed.status_code == 200 and changed.json()["outcome"] == "Will buy"
    assert api.delete(f"/activities/{created['id']}").status_code == 204
    assert not Activity.objects.exists()


def test_a_negative_duration_is_a_422_naming_the_field(api, person):
    response = api.post(
        "/activities",
        {
            "kind": "call",
            "subject": "x",
            "occurred_at": _iso(),
            "duration_minutes": -10,
            "person_id": person.pk,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "duration_minutes", "in": "body", "message": "The duration cannot be negative."}
    ]
    assert not Activity.objects.exists()


def test_unknown_links_and_kinds_are_refused(api):
    response = api.post(
        "/activities",
        {"kind": "call", "subject": "x", "occurred_at": _iso(), "person_id": 999_999},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "person_id"
    response = api.post(
        "/activities", {"kind": "séance", "subject": "x", "occurred_at": _iso(), "person_id": 1}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "kind"


def test_activities_page_with_a_cursor(api, person):
    start = timezone.now() - timedelta(days=1)
    Activity.objects.bulk_create(
        Activity(
            kind="call", subject=f"c{i}", occurred_at=start + timedelta(minutes=i), person=person
        )
        for i in range(7)
    )
    seen, cursor = [], None
    while True:
        params = {"limit": 3, "person": person.pk, **({"cursor": cursor} if cursor else {})}
        page = api.get("/activities", params).json()
        seen += [item["subject"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"c{i}" for i in reversed(range(7))]
    assert api.get("/activities", {"cursor": "nonsense"}).status_code == 422


def test_tasks_refuse_a_deactivated_assignee_and_tick_done(api, person, make_user):
    gone = make_user("left")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    response = api.post(
        "/tasks", {"title": "Call back", "assignee_id": gone.pk, "person_id": person.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "assignee_id"
    assert "deactivated" in response.json()["errors"][0]["message"]
    assert not Task.objects.exists()

    response = api.post(
        "/tasks",
        {
            "title": "Call back",
            "assignee_id": api.user.pk,
            "person_id": person.pk,
            "due_at": _iso(timedelta(hours=-1)),
        },
    )
    task = response.json()
    assert response.status_code == 201 and task["done"] is False
    overdue = api.get("/tasks", {"status": "overdue", "assignee": api.user.pk}).json()
    assert [item["id"] for item in overdue["items"]] == [task["id"]]
    done = api.patch(f"/tasks/{task['id']}", {"done": True}).json()
    assert done["done"] is True and done["done_at"]
    assert api.get("/tasks", {"status": "overdue"}).json()["items"] == []


def test_notes_are_sanitized_and_say_what_was_removed(api, person):
    response = api.post(
        "/notes",
        {"body": '<p>Hi <img src=x onerror="alert(1)"><em>there</em></p>', "person_id": person.pk},
    )
    assert response.status_code == 201
    note = response.json()
    assert note["body_html"] == "<p>Hi <em>there</em></p>"
    assert note["removed"] == ["<img>"]
    assert Note.objects.get().body_html == "<p>Hi <em>there</em></p>"
    assert api.get("/notes", {"person": person.pk}).json()["items"][0]["id"] == note["id"]
    empty = api.patch(f"/notes/{note['id']}", {"body": "<script>x</script>"})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "body"


def test_a_token_without_the_activities_scope_is_refused(client, make_user, person):
    user = make_user("narrow", roles=("sales",))
    _token, raw = create_token(user, scopes=["people:read"])
    response = Api(client, raw).get("/activities")
    assert response.status_code == 403


def test_a_role_without_people_access_is_refused(client, make_user):
    user = make_user("nobody", roles=())
    _token, raw = create_token(user)
    assert Api(client, raw).get("/tasks").status_code == 403
