from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class MeOut(Schema):
    username: str
    first_name: str
    last_name: str
    email: str
    language: str = Field(description="Interface language: 'th', 'en' or '' (browser's choice).")
    roles: list[str]
    permissions: list[str]


class MeUpdate(Schema):
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
