import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from connexion.accounts.models import User
from connexion.accounts.roles import ADMIN
from connexion.accounts.services import create_staff_user
from connexion.ops.keycheck import refuse_to_start_without_keys
from connexion.ops.management.commands.compiletranslations import compile_translations
from connexion.ops.tasks import worker_heartbeat
from connexion.people.models import Person


class Command(BaseCommand):
    help = (
        "Start everything: compile translations, apply migrations, load demo data into an "
        "empty database, create the first admin, then run the task worker and the web server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (8000).")
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the task worker."
        )

    def handle(
        self, *args: Any, host: str, port: int, no_demo: bool, no_worker: bool, **options: Any
    ) -> None:
        started = time.monotonic()
        compile_translations([Path(path) for path in settings.LOCALE_PATHS])
        call_command("migrate", interactive=False, verbosity=0)
        refuse_to_start_without_keys()
        if not no_demo and not Person.objects.exists():
            call_command("demo", stdout=self.stdout)
        sign_in = self._first_admin()

        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "connexion.cli", "worker"])
            worker_heartbeat.enqueue()
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        url = f"http://{shown_host}:{port}/"
        self.stdout.write(
            f"\nConnexion is ready in {time.monotonic() - started:.1f} s at {url}\n"
            f"Data folder: {settings.DATA_DIR}\n{sign_in}\n"
        )
        try:
            call_command("serve", host=host, port=port)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _first_admin(self) -> str:
        if User.objects.exists():
            return (
                "Sign in with your existing account "
                "(forgot the admin password? run `connexion createadmin --reset-password`)."
            )
        user, password = create_staff_user("admin", roles=[ADMIN])
        return f"Sign in as:\n  username: {user.username}\n  password: {password}"
