import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from connexion.ops.schedule import discover, enqueue_due, run_forever


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks that are due (the worker also does this, unless "
        "started with --no-scheduler)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then stop (for cron).")
        parser.add_argument(
            "--list", dest="show", action="store_true", help="List the periodic tasks."
        )

    def handle(self, *args: Any, once: bool, show: bool, **options: Any) -> None:
        if show:
            for name, periodic in sorted(discover().items()):
                self.stdout.write(f"{name}\tevery {periodic.interval}")
        elif once:
            for name in enqueue_due():
                self.stdout.write(f"enqueued {name}")
        else:
            run_forever(threading.Event())
