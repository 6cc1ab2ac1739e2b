import pytest
import redis
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus

from connexion.ops.models import WorkerHeartbeat
from connexion.ops.tasks import worker_heartbeat

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_an_enqueued_task():
    result = worker_heartbeat.enqueue()
    assert result.status == TaskResultStatus.READY
    call_command("worker", "--batch")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert WorkerHeartbeat.objects.get(backend="default").last_seen_at.isoformat() == (
        result.return_value
    )


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_through_redis_with_the_rq_worker():
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    rq_settings = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        "RQ_QUEUES": {"default": {"URL": REDIS_URL}},
    }
    with override_settings(**rq_settings):
        result = worker_heartbeat.enqueue()
        # The job really sits in Redis until a worker takes it.
        assert connection.llen("rq:queue:default") == 1
        call_command("worker", "--batch")
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
    assert connection.llen("rq:queue:default") == 0
    assert WorkerHeartbeat.objects.filter(backend="default").exists()
    connection.flushdb()
