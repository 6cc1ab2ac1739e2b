from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security.http import HttpBearer

from connexion.accounts.models import User
from connexion.api.services import TokenError, user_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer cnx_…`. Every refusal is a 401 whose JSON says why."""

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
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        try:
            user = user_for_token(token)
        except TokenError as exc:
            raise AuthenticationError(message=str(exc)) from None
        request.user = user
        return user
