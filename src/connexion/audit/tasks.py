from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from connexion.audit.models import AuditEvent
from connexion.lib.periodic import every


@every(timedelta(days=1))
@task()
def purge_expired_audit_events() -> int:
    """The audit log is kept CONNEXION_AUDIT_RETENTION_DAYS, then deleted."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    return AuditEvent.objects.purge_older_than(cutoff)
