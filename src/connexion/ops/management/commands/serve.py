import gc
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from waitress import serve

from connexion.ops.keycheck import refuse_to_start_without_keys
from connexion.wsgi import application


class Command(BaseCommand):
    help = "Serve Connexion over HTTP with the waitress server (put TLS in front in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (8000).")
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (8).")

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        # A lost or wrong master key is told here, not at someone's sign-in.
        refuse_to_start_without_keys()
        # What is loaded by now lives as long as the server: keep it out of the
        # garbage collector's full passes, which otherwise stall one request in twenty.
        gc.freeze()
        serve(application, host=host, port=port, threads=threads, ident="Connexion")
