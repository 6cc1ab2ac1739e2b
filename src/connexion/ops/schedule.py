"""The periodic task scheduler. A task declares how often it runs with
`@every(...)` (`connexion.lib.periodic`); the scheduler (a thread of
`connexion worker`, or `connexion scheduler --once` from cron) enqueues each one
when it is due, for the worker to run.

Several workers may run the scheduler: the database row of each task is claimed
with a compare-and-set update, so a due task is enqueued once."""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.db import IntegrityError, close_old_connections
from django.utils import timezone

from connexion.lib.periodic import SCHEDULE, Periodic

logger = logging.getLogger(__name__)


def discover() -> dict[str, Periodic]:
    """Imports every `*tasks.py` module of Connexion's apps, so that their
    `@every` declarations are registered."""
    for config in apps.get_app_configs():
        if not config.name.startswith("connexion."):
            continue
        for path in sorted(Path(config.path).glob("*tasks.py")):
            importlib.import_module(f"{config.name}.{path.stem}")
    return SCHEDULE


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueues every periodic task whose interval has passed; returns their names."""
    from connexion.ops.models import PeriodicTaskRun

    now = now or timezone.now()
    enqueued = []
    for name, periodic in discover().items():
        with contextlib.suppress(IntegrityError):  # another scheduler created it just now
            PeriodicTaskRun.objects.get_or_create(name=name)
        claimed = (
            PeriodicTaskRun.objects.filter(name=name)
            .exclude(last_enqueued_at__gt=now - periodic.interval)
            .update(last_enqueued_at=now)
        )
        if claimed:
            periodic.task.enqueue()
            enqueued.append(name)
    return enqueued


def run_forever(stop: threading.Event, tick_seconds: float = 30.0) -> None:
    """The scheduler loop: one pass per tick until `stop` is set."""
    while not stop.is_set():
        try:
            for name in enqueue_due():
                logger.info("enqueued periodic task %s", name)
        except Exception:  # a database hiccup must not kill the worker's scheduler
            logger.exception("periodic task scheduling failed")
        finally:
            close_old_connections()
        stop.wait(tick_seconds)
