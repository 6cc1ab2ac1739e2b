"""The 72-hour breach clock warns the privacy officers at 48 and 64 hours and when
it runs out: by email once each, and in the top bar of every page until the
regulator is notified."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from connexion.ops.schedule import discover
from connexion.privacy.ledger import breach_alerts
from connexion.privacy.ledger.services import record_breach, record_breach_notification
from connexion.privacy.models import BreachAlert

pytestmark = pytest.mark.django_db


def breach(hours_ago: float, *, risk: str = "risk", title: str = "Laptop lost"):
    aware = timezone.now() - timedelta(hours=hours_ago)
    return record_breach(
        None,
        title=title,
        description="A laptop with the customer list was left in a taxi.",
        occurred_at=aware - timedelta(hours=1),
        aware_at=aware,
        categories=["3.1", "3.2"],
        people_affected=120,
        risk=risk,
        risk_reasoning="names and phone numbers, no identity numbers",
    )


def test_the_officers_are_warned_once_at_each_threshold(make_user):
    officer = make_user("dpo", roles=("privacy_officer",), language="en")
    make_user("seller", roles=("sales",))
    lost = breach(49)
    breach(49, risk="none", title="Harmless")  # assessed as no risk: no notice, no alert

    assert breach_alerts.send_breach_alerts() == 1
    assert breach_alerts.send_breach_alerts() == 0  # once
    (message,) = mail.outbox
    assert message.to == [officer.email]
    assert message.subject == "Breach Laptop lost: 24 hours left to notify the regulator"
    assert f"/data-protection/breaches/{lost.pk}/" in message.body

    later = timezone.now() + timedelta(hours=16)
    assert breach_alerts.send_breach_alerts(later) == 1
    assert "8 hours left" in mail.outbox[-1].subject
    out = timezone.now() + timedelta(hours=24)
    assert breach_alerts.send_breach_alerts(out) == 1
    assert "have run out" in mail.outbox[-1].subject
    assert list(BreachAlert.objects.values_list("hours", flat=True).order_by("hours")) == [
        48,
        64,
        72,
    ]


def test_a_breach_recorded_late_gets_only_its_most_urgent_alert(make_user):
    make_user("dpo", roles=("privacy_officer",), language="th")
    breach(70)
    assert breach_alerts.send_breach_alerts() == 1
    assert BreachAlert.objects.get().hours == 64
    assert "เหลือ 8 ชั่วโมง" in mail.outbox[0].subject  # in the officer's language


def test_the_top_bar_shows_the_alert_to_the_privacy_area_until_notified(make_user):
    lost = breach(50)
    officer, seller = Client(), Client()
    officer.force_login(make_user("dpo", roles=("privacy_officer",), language="en"))
    seller.force_login(make_user("seller", roles=("sales",), language="en"))
    shown = officer.get("/").content.decode()
    assert 'data-testid="breach-alert"' in shown and "Laptop lost" in shown
    assert 'data-testid="breach-alert"' not in seller.get("/").content.decode()
    record_breach_notification(None, lost, regulator_notified_at=timezone.now())
    assert 'data-testid="breach-alert"' not in officer.get("/").content.decode()
    assert breach_alerts.send_breach_alerts() == 0


def test_the_alerts_are_checked_every_quarter_hour():
    periodic = discover()["connexion.privacy.breach_tasks.send_breach_alerts"]
    assert periodic.interval == timedelta(minutes=15)
