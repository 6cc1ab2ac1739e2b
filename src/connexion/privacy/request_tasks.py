"""Background work of the request queue: the deadline warnings (PDPA s.30)."""

from datetime import timedelta

from django_tasks import task

from connexion.lib.periodic import every
from connexion.privacy.subject_requests import deadlines


@every(timedelta(hours=1))
@task()
def send_request_deadline_warnings() -> int:
    """Warns the assignee and the privacy officers at 7, 3 and 1 days left;
    each warning once. Returns how many requests were warned about."""
    return deadlines.send_deadline_warnings()


@every(timedelta(days=1))
@task()
def purge_one_time_codes() -> int:
    """Data minimization: the hashes of old codes go once they cannot matter."""
    return deadlines.purge_one_time_codes()
