"""The breach clock's alerts (PDPA s.37(4)): checked every quarter of an hour."""

from datetime import timedelta

from django_tasks import task

from connexion.lib.periodic import every
from connexion.privacy.ledger import breach_alerts


@every(timedelta(minutes=15))
@task()
def send_breach_alerts() -> int:
    """Warns the privacy officers at 48 and 64 hours and when the 72 run out."""
    return breach_alerts.send_breach_alerts()
