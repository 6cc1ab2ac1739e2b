"""Declaring periodic tasks. A task says how often it runs with `@every(...)`:

    @every(timedelta(hours=1))
    @task()
    def send_deadline_warnings() -> int: ...

This lives in lib so that any app can declare a periodic task without importing
ops; the scheduler (`connexion.ops.schedule`) reads `SCHEDULE`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class Periodic:
    task: Any  # a django_tasks Task
    interval: timedelta

    @property
    def name(self) -> str:
        # The task's dotted path: stored in the database, so it must not change.
        return self.task.module_path


SCHEDULE: dict[str, Periodic] = {}


def every(interval: timedelta) -> Callable[[Any], Any]:
    """Registers a django-tasks task to be enqueued once per `interval`."""

    def register(task: Any) -> Any:
        periodic = Periodic(task, interval)
        SCHEDULE[periodic.name] = periodic
        return task

    return register
