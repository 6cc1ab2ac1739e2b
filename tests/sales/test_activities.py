"""Activities, tasks and notes: the services refuse bad input with a message
naming the field, write nothing then, and record each change in the audit log."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from connexion.accounts.models import User
from connexion.audit.models import AuditEvent
from connexion.sales.activities import services as activity_services
from connexion.sales.models import Activity, Note, Task
from tests.sales import activity_helpers as helpers

moment = helpers.moment
# The shared fixtures, by assignment (pytest finds them in this module).
malee, source_person, deal_for, default_pipeline = (
    helpers.malee,
    helpers.source_person,
    helpers.deal_for,
    helpers.default_pipeline,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_log_a_call_with_participants_and_an_audit_entry(make_user, malee, source_person):
    staff = make_user("wichai")
    colleague = make_user("somsri")
    activity = activity_services.log_activity(
        staff,
        kind="call",
        subject="  Asked about   the price ",
        occurred_at=moment(hours=-1),
        duration_minutes=15,
        outcome="Sends a quote",
        person=malee,
        participants=[source_person],
        staff_participants=[colleague],
    )
    activity.refresh_from_db()
    assert activity.subject == "Asked about the price"
    assert activity.created_by == staff
    assert list(activity.participants.all()) == [source_person]
    assert list(activity.staff_participants.all()) == [colleague]
    event = AuditEvent.objects.get(action="sales.log_activity")
    assert event.actor == staff and event.object_id == str(activity.pk)
    assert event.details["duration_minutes"] == [None, 15]


def test_an_activity_on_a_deal_also_belongs_to_its_person(make_user, malee, deal_for):
    deal = deal_for(malee)
    activity = activity_services.log_activity(
        make_user(), kind="meeting", subject="Demo", occurred_at=moment(), deal=deal
    )
    assert activity.person == malee and activity.deal == deal


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"duration_minutes": -5}, "duration_minutes", "The duration cannot be negative."),
        (
            {"duration_minutes": 99_999},
            "duration_minutes",
            "The duration cannot be longer than a week (10080 minutes).",
        ),
        ({"kind": "telepathy"}, "kind", "Choose the kind of activity."),
        ({"subject": "   "}, "subject", "Say in a few words what it was about."),
        ({"occurred_at": None}, "occurred_at", "Give the date and time."),
        (
            {"person": None},
            "person",
            "Link it to a person, an organization, a lead or a deal.",
        ),
    ],
)
def test_bad_activities_are_refused_by_field(make_user, malee, values, field, message):
    fields = {
        "kind": "call",
        "subject": "Call",
        "occurred_at": moment(),
        "person": malee,
        **values,
    }
    with pytest.raises(ValidationError) as error:
        activity_services.log_activity(make_user(), **fields)
    assert error.value.message_dict[field] == [message]
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.filter(action="sales.log_activity").exists()


def test_a_refused_change_leaves_the_activity_as_it_was(make_user, malee):
    staff = make_user()
    activity = activity_services.log_activity(
        staff, kind="call", subject="Call", occurred_at=moment(), duration_minutes=10, person=malee
    )
    with pytest.raises(ValidationError):
        activity_services.update_activity(staff, activity, subject="New", duration_minutes=-1)
    activity.refresh_from_db()
    assert (activity.subject, activity.duration_minutes) == ("Call", 10)
    activity_services.update_activity(staff, activity, outcome="Interested")
    activity.refresh_from_db()
    assert activity.outcome == "Interested"
    assert AuditEvent.objects.get(action="sales.update_activity").details == {
        "outcome": ["", "Interested"]
    }


def test_a_task_cannot_go_to_a_deactivated_user(make_user, malee):
    gone = make_user("left", first_name="Prayut", last_name="Left")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        activity_services.create_task(make_user(), title="Call back", assignee=gone, person=malee)
    assert error.value.message_dict == {
        "assignee": [
            "Prayut Left's account is deactivated: assign the task to an active member of staff."
        ]
    }
    assert not Task.objects.exists()


def test_reassigning_to_a_deactivated_user_is_refused_and_nothing_changes(make_user, malee):
    staff = make_user()
    task = activity_services.create_task(staff, title="Call back", assignee=staff, person=malee)
    gone = make_user("left")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        activity_services.update_task(staff, task, assignee=gone, title="Changed")
    assert "deactivated" in error.value.message_dict["assignee"][0]
    task.refresh_from_db()
    assert task.assignee == staff and task.title == "Call back"


def test_reminder_times_are_checked(make_user, malee):
    staff = make_user()
    base = {"title": "Send quote", "assignee": staff, "person": malee}
    with pytest.raises(ValidationError) as error:
        activity_services.create_task(staff, remind_at=moment(days=-1), **base)
    assert error.value.message_dict["remind_at"] == ["The reminder time has already passed."]
    with pytest.raises(ValidationError) as error:
        activity_services.create_task(
            staff, due_at=moment(days=1), remind_at=moment(days=2), **base
        )
    assert error.value.message_dict["remind_at"] == [
        "The reminder must come before the task is due."
    ]
    with pytest.raises(ValidationError) as error:
        activity_services.create_task(staff, title="x", person=malee, remind_at=moment(hours=1))
    assert error.value.message_dict["assignee"] == [
        "A reminder needs someone to remind: assign the task."
    ]


def test_a_new_reminder_time_is_sent_again(make_user, malee):
    staff = make_user()
    task = activity_services.create_task(
        staff, remind_at=moment(hours=1), title="x", assignee=staff, person=malee
    )
    Task.objects.filter(pk=task.pk).update(reminder_sent_at=timezone.now())
    task.refresh_from_db()
    activity_services.update_task(staff, task, remind_at=moment(hours=2))
    task.refresh_from_db()
    assert task.reminder_sent_at is None


def test_done_and_reopened(make_user, malee):
    staff = make_user()
    task = activity_services.create_task(staff, title="Send quote", assignee=staff, person=malee)
    activity_services.set_task_done(staff, task, True)
    task.refresh_from_db()
    assert task.done_at is not None
    activity_services.set_task_done(staff, task, True)  # twice: no second entry
    activity_services.set_task_done(staff, task, False)
    task.refresh_from_db()
    assert task.done_at is None
    actions = list(
        AuditEvent.objects.filter(object_type="sales.task").values_list("action", flat=True)
    )
    assert sorted(actions) == ["sales.complete_task", "sales.create_task", "sales.reopen_task"]


XSS_PAYLOADS = [
    '<script>alert("x")</script>Hello',
    '<img src=x onerror="alert(1)">Hello',
    '<p onclick="alert(1)">Hello</p>',
    '<a href="javascript:alert(1)">Hello</a>',
    '<a href="JaVaScRiPt:alert(1)">Hello</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Hello</a>',
    "<svg><script>alert(1)</script></svg>Hello",
    '<iframe src="https://evil.example"></iframe>Hello',
    "<style>body{display:none}</style>Hello",
    '<p style="background:url(javascript:alert(1))">Hello</p>',
    '<a href="https://ok.example" onmouseover="alert(1)">Hello</a>',
    "<scr<script>ipt>alert(1)</script>Hello",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>"
    "</mglyph></table></mtext></math>Hello",
    "<!--<script>alert(1)</script>-->Hello",
    '<form action="https://evil.example"><input name="x"></form>Hello',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_script_or_event_handler_can_be_stored(make_user, malee, payload):
    note = activity_services.add_note(make_user(), body=payload, person=malee)
    stored = Note.objects.get(pk=note.pk).body_html.lower()
    for forbidden in (
        "<script",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "<iframe",
        "<style",
        "<svg",
        "<img",
        "data:",
        "<form",
        "<input",
        "style=",
    ):
        assert forbidden not in stored, (payload, stored)
    assert "hello" in stored
    assert note.removed, "the author is told what was removed"


def test_simple_formatting_is_kept(make_user, malee):
    body = (
        "<p>Met <strong>Khun Malee</strong>, <em>very</em> keen:</p>"
        "<ul><li>price</li><li>support</li></ul><ol><li>one</li></ol>"
        '<p>See <a href="https://example.co.th/offer">the offer</a> or '
        '<a href="mailto:sales@example.co.th">write</a>.<br>Thanks</p>'
    )
    note = activity_services.add_note(make_user(), body=body, person=malee)
    html = note.body_html
    for kept in (
        "<strong>Khun Malee</strong>",
        "<em>very</em>",
        "<ul><li>price</li>",
        "<ol>",
        'href="https://example.co.th/offer"',
        'href="mailto:sales@example.co.th"',
        "<br>",
    ):
        assert kept in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert note.removed == []


def test_plain_text_becomes_escaped_paragraphs(make_user, malee):
    note = activity_services.add_note(
        make_user(), body="Line one\nLine < two\n\nPara & more", person=malee
    )
    assert note.body_html == "<p>Line one<br>Line &lt; two</p>\n\n<p>Para &amp; more</p>"


def test_an_empty_or_all_removed_note_is_refused(make_user, malee):
    for body in ("", "   ", "<script>alert(1)</script>"):
        with pytest.raises(ValidationError) as error:
            activity_services.add_note(make_user(f"u{len(body)}"), body=body, person=malee)
        assert error.value.message_dict == {"body": ["Write the note."]}
    assert not Note.objects.exists()


def test_editing_a_note_sanitizes_again(make_user, malee):
    staff = make_user()
    note = activity_services.add_note(staff, body="First", person=malee)
    activity_services.update_note(staff, note, body='<p onclick="x()">Second<script>1</script></p>')
    note.refresh_from_db()
    assert note.body_html == "<p>Second</p>"


def test_deleting_is_recorded(make_user, malee):
    staff = make_user()
    note = activity_services.add_note(staff, body="Private", person=malee)
    activity_services.delete_note(staff, note)
    assert not Note.objects.exists()
    assert AuditEvent.objects.filter(action="sales.delete_note").exists()
    assert timedelta(0) <= timezone.now() - AuditEvent.objects.latest("id").occurred_at
