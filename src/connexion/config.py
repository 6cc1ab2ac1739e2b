"""Reads Connexion's configuration from environment variables.

Kept free of Django imports so that settings parsing can be tested as plain
functions and so that a bad variable is reported before Django starts.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url

PRODUCTION = "production"
LOCAL = "local"

# Django's startproject placeholder and other values nobody should run with.
_UNSAFE_SECRET_PREFIXES = ("django-insecure", "changeme", "change-me", "secret")
_MIN_SECRET_LENGTH = 32


class ConfigError(Exception):
    """A configuration variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Config:
    mode: str
    debug: bool
    data_dir: Path
    secret_key: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    database: dict[str, Any]
    redis_url: str | None
    email: dict[str, Any] = field(default_factory=dict)
    session_hours: int = 12
    session_idle_minutes: int = 30
    api_rate_limit: int = 600
    audit_retention_days: int = 1095
    default_language: str = "th"
    # Addresses or networks of the reverse proxies in front (CONNEXION_TRUSTED_PROXIES).
    trusted_proxies: tuple[str, ...] = ()
    # Newest first; kept out of repr so that no log or error page shows them.
    master_keys: tuple[bytes, ...] = field(default=(), repr=False)

    @property
    def is_production(self) -> bool:
        return self.mode == PRODUCTION


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false (got {raw!r}).")


def parse_int(name: str, raw: str | None, default: int, minimum: int = 1) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (got {raw!r}).") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum} (got {value}).")
    return value


def parse_list(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]


def parse_trusted_proxies(raw: str | None) -> tuple[str, ...]:
    """CONNEXION_TRUSTED_PROXIES: addresses or networks (CIDR), comma-separated, of
    the proxies whose X-Forwarded-For header is believed. Normalised, so that a
    typo is refused here rather than silently trusting nobody (or everybody)."""
    networks = []
    for item in parse_list(raw):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(
                "CONNEXION_TRUSTED_PROXIES must list IP addresses or networks such as "
                f"10.0.0.5 or 10.0.0.0/24, comma-separated (got {item!r})."
            ) from None
    return tuple(networks)


def parse_database_url(url: str | None, data_dir: Path) -> dict[str, Any]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "connexion.sqlite3"),
            # Wait for a writer instead of failing at once: the web server and the
            # task worker share the file.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    scheme = url.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"DATABASE_URL must start with sqlite:// or postgresql:// (got {scheme}://)."
        )
    try:
        database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if database["ENGINE"].endswith("sqlite3"):
        database["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
        database["CONN_MAX_AGE"] = 0
    elif not database.get("NAME"):
        raise ConfigError("DATABASE_URL must name the database, e.g. postgresql://host/connexion.")
    else:
        # Parameters travel bound, in binary: bulk inserts of imports are much cheaper.
        database.setdefault("OPTIONS", {})["server_side_binding"] = True
    return database


def parse_secret_key(raw: str | None, mode: str, data_dir: Path) -> str:
    key = (raw or "").strip()
    if mode == PRODUCTION:
        if not key:
            raise ConfigError(
                "SECRET_KEY is not set. In production Connexion needs a secret key of at "
                f"least {_MIN_SECRET_LENGTH} random characters: set the SECRET_KEY "
                "environment variable (e.g. to the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
            )
        if len(key) < _MIN_SECRET_LENGTH or key.lower().startswith(_UNSAFE_SECRET_PREFIXES):
            raise ConfigError(
                f"SECRET_KEY is too weak for production: use at least {_MIN_SECRET_LENGTH} "
                "random characters, not a placeholder."
            )
        return key
    if key:
        return key
    # Local mode: one random key per data folder, so sessions survive restarts.
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _local_master_key(data_dir: Path) -> bytes:
    """The data folder's own master key, made on first use, readable by its owner only."""
    from connexion.lib.crypto import decode_master_key, generate_master_key

    key_file = data_dir / "master_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once must not write two different keys.
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as stream:
                stream.write(generate_master_key() + "\n")
    try:
        return decode_master_key(key_file.read_text())
    except ValueError as exc:
        raise ConfigError(f"The master key file {key_file} is damaged: {exc}") from None


def parse_master_keys(raw: str | None, mode: str, data_dir: Path) -> tuple[bytes, ...]:
    """CONNEXION_MASTER_KEYS: base64 keys of 32 bytes, comma-separated, newest first.
    They encrypt every stored file (identity documents, evidence, exports)."""
    from connexion.lib.crypto import decode_master_keys

    text = (raw or "").strip()
    keys: tuple[bytes, ...] = ()
    if text:
        try:
            keys = decode_master_keys(text)
        except ValueError as exc:
            raise ConfigError(f"CONNEXION_MASTER_KEYS {exc}") from None
    if mode == PRODUCTION:
        if not keys:
            raise ConfigError(
                "CONNEXION_MASTER_KEYS is not set. In production Connexion needs at least "
                "one master key to encrypt stored files: set CONNEXION_MASTER_KEYS to the "
                "output of `connexion keys generate` and keep a copy somewhere safe (files "
                "cannot be read without it)."
            )
        return keys
    # Local mode: the data folder's key, after the configured ones, so that files
    # written before a key was configured stay readable (`keys rotate` moves them).
    if keys and not (data_dir / "master_key").exists():
        return keys
    local = _local_master_key(data_dir)
    return keys if local in keys else (*keys, local)


def parse_email(env: Mapping[str, str], data_dir: Path) -> dict[str, Any]:
    host = env.get("EMAIL_HOST", "").strip()
    if not host:
        # No SMTP relay configured: write messages to files the operator can read.
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(data_dir / "outbox"),
        }
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": host,
        "EMAIL_PORT": parse_int("EMAIL_PORT", env.get("EMAIL_PORT"), 587),
        "EMAIL_HOST_USER": env.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env.get("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": parse_bool("EMAIL_USE_TLS", env.get("EMAIL_USE_TLS"), True),
    }


def load_config(env: Mapping[str, str], base_dir: Path) -> Config:
    mode = env.get("CONNEXION_MODE", LOCAL).strip().lower() or LOCAL
    if mode not in {LOCAL, PRODUCTION}:
        raise ConfigError(f"CONNEXION_MODE must be 'local' or 'production' (got {mode!r}).")
    data_dir = Path(env.get("CONNEXION_DATA_DIR") or base_dir / "var").expanduser().resolve()
    allowed_hosts = parse_list(env.get("ALLOWED_HOSTS"))
    if not allowed_hosts:
        if mode == PRODUCTION:
            raise ConfigError(
                "ALLOWED_HOSTS is not set: list the host names Connexion answers to, "
                "separated by commas (e.g. crm.example.co.th)."
            )
        allowed_hosts = ["127.0.0.1", "localhost", "[::1]"]
    language = env.get("CONNEXION_LANGUAGE", "th").strip() or "th"
    if language not in {"th", "en"}:
        raise ConfigError(f"CONNEXION_LANGUAGE must be 'th' or 'en' (got {language!r}).")
    return Config(
        mode=mode,
        debug=parse_bool("DEBUG", env.get("DEBUG"), False),
        data_dir=data_dir,
        secret_key=parse_secret_key(env.get("SECRET_KEY"), mode, data_dir),
        allowed_hosts=allowed_hosts,
        csrf_trusted_origins=parse_list(env.get("CSRF_TRUSTED_ORIGINS")),
        database=parse_database_url(env.get("DATABASE_URL"), data_dir),
        redis_url=env.get("REDIS_URL", "").strip() or None,
        email=parse_email(env, data_dir),
        session_hours=parse_int("CONNEXION_SESSION_HOURS", env.get("CONNEXION_SESSION_HOURS"), 12),
        session_idle_minutes=parse_int(
            "CONNEXION_SESSION_IDLE_MINUTES", env.get("CONNEXION_SESSION_IDLE_MINUTES"), 30
        ),
        api_rate_limit=parse_int(
            "CONNEXION_API_RATE_LIMIT", env.get("CONNEXION_API_RATE_LIMIT"), 600
        ),
        audit_retention_days=parse_int(
            "CONNEXION_AUDIT_RETENTION_DAYS", env.get("CONNEXION_AUDIT_RETENTION_DAYS"), 1095, 90
        ),
        default_language=language,
        trusted_proxies=parse_trusted_proxies(env.get("CONNEXION_TRUSTED_PROXIES")),
        master_keys=parse_master_keys(env.get("CONNEXION_MASTER_KEYS"), mode, data_dir),
    )
