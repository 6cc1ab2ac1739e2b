"""The `connexion` command: a short list of what operators need, each a Django
management command underneath (so `connexion <any django command>` works too)."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "up": "Start Connexion: migrations, demo data on an empty database, first admin, "
    "task worker and web server on http://127.0.0.1:8000.",
    "serve": "Run only the web server (--host, --port).",
    "worker": "Run only the background task worker (database, or Redis with REDIS_URL); "
    "it also enqueues the periodic tasks when due.",
    "scheduler": "Enqueue due periodic tasks (--once for cron, --list to show them).",
    "migrate": "Apply database migrations.",
    "demo": "Load realistic Thai demo data (--people, --organizations, --if-empty).",
    "createadmin": "Create an administrator with a generated password "
    "(--reset-password for an existing one).",
    "token": "Create, list or revoke REST API tokens: token create USERNAME "
    "[--scope people:read,3.1] [--expires 90d].",
    "keys": "Master keys of the encrypted file storage: keys generate | status [--verify] "
    "| rotate (re-wraps every file under the newest key, while Connexion runs) "
    "| encrypt-existing (files stored before encryption).",
    "compiletranslations": "Compile the Thai/English message catalogues.",
}

ENVIRONMENT = """\
Configuration comes from environment variables:
  CONNEXION_MODE       local (default) or production
  CONNEXION_DATA_DIR   folder for the SQLite database, files and keys (default ./var)
  DATABASE_URL         e.g. postgresql://user@host:5432/connexion
                       (default: SQLite in the data folder)
  SECRET_KEY           required in production: 32 or more random characters
  ALLOWED_HOSTS        required in production: host names, comma-separated
  CONNEXION_TRUSTED_PROXIES
                       addresses or networks of the TLS proxies in front, comma-separated;
                       their X-Forwarded-For names the client (default: none trusted)
  CONNEXION_MASTER_KEYS
                       required in production: keys that encrypt stored files, base64 of
                       32 bytes each (`connexion keys generate`), comma-separated, newest
                       first; keep old keys listed until `connexion keys rotate` has run
                       (local default: a key generated in the data folder's master_key)
  REDIS_URL            use Redis for background tasks and the cache, e.g. redis://127.0.0.1:6379/0
  EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, DEFAULT_FROM_EMAIL
                       SMTP relay for outgoing mail (default: files in the data folder's outbox)
  SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN
                       HTTP gateway for text messages (default: files in the data folder's outbox)
  CONNEXION_SESSION_HOURS         a staff sign-in ends after this many hours (default 12)
  CONNEXION_SESSION_IDLE_MINUTES  ... or after this many minutes without activity (default 30)
  CONNEXION_API_RATE_LIMIT        API calls per minute per token (default 600)
  DEBUG                show error details (never in production)
"""


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: connexion COMMAND [options]", "", "Commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    lines += ["", "`connexion COMMAND --help` explains a command's options.", "", ENVIRONMENT]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connexion.settings")
    from connexion.config import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["connexion", *argv])
    except ConfigError as exc:
        print(f"connexion: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
