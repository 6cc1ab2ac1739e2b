"""One timeline per person, organization and deal: every kind of event,
newest first, filtered by kind, paged by keyset, and with a fixed number of
queries per page however many items there are (no N+1)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.comms.models import OutgoingEmail
from connexion.people.models import LifecycleChange
from connexion.privacy.ledger.services import give_consent, withdraw_consent
from connexion.privacy.models import PrivacyNotice, Purpose, RequestEvent, SubjectRequest
from connexion.sales.activities import services as activity_services
from connexion.sales.activities.timeline import KINDS, PAGE_SIZE, timeline_page
from connexion.sales.models import Activity, Note, Task
from connexion.sales.services import deals as deal_services
from tests.sales import activity_helpers as helpers

malee, source_person, deal_for, default_pipeline = (
    helpers.malee,
    helpers.source_person,
    helpers.deal_for,
    helpers.default_pipeline,
)


def _fill(person, staff, deal, count: int, start) -> None:
    """`count` items of each kind the person's timeline mixes, one minute apart."""
    marketing = Purpose.objects.get(code="direct-marketing")
    # Consents are given under the notice in effect at the time: make it older.
    PrivacyNotice.objects.update(effective_at=start - timedelta(days=1))
    stamps = [start + timedelta(minutes=i) for i in range(count)]
    made = Activity.objects.bulk_create(
        Activity(kind="call", subject=f"Call {i}", occurred_at=at, person=person, created_by=staff)
        for i, at in enumerate(stamps)
    )
    for activity in made:
        activity.staff_participants.add(staff)
    Note.objects.bulk_create(
        Note(body_html=f"<p>Note {i}</p>", person=person, author=staff) for i in range(count)
    )
    Task.objects.bulk_create(
        Task(title=f"Task {i}", person=person, assignee=staff, created_by=staff)
        for i in range(count)
    )
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            person=person,
            to_address="malee@example.co.th",
            purpose=marketing,
            language="th",
            subject=f"Mail {i}",
            body="...",
            sent_by=staff,
            sent_at=at,
            status="sent",
        )
        for i, at in enumerate(stamps)
    )
    LifecycleChange.objects.bulk_create(
        LifecycleChange(person=person, stage="customer", changed_by=staff) for _ in range(count)
    )
    request = SubjectRequest.objects.create(
        reference=f"REQ-{count}",
        kind="access",
        channel="email",
        person=person,
        requester_name="Malee",
        language="th",
        description="ขอสำเนาข้อมูล",
        received_at=start,
        due_at=start + timedelta(days=30),
    )
    RequestEvent.objects.bulk_create(
        RequestEvent(
            request=request, kind="status", to_status="received", actor=staff, occurred_at=at
        )
        for at in stamps
    )
    for index in range(0, count - 1, 2):
        give_consent(None, person, marketing, wording="ยินยอม", channel="web_form", at=stamps[index])
        withdraw_consent(None, person, marketing, channel="privacy_center", at=stamps[index + 1])
    # Every kind at the same instants, so that each page mixes all of them.
    for model, field in (
        (Note, "created_at"),
        (Task, "created_at"),
        (LifecycleChange, "changed_at"),
    ):
        rows = model.objects.filter(person=person).order_by("id")
        for stamp, row in zip(stamps, rows, strict=False):
            model.objects.filter(pk=row.pk).update(**{field: stamp})
    stage = default_stage_after(deal)
    deal_services.move_deal(staff, deal, stage)


def default_stage_after(deal):
    return (
        deal.pipeline.stages.filter(is_won=False, is_lost=False).exclude(pk=deal.stage_id).first()
    )


# The member of staff each kind of entry names.
WHO = {
    "activity": "created_by",
    "note": "author",
    "task": "assignee",
    "email": "sent_by",
    "stage": "changed_by",
    "lifecycle": "changed_by",
    "consent": "recorded_by",
    "request": "actor",
}


def _queries_for_first_page(staff, person) -> int:
    # The user's permissions are read once per request (the view's own check).
    staff.get_all_permissions()
    with CaptureQueriesContext(connection) as captured:
        page = timeline_page(staff, "person", person)
        assert len(page.entries) == PAGE_SIZE
        for entry in page.entries:
            # What the templates read of each entry, with its links.
            str(getattr(entry.item, WHO[entry.kind]) or "")
            if entry.kind == "activity":
                list(entry.item.participants.all())
                list(entry.item.staff_participants.all())
            if entry.kind == "stage":
                str(entry.item.deal), str(entry.item.to_stage), str(entry.item.from_stage)
            if entry.kind == "consent":
                str(entry.item.purpose), str(entry.item.notice.version)
            if entry.kind == "request":
                str(entry.item.request.reference)
            if entry.kind == "email":
                str(entry.item.purpose)
    return len(captured.captured_queries)


def test_the_queries_per_page_do_not_grow_with_the_items(make_user, malee, source_person, deal_for):
    staff = make_user()
    start = timezone.now() - timedelta(days=10)
    few_deal = deal_for(malee)
    _fill(malee, staff, few_deal, 10, start)
    many_deal = deal_for(source_person)
    _fill(source_person, staff, many_deal, 200, start)
    assert Activity.objects.filter(person=source_person).count() == 200

    few = _queries_for_first_page(staff, malee)
    many = _queries_for_first_page(staff, source_person)
    assert few == many
    # The keys of every kind (one UNION ALL on PostgreSQL, one query per source
    # on SQLite), the rows of each kind on the page, the page's participants
    # (two), the access log.
    kinds = len(KINDS)
    keys = 1 if connection.features.supports_slicing_ordering_in_compound else kinds + 1
    assert many == keys + kinds + 2 + 1


def test_the_page_mixes_every_kind_newest_first(make_user, malee, deal_for):
    staff = make_user()
    deal = deal_for(malee)
    _fill(malee, staff, deal, 3, timezone.now() - timedelta(days=1))
    page = timeline_page(staff, "person", malee, page_size=100)
    kinds = {entry.kind for entry in page.entries}
    assert kinds == {
        "activity",
        "note",
        "task",
        "email",
        "stage",
        "lifecycle",
        "consent",
        "request",
    }
    keys = [entry.key for entry in page.entries]
    assert keys == sorted(keys, reverse=True)
    assert page.next_cursor is None


def test_paging_visits_every_item_once_even_with_equal_times(make_user, malee):
    staff = make_user()
    same = timezone.now() - timedelta(hours=1)
    Activity.objects.bulk_create(
        Activity(kind="call", subject=f"Call {i}", occurred_at=same, person=malee)
        for i in range(30)
    )
    Note.objects.bulk_create(Note(body_html=f"<p>{i}</p>", person=malee) for i in range(30))
    Note.objects.filter(person=malee).update(created_at=same)
    seen, cursor, pages = [], None, 0
    while True:
        page = timeline_page(
            staff, "person", malee, kinds=["activity", "note"], cursor=cursor, page_size=7
        )
        seen += [(entry.kind, entry.pk) for entry in page.entries]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 60
    assert pages == 9


def test_filters_by_kind(make_user, malee):
    staff = make_user()
    activity_services.log_activity(
        staff, kind="visit", subject="Visit", occurred_at=timezone.now(), person=malee
    )
    activity_services.add_note(staff, body="A note", person=malee)
    page = timeline_page(staff, "person", malee, kinds=["note"])
    assert [entry.kind for entry in page.entries] == ["note"]
    assert page.selected == ["note"]
    # An unknown kind is ignored rather than hiding everything.
    page = timeline_page(staff, "person", malee, kinds=["nonsense"])
    assert {entry.kind for entry in page.entries} >= {"note", "activity"}


def test_a_participant_sees_the_activity_on_their_timeline(make_user, malee, source_person):
    staff = make_user()
    activity = activity_services.log_activity(
        staff,
        kind="meeting",
        subject="Joint meeting",
        occurred_at=timezone.now(),
        person=malee,
        participants=[source_person, malee],
    )
    theirs = timeline_page(staff, "person", source_person)
    assert [(entry.kind, entry.pk) for entry in theirs.entries if entry.kind == "activity"] == [
        ("activity", activity.pk)
    ]
    # Subject and participant at once: shown once.
    mine = timeline_page(staff, "person", malee, kinds=["activity"])
    assert [entry.pk for entry in mine.entries] == [activity.pk]


def test_organization_and_deal_timelines(make_user, malee, deal_for):
    staff = make_user()
    deal = deal_for(malee)
    activity_services.log_activity(
        staff, kind="call", subject="On the deal", occurred_at=timezone.now(), deal=deal
    )
    page = timeline_page(staff, "deal", deal)
    assert {entry.kind for entry in page.entries} == {"activity", "stage"}
    assert page.kinds == ["activity", "note", "task", "stage"]


def test_reading_a_timeline_is_recorded(make_user, malee):
    staff = make_user()
    timeline_page(staff, "person", malee)
    event = AuditEvent.objects.get(action="sales.view_timeline")
    assert event.actor == staff and event.object_id == str(malee.pk)


@pytest.mark.parametrize("cursor", ["garbage", "bm90IGpzb24", "WzEsMiwzXQ"])
def test_a_broken_cursor_starts_from_the_top(make_user, malee, cursor):
    staff = make_user()
    activity_services.add_note(staff, body="A note", person=malee)
    page = timeline_page(staff, "person", malee, cursor=cursor)
    assert [entry.kind for entry in page.entries][:1] in (["note"], ["lifecycle"])
