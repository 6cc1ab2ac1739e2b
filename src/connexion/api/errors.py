"""JSON errors a client can act on: each names the field and says what is
wrong, in the language of the request (Accept-Language)."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from connexion.api.schemas import has_nul

# Pydantic error types mapped to translated messages; others keep pydantic's text.
_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "string_type": lambda ctx: _("Enter text."),
    "string_too_long": lambda ctx: _("Enter at most %(max_length)s characters.") % ctx,
    "string_too_short": lambda ctx: _("Enter at least %(min_length)s characters.") % ctx,
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_type": lambda ctx: _("Enter a whole number."),
    "greater_than_equal": lambda ctx: _("Enter a number of at least %(ge)s.") % ctx,
    "less_than_equal": lambda ctx: _("Enter a number of at most %(le)s.") % ctx,
    "null_characters": lambda ctx: _("Null characters are not allowed."),
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "literal_error": lambda ctx: _("Choose one of: %(expected)s.") % ctx,
    "enum": lambda ctx: _("Choose one of: %(expected)s.") % ctx,
    "extra_forbidden": lambda ctx: _("This field is not allowed here."),
    "json_invalid": lambda ctx: _("The request body is not valid JSON."),
    "model_attributes_type": lambda ctx: _("The request body must be a JSON object."),
    "dict_type": lambda ctx: _("The request body must be a JSON object."),
}

# Where ninja puts parameters; the client named only what follows.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    result = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        where = location[0] if location and location[0] in _LOCATIONS else "body"
        # Drop ninja's location and the name of the handler's argument.
        names = location[2:] if len(location) > 2 else location[1:]
        translate = _MESSAGES.get(error.get("type", ""))
        message = translate(error.get("ctx") or {}) if translate else error.get("msg", "")
        result.append({"field": ".".join(names) or where, "in": where, "message": message})
    return result


def model_field_errors(exc: DjangoValidationError) -> list[dict[str, str]]:
    """A service's `ValidationError` (keyed by field) in the same shape as above."""
    if hasattr(exc, "error_dict"):
        items = list(exc.message_dict.items())
    else:
        items = [(NON_FIELD_ERRORS, exc.messages)]
    return [
        {"field": "body" if name == NON_FIELD_ERRORS else name, "in": "body", "message": message}
        for name, messages in items
        for message in messages
    ]


class TextParser(Parser):
    """Query strings and form fields refuse text with a NUL character as the
    bodies do (`schemas.TextInput`): a 422 naming the field."""

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        values = super().parse_querydict(data, list_fields, request)
        where = "query" if data is request.GET else "form"
        refused = [name for name, value in values.items() if has_nul(value)]
        if refused:
            raise ValidationError(
                [{"loc": (where, name), "type": "null_characters"} for name in refused]
            )
        return values


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": _("The request has invalid fields."), "errors": field_errors(exc.errors)},
            status=422,
        )

    @api.exception_handler(DjangoValidationError)
    def model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": _("The request has invalid fields."), "errors": model_field_errors(exc)},
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(request, {"detail": exc.message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="connexion"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        response = api.create_response(request, {"detail": exc.message}, status=exc.status_code)
        # A rate limit (api.auth.RateLimitedError) says when to come back, in seconds.
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
