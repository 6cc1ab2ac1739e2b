"""Where the current request comes from and who makes it, so that every audit
entry written while serving it records the address and browser without each
caller passing them, and form fields that look records up resolve only what the
signed-in user may see (people.forms.LookupField)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse

from connexion.accounts.actors import acting_user
from connexion.lib.http import client_ip

if TYPE_CHECKING:
    from connexion.accounts.models import User

USER_AGENT_LENGTH = 300


@dataclass(frozen=True)
class Origin:
    ip_address: str | None
    user_agent: str
    # "api" or "ui" (AuditEvent.Channel), for entries whose writer cannot tell.
    channel: str = "ui"
    # The signed-in staff user of a page (request.user, read when first used).
    user: Any = None


_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def current_origin() -> Origin | None:
    return _origin.get()


def current_viewer() -> User | None:
    """The signed-in user of the page being served, or None."""
    origin = _origin.get()
    return acting_user(origin.user) if origin else None


class AuditOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = Origin(
            client_ip(request),
            request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
            "api" if request.path.startswith("/api/") else "ui",
            getattr(request, "user", None),
        )
        token = _origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)
