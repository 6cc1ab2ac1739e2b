from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from connexion.ops.models import PeriodicTaskRun, WorkerHeartbeat
from connexion.ops.schedule import discover, enqueue_due

HEARTBEAT = "connexion.ops.tasks.worker_heartbeat"


def waiting(name: str) -> int:
    return DBTaskResult.objects.filter(task_path=name, status="READY").count()


def test_every_tasks_module_of_the_apps_is_discovered():
    assert discover()[HEARTBEAT].interval == timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_a_periodic_task_is_enqueued_once_per_interval_and_the_worker_runs_it():
    start = timezone.now()
    assert HEARTBEAT in enqueue_due(start)
    assert waiting(HEARTBEAT) == 1
    # A second scheduler pass (or a second worker's scheduler) within the interval: nothing.
    assert HEARTBEAT not in enqueue_due(start + timedelta(seconds=59))
    assert waiting(HEARTBEAT) == 1

    call_command("worker", "--batch")
    assert waiting(HEARTBEAT) == 0
    assert WorkerHeartbeat.objects.filter(backend="default").exists()

    assert HEARTBEAT in enqueue_due(start + timedelta(minutes=1))
    assert waiting(HEARTBEAT) == 1
    assert PeriodicTaskRun.objects.get(name=HEARTBEAT).last_enqueued_at == start + timedelta(
        minutes=1
    )


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_command_lists_and_runs_one_pass(capsys):
    call_command("scheduler", "--list")
    assert f"{HEARTBEAT}\tevery 0:01:00" in capsys.readouterr().out
    call_command("scheduler", "--once")
    assert f"enqueued {HEARTBEAT}" in capsys.readouterr().out
    call_command("scheduler", "--once")
    assert HEARTBEAT not in capsys.readouterr().out
