from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connexion.audit.models import AppendOnlyError, AuditEvent
from connexion.audit.services import record_access
from connexion.audit.tasks import purge_expired_audit_events
from connexion.people.models import Person
from connexion.people.services import create_person, create_source

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/156"


@pytest.fixture
def person(db) -> Person:
    source = create_source(None, kind="direct", channel="phone")
    return create_person(None, source=source, first_name_th="สมศรี", last_name_th="ใจดี")


@pytest.fixture
def officer(make_user):
    return make_user("officer", roles=("privacy_officer",), language="en")


def test_a_read_through_the_web_records_who_when_and_from_where(client, make_user, person):
    sales = make_user("sales1")
    client.force_login(sales)
    response = client.get(
        reverse("people:person_detail", args=[person.pk]),
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="people.detail", object_id=str(person.pk))
    assert (event.actor, event.channel, event.ip_address, event.user_agent) == (
        sales,
        "ui",
        "203.0.113.7",
        BROWSER,
    )


def test_outside_a_request_no_origin_is_invented(make_user, person):
    event = record_access(make_user("sales1"), "test.read", "people.person", [str(person.pk)])
    assert event.ip_address is None and event.user_agent == ""


def test_the_application_cannot_change_or_delete_the_log(make_user, person):
    event = record_access(make_user("sales1"), "test.read", "people.person", [str(person.pk)])
    event.action = "something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="edited")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == "test.read"


def test_the_log_keeps_its_own_retention_period(settings, make_user, person):
    settings.AUDIT_RETENTION_DAYS = 90
    user = make_user("sales1")
    old = record_access(user, "test.old", "people.person", [str(person.pk)])
    recent = record_access(user, "test.recent", "people.person", [str(person.pk)])
    # Back-dating is itself a write the application never does: done here with SQL's help.
    AuditEvent.objects.filter(pk=old.pk).redact(occurred_at=timezone.now() - timedelta(days=91))
    AuditEvent.objects.filter(pk=recent.pk).redact(occurred_at=timezone.now() - timedelta(days=89))
    assert purge_expired_audit_events.call() == 1
    remaining = AuditEvent.objects.filter(action__startswith="test.")
    assert list(remaining.values_list("action", flat=True)) == ["test.recent"]


def test_only_roles_with_the_audit_permission_search_the_log(client, make_user, officer):
    client.force_login(make_user("sales1"))
    assert client.get(reverse("audit:log")).status_code == 403
    client.force_login(officer)
    assert client.get(reverse("audit:log")).status_code == 200


def test_search_by_staff_member_person_and_date(client, make_user, officer, person):
    sales, support = make_user("sales1"), make_user("support1", roles=("support",))
    other = create_person(None, source=person.source, first_name_en="Other")
    record_access(sales, "people.detail", "people.person", [str(person.pk)])
    record_access(support, "people.detail", "people.person", [str(person.pk)])
    record_access(sales, "people.detail", "people.person", [str(other.pk)])
    client.force_login(officer)

    def actions(**query) -> list[tuple[str, str]]:
        page = client.get(reverse("audit:log"), query).context["page"]
        return [(e.actor.username, e.object_id) for e in page.events if e.action == "people.detail"]

    assert actions(actor=sales.pk) == [("sales1", str(other.pk)), ("sales1", str(person.pk))]
    assert actions(person=person.pk) == [("support1", str(person.pk)), ("sales1", str(person.pk))]
    today = timezone.localdate()
    assert len(actions(since=today.isoformat(), until=today.isoformat())) == 3
    assert actions(until=(today - timedelta(days=1)).isoformat()) == []
    bad = client.get(reverse("audit:log"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.context["page"] is None
    assert bad.context["form"].errors["until"] == ["The end date is before the start date."]


def test_search_pages_by_older_entries(client, officer, person, settings):
    from connexion.audit import selectors

    settings.DEBUG = False
    for _ in range(selectors.PAGE_SIZE + 5):
        record_access(officer, "test.read", "people.person", [str(person.pk)])
    client.force_login(officer)
    first = client.get(reverse("audit:log"), {"action": "test.read"}).context["page"]
    assert len(first.events) == selectors.PAGE_SIZE and first.next_before
    rest = client.get(
        reverse("audit:log"), {"action": "test.read", "before": first.next_before}
    ).context["page"]
    assert len(rest.events) == 5 and rest.next_before is None
    assert {e.pk for e in first.events}.isdisjoint({e.pk for e in rest.events})


def test_changes_show_field_by_field(client, officer, person):
    from connexion.people import services

    services.update_person(officer, person, nickname_th="ศรี")
    client.force_login(officer)
    page = client.get(reverse("audit:log"), {"person": person.pk, "kind": "change"}).context["page"]
    assert ("nickname (Thai)", "", "ศรี") in [
        (str(label), before, after) for e in page.events for label, before, after in e.rows
    ]


def test_who_viewed_this_record(client, make_user, officer, person):
    sales = make_user("sales1")
    client.force_login(sales)
    client.get(reverse("people:person_detail", args=[person.pk]), REMOTE_ADDR="198.51.100.4")
    # A role without the permission learns nothing, not even whether the record exists.
    viewers_url = reverse("audit:person_viewers", args=[person.pk])
    assert client.get(viewers_url).status_code == 404
    assert (
        "Who viewed this record"
        not in client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    )

    client.force_login(officer)
    assert (
        "Who viewed this record"
        in client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    )
    html = client.get(viewers_url).content.decode()
    assert sales.display_name() in html and "198.51.100.4" in html
    assert client.get(reverse("audit:person_viewers", args=[person.pk + 999])).status_code == 404


def test_a_change_named_after_a_reverse_relation_shows_under_its_name(client, officer):
    from connexion.audit.services import record_change

    # New recovery codes are logged on the user under the name of the relation.
    record_change(
        officer, "accounts.new_recovery_codes", officer, {"recovery_codes": ["***", "***"]}
    )
    client.force_login(officer)
    response = client.get(reverse("audit:log"), {"kind": "change"})
    assert response.status_code == 200
    rows = [row for event in response.context["page"].events for row in event.rows]
    assert ("recovery_codes", "***", "***") in rows
