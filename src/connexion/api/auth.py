"""Bearer-token authentication, token scopes and the per-token rate limit.

Routers declare the area they belong to with `BearerToken(area)`; reads
(GET/HEAD/OPTIONS) need "<area>:read", other methods "<area>:write", and the
token must hold every data category the area's answers carry
(scopes.AREA_CATEGORIES, or `categories=` given here). A handler that needs a
finer check calls `require_scope(request, area, write=…, categories=…)`."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security.http import HttpBearer

from connexion.accounts.models import User
from connexion.api import scopes
from connexion.api.models import ApiToken
from connexion.api.services import TokenError, check_rate_limit, token_for_secret
from connexion.audit.services import record_refusal

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class RateLimitedError(HttpError):
    """429; api.errors adds the Retry-After header from `retry_after`."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            429,
            _("Too many requests with this token: wait %(seconds)s seconds and try again.")
            % {"seconds": retry_after},
        )


class BearerToken(HttpBearer):
    """`Authorization: Bearer cnx_…`. Every refusal is a 401 whose JSON says why;
    a token without the scope of the area gets a 403, one over its rate a 429."""

    def __init__(self, area: str | None = None, categories: Sequence[str] | None = None) -> None:
        super().__init__()
        if area is not None and area not in scopes.AREAS:
            raise ValueError(f"unknown API area {area!r}")
        self.area = area
        self.categories = categories

    def __call__(self, request: HttpRequest) -> User:
        header = request.headers.get(self.header, "")
        if not header:
            raise AuthenticationError(
                message=_(
                    "Authentication required: send the header 'Authorization: Bearer <token>'."
                )
            )
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or " " in token.strip():
            raise AuthenticationError(
                message=_("The Authorization header must be 'Bearer <token>'.")
            )
        user = self.authenticate(request, token.strip())
        if self.area is not None:
            require_scope(request, self.area, categories=self.categories)
        return user

    def authenticate(self, request: HttpRequest, token: str) -> User:
        try:
            api_token = token_for_secret(token)
        except TokenError as exc:
            if exc.token is not None:
                # A real token used after it ended: its owner's name goes in the log.
                record_refusal(exc.token.user, "api.token_refused", "api.apitoken", exc.token.pk)
            raise AuthenticationError(message=str(exc)) from None
        retry_after = check_rate_limit(api_token)
        if retry_after is not None:
            raise RateLimitedError(retry_after)
        user = api_token.user
        # The token is never more than its user, and may be less: categories it
        # lacks take away the permissions that show their fields.
        user.withheld_permissions = scopes.withheld_permissions(api_token.scopes)
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = user
        return user


def request_token(request: HttpRequest) -> ApiToken:
    token = getattr(request, "api_token", None)
    if token is None:
        raise AuthenticationError(message=_("This call needs a bearer token."))
    return token  # type: ignore[no-any-return]


def require_scope(
    request: HttpRequest,
    area: str,
    *,
    write: bool | None = None,
    categories: Sequence[str] | None = None,
) -> None:
    """403 with a JSON reason unless the request's token covers the area (read
    or write; by default from the HTTP method) and every category given (by
    default the area's own, scopes.AREA_CATEGORIES)."""
    if area not in scopes.AREAS:
        raise ValueError(f"unknown API area {area!r}")
    token = request_token(request)
    held = set(token.scopes)
    if write is None:
        write = request.method not in SAFE_METHODS
    needed = scopes.area_scope(area, write)
    if needed not in held:
        record_refusal(token.user, "api.scope_refused", "api.apitoken", token.pk)
        raise HttpError(
            403,
            _("This token's scope does not include %(scope)s (%(name)s).")
            % {"scope": needed, "name": scopes.describe(needed)},
        )
    wanted = scopes.AREA_CATEGORIES.get(area, ()) if categories is None else categories
    missing = [category for category in wanted if category not in held]
    if missing:
        record_refusal(token.user, "api.scope_refused", "api.apitoken", token.pk)
        raise HttpError(
            403,
            _("This token's scope does not include the data categories: %(categories)s.")
            % {"categories": ", ".join(scopes.describe(category) for category in missing)},
        )
