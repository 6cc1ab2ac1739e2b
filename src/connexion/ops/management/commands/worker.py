import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from connexion.ops.schedule import run_forever


class Command(BaseCommand):
    help = (
        "Run the background task worker: the database worker by default, an RQ worker "
        "on Redis when REDIS_URL is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Run the waiting tasks, then stop."
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not enqueue periodic tasks from this worker.",
        )

    def handle(self, *args: Any, batch: bool, no_scheduler: bool, **options: Any) -> None:
        if not batch and not no_scheduler:
            threading.Thread(
                target=run_forever, args=(threading.Event(),), name="scheduler", daemon=True
            ).start()
        backend = settings.TASKS["default"]["BACKEND"]
        if backend.startswith("django_tasks_rq"):
            options = {"job_class": "django_tasks_rq.Job", "burst": batch}
            if batch:
                # Run the waiting jobs in this process rather than a fork per job.
                options["worker_class"] = "rq.worker.SimpleWorker"
            call_command("rqworker", "default", **options)
        else:
            call_command("db_worker", batch=batch, interval=1.0)
