"""The timeline panel and its htmx forms on the person, organization and deal
pages; "my tasks", the task list and the reminders page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connexion.accounts.models import User
from connexion.sales.activities import services as activity_services
from connexion.sales.models import Activity, Note, Reminder, Task
from tests.sales import activity_helpers as helpers

malee, deal_for, default_pipeline = helpers.malee, helpers.deal_for, helpers.default_pipeline
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff(client, make_user):
    user = make_user("sales1", roles=("sales",), language="en", first_name="Wichai")
    client.force_login(user)
    return user


def _new(subject_type, subject, item):
    return reverse("sales:item_new", args=[subject_type, subject.pk, item])


def test_the_person_page_embeds_the_timeline(client, staff, malee):
    activity_services.log_activity(
        staff, kind="call", subject="Asked for a quote", occurred_at=timezone.now(), person=malee
    )
    html = client.get(reverse("people:person_detail", args=[malee.pk])).content.decode()
    assert 'id="timeline-panel"' in html
    assert "Asked for a quote" in html
    assert "Log a call" in html
    assert reverse("comms:send_email", args=[malee.pk]) in html


def test_logging_a_call_with_htmx_returns_the_new_timeline(client, staff, malee):
    form = client.get(_new("person", malee, "activity") + "?kind=call", **HTMX)
    assert 'value="call" selected' in form.content.decode()
    response = client.post(
        _new("person", malee, "activity"),
        {
            "kind": "call",
            "subject": "Price question",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "12",
            "outcome": "Quote sent",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="timeline-entries"' in html and "Price question" in html
    assert "Call logged." in html  # in the emptied form slot, out of band
    activity = Activity.objects.get()
    assert (activity.person, activity.duration_minutes, activity.created_by) == (malee, 12, staff)


def test_a_negative_duration_comes_back_in_the_form(client, staff, malee):
    response = client.post(
        _new("person", malee, "activity"),
        {
            "kind": "call",
            "subject": "x",
            "occurred_at": "2026-01-05T10:00",
            "duration_minutes": "-3",
        },
        **HTMX,
    )
    assert response["HX-Retarget"] == "#timeline-form"
    assert "The duration cannot be negative." in response.content.decode()
    assert not Activity.objects.exists()


def test_without_htmx_a_bad_form_is_a_422_page(client, staff, malee):
    response = client.post(_new("person", malee, "activity"), {"kind": "call", "subject": ""})
    assert response.status_code == 422
    assert "Say in a few words what it was about." in response.content.decode()


def test_a_note_with_a_script_is_stored_clean_and_the_author_told(client, staff, malee):
    response = client.post(
        _new("person", malee, "note"),
        {"body": '<p onclick="steal()">Likes <strong>blue</strong></p><script>steal()</script>'},
        **HTMX,
    )
    html = response.content.decode()
    assert Note.objects.get().body_html == "<p>Likes <strong>blue</strong></p>"
    assert "Some formatting was removed to keep the note safe: onclick, &lt;script&gt;" in html
    assert "steal()" not in html


def test_a_task_for_a_deactivated_user_is_refused_in_the_form(client, staff, malee, make_user):
    gone = make_user("left", first_name="Somsak", last_name="Gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    response = client.post(
        _new("person", malee, "task"),
        {"title": "Call back", "assignee": gone.pk, "priority": "normal"},
        **HTMX,
    )
    assert "Somsak Gone&#x27;s account is deactivated" in response.content.decode()
    assert not Task.objects.exists()
    # The empty form offers only active staff.
    form = client.get(_new("person", malee, "task"), **HTMX).content.decode()
    assert f'value="{gone.pk}"' not in form


def test_edit_and_delete_from_the_timeline(client, staff, malee):
    activity = activity_services.log_activity(
        staff, kind="call", subject="Old", occurred_at=timezone.now(), person=malee
    )
    url = reverse("sales:item_edit", args=["person", malee.pk, "activity", activity.pk])
    assert "Old" in client.get(url, **HTMX).content.decode()
    client.post(
        url,
        {"kind": "meeting", "subject": "New", "occurred_at": "2026-01-05T10:00"},
        **HTMX,
    )
    activity.refresh_from_db()
    assert (activity.kind, activity.subject) == ("meeting", "New")
    delete = reverse("sales:item_delete", args=["person", malee.pk, "activity", activity.pk])
    response = client.post(delete, **HTMX)
    assert "New" not in response.content.decode().split('id="timeline-entries"')[1]
    assert not Activity.objects.exists()


def test_the_deal_page_needs_the_deals_permission(client, make_user, malee, deal_for):
    deal = deal_for(malee)
    client.force_login(make_user("support1", roles=("support",)))
    assert client.get(reverse("sales:timeline", args=["deal", deal.pk])).status_code == 403
    assert client.get(reverse("sales:timeline", args=["person", malee.pk])).status_code == 200
    assert client.get(reverse("sales:timeline", args=["planet", 1])).status_code == 404


def test_my_tasks_groups_by_due_time_and_toggles(client, staff, malee, make_user):
    now = timezone.now()
    overdue = activity_services.create_task(
        staff, title="Late", assignee=staff, person=malee, due_at=now - timedelta(days=1)
    )
    activity_services.create_task(
        staff, title="Later", assignee=staff, person=malee, due_at=now + timedelta(days=3)
    )
    activity_services.create_task(staff, title="Someday", assignee=staff, person=malee)
    activity_services.create_task(
        staff, title="Not mine", assignee=make_user("other"), person=malee
    )
    html = client.get(reverse("sales:my_tasks")).content.decode()
    overdue_block = html.split('data-testid="tasks-overdue"')[1].split("</section>")[0]
    upcoming_block = html.split('data-testid="tasks-upcoming"')[1].split("</section>")[0]
    assert "Late" in overdue_block and "Later" in upcoming_block
    assert "Someday" in html and "Not mine" not in html

    response = client.post(reverse("sales:task_done", args=[overdue.pk]), {"done": "1"}, **HTMX)
    assert 'aria-pressed="true"' in response.content.decode()
    overdue.refresh_from_db()
    assert overdue.done_at is not None


def test_the_task_list_filters_as_the_dashboard_links_say(client, staff, malee, make_user):
    other = make_user("other")
    now = timezone.now()
    activity_services.create_task(
        staff, title="Mine late", assignee=staff, person=malee, due_at=now - timedelta(hours=2)
    )
    activity_services.create_task(
        staff, title="Theirs late", assignee=other, person=malee, due_at=now - timedelta(hours=2)
    )
    activity_services.create_task(
        staff, title="Mine later", assignee=staff, person=malee, due_at=now + timedelta(days=2)
    )
    html = client.get(reverse("sales:task_list"), {"status": "overdue"}).content.decode()
    assert "Mine late" in html and "Theirs late" in html and "Mine later" not in html
    html = client.get(
        reverse("sales:task_list"), {"status": "overdue", "assignee": other.pk}
    ).content.decode()
    assert "Theirs late" in html and "Mine late" not in html


def test_the_bell_counts_unread_reminders(client, staff, malee):
    task = activity_services.create_task(staff, title="Ring", assignee=staff, person=malee)
    Reminder.objects.create(user=staff, task=task, due_at=timezone.now())
    html = client.get(reverse("ui:home")).content.decode()
    assert 'class="reminder-bell has-unread"' in html and '<span class="count">1</span>' in html
    assert "Ring" in client.get(reverse("sales:reminders")).content.decode()
    client.post(reverse("sales:reminders"))
    assert not Reminder.objects.filter(read_at__isnull=True).exists()
    assert '<span class="count">' not in client.get(reverse("ui:home")).content.decode()


def test_ticking_a_task_on_the_timeline_answers_with_its_entry(client, staff, malee):
    task = activity_services.create_task(staff, title="Send brochure", assignee=staff, person=malee)
    response = client.post(
        reverse("sales:task_done", args=[task.pk]),
        {"done": "1", "view": "timeline", "subject_type": "person", "subject_id": malee.pk},
        **HTMX,
    )
    html = response.content.decode()
    assert 'data-testid="entry-task"' in html and 'aria-pressed="true"' in html
    assert reverse("sales:item_edit", args=["person", malee.pk, "task", task.pk]) in html


def test_editing_keeps_participants_not_related_to_the_subject(client, staff, malee, make_user):
    from connexion.people.services import create_person, create_source

    guest = create_person(
        None, source=create_source(None, kind="direct", channel="phone"), first_name_th="แขก"
    )
    activity = activity_services.log_activity(
        staff,
        kind="meeting",
        subject="Lunch",
        occurred_at=timezone.now(),
        person=malee,
        participants=[guest],
    )
    url = reverse("sales:item_edit", args=["person", malee.pk, "activity", activity.pk])
    form = client.get(url, **HTMX).content.decode()
    assert f'value="{guest.pk}"' in form and "checked" in form.split(f'value="{guest.pk}"')[1][:40]
    client.post(
        url,
        {
            "kind": "meeting",
            "subject": "Lunch",
            "occurred_at": "2026-01-05T12:00",
            "participants": [guest.pk],
        },
        **HTMX,
    )
    assert list(activity.participants.all()) == [guest]
