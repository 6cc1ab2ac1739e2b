"""The 30-day clock (PDPA s.30): due dates, days left, and the warnings at 7, 3
and 1 days left, each sent once, by the periodic task."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from connexion.ops.schedule import discover
from connexion.privacy.request_tasks import send_request_deadline_warnings
from connexion.privacy.subject_requests import deadlines, rules, selectors, verification, workflow
from tests.privacy.request_support import open_by_api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def officer(make_user):
    return make_user("dpo", roles=("privacy_officer",), language="th")


@pytest.fixture
def admin(make_user):
    return make_user("admin", roles=("admin",), language="en")


def test_days_left_count_calendar_days_in_bangkok(officer):
    # Received at 23:00 Bangkok time on 1 March: due at 23:00 on 31 March.
    request = open_by_api(officer, received_at=datetime(2026, 3, 1, 16, 0, tzinfo=UTC))
    assert request.due_at == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    on = datetime(2026, 3, 24, 1, 0, tzinfo=UTC)  # 08:00 on 24 March in Bangkok
    assert rules.days_left(request, on) == 7
    assert selectors.clock(request, on).state == "soon"
    due_day = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert (rules.days_left(request, due_day), selectors.clock(request, due_day).state) == (
        0,
        "today",
    )
    late = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)
    clock = selectors.clock(request, late)
    assert (clock.state, clock.days_left, clock.overdue_days) == ("overdue", -2, 2)
    assert rules.is_overdue(request, late)
    assert selectors.clock(request, datetime(2026, 3, 5, tzinfo=UTC)).state == "running"


def test_warnings_at_7_3_and_1_days_go_to_the_assignee_and_the_officers_once_each(
    officer, admin, make_user
):
    # An officer without an address: nobody to write to.
    type(officer).objects.filter(pk=make_user("dpo2", roles=("privacy_officer",)).pk).update(
        email=""
    )
    # Early in a local day, so that "five hours later" below is still the same day.
    now = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    seven = open_by_api(officer, received_at=now - timedelta(days=23), assigned_to=admin)
    two = open_by_api(officer, received_at=now - timedelta(days=28))
    twenty = open_by_api(officer, received_at=now - timedelta(days=10))
    closed = open_by_api(officer, kind="complaint", received_at=now - timedelta(days=29))
    workflow.start_work(officer, closed)
    workflow.complete_request(officer, closed)
    mail.outbox.clear()

    assert deadlines.send_deadline_warnings(now) == 2
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == [
        ("admin@example.co.th", f"7 days left: data-subject request {seven.reference}"),
        ("dpo@example.co.th", f"เหลืออีก 2 วัน: คำขอของเจ้าของข้อมูล {two.reference}"),
        ("dpo@example.co.th", f"เหลืออีก 7 วัน: คำขอของเจ้าของข้อมูล {seven.reference}"),
    ]
    english = next(m for m in mail.outbox if m.to == ["admin@example.co.th"])
    assert f"/data-protection/requests/{seven.pk}/" in english.body
    for request in (seven, two, twenty, closed):
        request.refresh_from_db()
    # Entered late, the 2-day request gets the 3-day warning only, and not the 7-day one later.
    assert (seven.warnings_sent, two.warnings_sent, twenty.warnings_sent) == ([7], [7, 3], [])
    warning = two.events.get(kind="warning")
    assert warning.details == {"threshold": 3, "days_left": 2, "to": ["dpo"]}

    mail.outbox.clear()
    assert deadlines.send_deadline_warnings(now) == 0
    assert deadlines.send_deadline_warnings(now + timedelta(hours=5)) == 0
    assert mail.outbox == []

    later = now + timedelta(days=4)
    assert deadlines.send_deadline_warnings(later) == 2
    subjects = sorted(m.subject for m in mail.outbox if m.to == ["admin@example.co.th"])
    assert subjects == [f"3 days left: data-subject request {seven.reference}"]
    overdue = next(m for m in mail.outbox if two.reference in m.subject)
    assert overdue.subject.startswith("เกินกำหนดแล้ว")
    assert "เกินกำหนดมาแล้ว 2 วัน" in overdue.body
    assert deadlines.send_deadline_warnings(later) == 0

    assert deadlines.send_deadline_warnings(now + timedelta(days=6)) == 1
    seven.refresh_from_db()
    assert seven.warnings_sent == [7, 3, 1]
    assert seven.events.filter(kind="warning").count() == 3
    closed.refresh_from_db()
    assert closed.warnings_sent == []


def test_the_hourly_task_runs_the_warnings_against_the_database(officer):
    open_by_api(officer, received_at=timezone.now() - timedelta(days=27, hours=1))
    mail.outbox.clear()
    assert send_request_deadline_warnings.call() == 1
    assert send_request_deadline_warnings.call() == 0
    assert len(mail.outbox) == 1
    periodic = discover()["connexion.privacy.request_tasks.send_request_deadline_warnings"]
    assert periodic.interval == timedelta(hours=1)


def test_the_daily_task_purges_old_codes_except_those_of_open_requests(officer):
    from connexion.privacy.models import OneTimeCode
    from connexion.privacy.request_tasks import purge_one_time_codes

    open_request = open_by_api(officer)
    closed = open_by_api(officer)
    verification.send_verification_code(officer, open_request, channel="email")
    verification.send_verification_code(officer, closed, channel="email")
    workflow.reject_request(officer, closed, reason="Duplicate of another request")
    verification.issue_one_time_code("consents", "email", "somsri@example.co.th")
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(days=2))
    verification.issue_one_time_code("consents", "email", "fresh@example.com")

    assert purge_one_time_codes.call() == 2
    assert set(OneTimeCode.objects.values_list("request", flat=True)) == {None, open_request.pk}
    assert discover()["connexion.privacy.request_tasks.purge_one_time_codes"].interval == (
        timedelta(days=1)
    )


def test_a_mail_relay_down_marks_nothing_sent_and_the_next_run_warns(officer, settings):
    import socket

    request = open_by_api(officer, received_at=timezone.now() - timedelta(days=24))
    # A port nobody listens on: the relay refuses the connection.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    assert deadlines.send_deadline_warnings() == 0
    request.refresh_from_db()
    assert request.warnings_sent == []
    assert not request.events.filter(kind="warning").exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert deadlines.send_deadline_warnings() == 1
    request.refresh_from_db()
    assert request.warnings_sent == [7]
