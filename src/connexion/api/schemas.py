from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from connexion.lib.http import MAX_ID

# An ID as a filter or in a list of IDs: a whole number the database can hold
# (a signed 64-bit integer), else a 422 naming the field rather than a failed query.
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def has_nul(value: Any) -> bool:
    """Whether text, or text in a list or mapping, holds a NUL character:
    PostgreSQL can neither store nor compare it (SQLite stores it silently)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    return False


class TextInput(Schema):
    """Base of every request body: text with a NUL character is refused, with a
    422 naming the field, on every database alike. (Nested bodies check their own
    fields, so the error names the nested field.)"""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if has_nul(value):
            # Translated, as every error type, by `errors.field_errors`.
            raise PydanticCustomError("null_characters", "Null characters are not allowed.")
        return value


class MeOut(Schema):
    username: str
    first_name: str
    last_name: str
    email: str
    language: str = Field(description="Interface language: 'th', 'en' or '' (browser's choice).")
    roles: list[str]
    permissions: list[str]


class MeUpdate(TextInput):
    model_config = ConfigDict(extra="forbid")

    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    language: Literal["th", "en"] | None = None


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldError]
