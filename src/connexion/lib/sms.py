"""Sending a text message (SMS). Like email, through a backend chosen by a
setting:

- `SMS_BACKEND` (a dotted path). By default the file backend writes each
  message to the data folder's outbox (`SMS_FILE_PATH`, else `<data>/outbox`),
  as password-reset emails are when no SMTP relay is set.
- When `SMS_GATEWAY_URL` is set, the HTTP backend posts each message as JSON
  (`{"to": "+66…", "text": "…"}`) to that gateway, with
  `Authorization: Bearer <SMS_GATEWAY_TOKEN>` when a token is set."""

from __future__ import annotations

import json
import secrets
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

GATEWAY_TIMEOUT_SECONDS = 10


class SmsError(Exception):
    """The message could not be handed over; the text says why."""


@dataclass(frozen=True)
class TextMessage:
    to: str  # E.164
    text: str


class SmsBackend(Protocol):
    def send(self, message: TextMessage) -> str:
        """Hands the message over; returns an identifier of it."""
        ...


class FileBackend:
    """One file per message in a folder, for the operator to read."""

    def __init__(self, folder: Path | str | None = None) -> None:
        default = getattr(settings, "SMS_FILE_PATH", None) or Path(settings.DATA_DIR) / "outbox"
        self.folder = Path(folder or default)

    def send(self, message: TextMessage) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        now: datetime = timezone.now()
        name = f"sms-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.txt"
        path = self.folder / name
        path.write_text(f"To: {message.to}\nDate: {now.isoformat()}\n\n{message.text}\n")
        return name


class HttpBackend:
    """Posts the message to an SMS gateway's HTTP endpoint."""

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = url or getattr(settings, "SMS_GATEWAY_URL", "")
        self.token = token if token is not None else getattr(settings, "SMS_GATEWAY_TOKEN", "")
        if not self.url.startswith(("https://", "http://")):
            raise SmsError(f"SMS_GATEWAY_URL must be an http(s) URL (got {self.url!r}).")

    def send(self, message: TextMessage) -> str:
        body = json.dumps({"to": message.to, "text": message.text}).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=GATEWAY_TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = response.read(4096).decode("utf-8", "replace")
        except OSError as exc:  # refused, timed out, or an HTTP error status
            raise SmsError(f"The SMS gateway did not take the message: {exc}") from exc
        try:
            return str(json.loads(answer).get("id", "")) if answer.strip() else ""
        except (ValueError, AttributeError):
            return ""


def get_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "")
    if path:
        return import_string(path)()  # type: ignore[no-any-return]
    if getattr(settings, "SMS_GATEWAY_URL", ""):
        return HttpBackend()
    return FileBackend()


def send_sms(to: str, text: str) -> str:
    """Sends `text` to the E.164 number `to`; returns the backend's identifier."""
    return get_backend().send(TextMessage(to=to, text=text))
