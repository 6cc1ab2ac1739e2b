from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskContext, task

from connexion.lib.periodic import every
from connexion.ops.models import WorkerHeartbeat


@every(timedelta(minutes=1))
@task(takes_context=True)
def worker_heartbeat(context: TaskContext) -> str:
    """Proves a worker is taking tasks; /healthz reports the last one."""
    backend = context.task_result.backend
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(backend=backend, defaults={"last_seen_at": now})
    return now.isoformat()
