"""Task reminders: due ones are delivered once, in the application and by
email through the background worker, to a real SMTP server."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus

from connexion.accounts.models import User
from connexion.ops.schedule import discover
from connexion.sales.activities import services as activity_services
from connexion.sales.models import Reminder, Task
from connexion.sales.tasks import send_due_reminders
from tests.sales import activity_helpers as helpers
from tests.smtp_server import smtp_server

malee = helpers.malee


@pytest.fixture
def smtp(settings):
    with smtp_server(settings) as inbox:
        yield inbox


def _task(staff, person, *, remind_in: timedelta, title: str = "Call Malee back") -> Task:
    task = activity_services.create_task(
        staff,
        title=title,
        assignee=staff,
        person=person,
        due_at=timezone.now() + timedelta(hours=2),
        remind_at=timezone.now() + timedelta(minutes=5),
    )
    # Move the reminder time to when the test needs it (the service refuses past times).
    Task.objects.filter(pk=task.pk).update(remind_at=timezone.now() + remind_in)
    return task


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_due_reminder_once(smtp, make_user, malee):
    staff = make_user("wichai", language="en", first_name="Wichai")
    due = _task(staff, malee, remind_in=timedelta(minutes=-1))
    _task(staff, malee, remind_in=timedelta(hours=1), title="Not yet")

    result = send_due_reminders.enqueue()
    call_command("worker", "--batch")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1

    [received] = smtp.messages
    assert received.envelope_to == ["wichai@example.co.th"]
    assert received.subject == "Reminder: Call Malee back"
    assert "About: มาลี ศรีสุข" in received.text
    assert "/sales/tasks/mine/" in received.text
    reminder = Reminder.objects.get()
    assert (reminder.user, reminder.task_id) == (staff, due.pk)
    assert reminder.emailed_at is not None and reminder.read_at is None
    due.refresh_from_db()
    assert due.reminder_sent_at is not None

    # A second sweep finds nothing new.
    second = send_due_reminders.enqueue()
    call_command("worker", "--batch")
    second.refresh()
    assert second.return_value == 0
    assert len(smtp.messages) == 1 and Reminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_thai_user_gets_dates_in_the_buddhist_era(smtp, make_user, malee):
    staff = make_user("somsri", language="th")
    _task(staff, malee, remind_in=timedelta(seconds=-5))
    assert send_due_reminders.call() == 1
    [received] = smtp.messages
    # The due date is written in the Buddhist Era, as the Thai interface shows it.
    due = timezone.localtime(Task.objects.get().due_at)
    assert str(due.year + 543) in received.text
    assert str(due.year) not in received.text


def test_done_tasks_and_deactivated_assignees_get_no_reminder(smtp, make_user, malee):
    staff = make_user()
    done = _task(staff, malee, remind_in=timedelta(minutes=-1))
    activity_services.set_task_done(staff, done, True)
    gone = make_user("left")
    _task(gone, malee, remind_in=timedelta(minutes=-1))
    User.objects.filter(pk=gone.pk).update(is_active=False)
    assert activity_services.send_due_reminders() == 0
    assert smtp.messages == [] and not Reminder.objects.exists()


def test_a_relay_failure_is_recorded_and_the_reminder_still_shows(smtp, make_user, malee):
    smtp.refuse_with = "550 Mailbox unavailable"
    staff = make_user()
    _task(staff, malee, remind_in=timedelta(minutes=-1))
    assert activity_services.send_due_reminders() == 1
    reminder = Reminder.objects.get()
    assert reminder.emailed_at is None and "550" in reminder.email_error
    # Sent at most once: the next sweep does not retry into the same failure.
    smtp.refuse_with = None
    assert activity_services.send_due_reminders() == 0
    assert smtp.messages == []


def test_the_sweep_is_a_periodic_task_of_the_worker():
    schedule = discover()
    periodic = schedule["connexion.sales.tasks.send_due_reminders"]
    assert periodic.interval == timedelta(minutes=1)
