"""The personal-data registry applied to the installed models: each table's erasure scope (which
rows are a person's, which fields are personal), the blank and masked values, and the
statements' id sets."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from connexion.people.models import Person
from connexion.privacy.registry import (
    DERIVED_FIELDS,
    ERASURE_POLICIES,
    Erasure,
    ErasurePolicy,
    personal_fields,
)

# Ids per statement: far below PostgreSQL's 65,535 parameters with server-side binding.
ID_CHUNK = 5000


MASK = "***"


# Kept rows: "erased" means these, not the rows that were deleted.
KEPT_ACTIONS = {Erasure.ANONYMIZE, Erasure.HOLD}


@dataclass(frozen=True)
class Scope:
    """One installed model with its erasure policy."""

    model: type[models.Model]
    policy: ErasurePolicy

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def personal(self) -> dict[str, models.Field]:
        """The model's registered personal fields, derived ones included."""
        names = set(personal_fields(self.model)) | DERIVED_FIELDS.get(self.label, set())
        return {
            f.name: f  # type: ignore[misc]
            for f in self.model._meta.get_fields()
            if f.name in names and not f.auto_created
        }

    def rows(self, ids: Sequence[int], paths: Sequence[str] | None = None) -> QuerySet[Any]:
        """The rows linked to these people by any of the paths (the subject's by default)."""
        paths = list(self.policy.subject if paths is None else paths)
        manager = self.model._base_manager
        if not paths:
            return manager.none()
        if all(_single_valued(self.model, path) for path in paths):
            # Columns of the row itself: PostgreSQL ORs their indexes.
            condition = Q()
            for path in paths:
                condition |= Q(**{f"{path}__in": id_set(ids)})
            return manager.filter(condition)
        # A many-to-many path joins: one semi-join per path, so no duplicate rows.
        condition = Q()
        for path in paths:
            condition |= Q(
                pk__in=manager.filter(**{f"{path}__in": id_set(ids)}).order_by().values("pk")
            )
        return manager.filter(condition)


def _single_valued(model: type[models.Model], path: str) -> bool:
    """Whether each row has at most one value along the path (no many-to-many)."""
    if path == "pk":
        return True
    for step in path.split("__"):
        f = model._meta.get_field(step)
        if f.many_to_many or f.one_to_many:
            return False
        model = f.related_model  # type: ignore[assignment]
    return True


def scopes() -> list[Scope]:
    """Every installed model with an erasure policy, people last (their rows go
    once nothing else needs them)."""
    found = []
    for label, policy in ERASURE_POLICIES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # an app that is not installed here
        found.append(Scope(model, policy))
    found.sort(key=lambda scope: scope.model is Person)
    return found


def person_links() -> list[tuple[type[models.Model], models.Field]]:
    """Every foreign key and many-to-many field to Person, in every installed model."""
    links = []
    for model in apps.get_models():
        for f in model._meta.get_fields(include_hidden=True):
            if f.is_relation and not f.auto_created and f.related_model is Person:
                links.append((model, f))  # type: ignore[arg-type]
    return links


def id_set(ids: Iterable[Any]) -> Any:
    """Ids for an `__in` lookup: on PostgreSQL one array parameter
    (`IN (SELECT unnest(%s))`), so that a batch of thousands of ids is one value
    to send, not thousands of placeholders for the driver to parse."""
    values = list(ids)
    if connection.vendor != "postgresql" or not values:
        return values
    # As an array literal: one string for the driver to send, not a list to convert.
    if all(isinstance(value, int) for value in values):
        literal = "{" + ",".join(map(str, values)) + "}"
        return RawSQL("SELECT unnest(%s::bigint[])", (literal,))
    quoted = ",".join(
        '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values
    )
    return RawSQL("SELECT unnest(%s::text[])", ("{" + quoted + "}",))


def blank_value(f: models.Field) -> Any:
    """What an erased field holds: nothing, in the form the column accepts."""
    if isinstance(f, models.FileField):
        return ""
    if f.null:
        return None
    if isinstance(f, models.JSONField):
        return f.get_default()
    if isinstance(f, models.CharField | models.TextField):
        return ""
    if f.has_default():
        return f.get_default()
    raise ValueError(f"{f.model._meta.label_lower}.{f.name} cannot be blanked: keep or mask it")


def mask_value(value: Any) -> str:
    """What a masked field shows: `ส*** ใ***` for a name, `s***@e***` for an
    email, `***78` for a number; enough to recognise a record, not to identify anyone."""
    text = str(value or "").strip()
    if not text:
        return ""
    if "@" in text:
        local, _at, domain = text.partition("@")
        return f"{local[:1]}{MASK}@{domain[:1]}{MASK}"
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) >= 6 and re.fullmatch(r"[0-9\s()+.-]+", text):
        return f"{MASK}{digits[-2:]}"
    return " ".join(f"{part[:1]}{MASK}" for part in text.split())


# mask_value in SQL, for PostgreSQL: masks thousands of rows in one statement.
_MASK_SQL = r"""CASE
    WHEN btrim({c}) = '' THEN ''
    WHEN strpos({c}, '@') > 0 THEN left(split_part(btrim({c}), '@', 1), 1) || '***@'
        || left(substr(btrim({c}), strpos(btrim({c}), '@') + 1), 1) || '***'
    WHEN btrim({c}) ~ '^[0-9\s()+.-]+$' AND length(regexp_replace({c}, '[^0-9]', '', 'g')) >= 6
        THEN '***' || right(regexp_replace({c}, '[^0-9]', '', 'g'), 2)
    ELSE regexp_replace(regexp_replace(btrim({c}), '\s+', ' ', 'g'), '(\S)\S*', '\1***', 'g')
END"""


def masked_sql(f: models.Field) -> RawSQL:
    column = connection.ops.quote_name(f.column)
    # Built from the column's own name only: no value goes into the SQL.
    return RawSQL(_MASK_SQL.format(c=column), (), output_field=f)  # noqa: S611


def masked_name(person: Person | dict[str, Any]) -> str:
    def get(name: str) -> str:
        return str(person.get(name) if isinstance(person, dict) else getattr(person, name))

    for script in ("th", "en"):
        parts = [get(f"{part}_name_{script}") for part in ("first", "middle", "last")]
        name = " ".join(part for part in parts if part)
        if name:
            return mask_value(name)
    return MASK


def category_scopes(category: str) -> list[tuple[Scope, list[str]]]:
    """The tables holding data of the category, with the fields that hold it."""
    found = []
    for scope in scopes():
        if not scope.policy.subject:
            continue
        derived = DERIVED_FIELDS.get(scope.label, set())
        names = [
            name
            for name, declared in personal_fields(scope.model).items()
            if declared.category == category and name not in derived
        ]
        if names:
            found.append((scope, names))
    return found


def whole_rows(scope: Scope, names: list[str]) -> bool:
    """A row that holds nothing but the category goes; others lose its fields."""
    personal = set(personal_fields(scope.model)) - DERIVED_FIELDS.get(scope.label, set())
    return scope.policy.action == Erasure.DELETE and personal <= set(names)


def dated(model: type[models.Model]) -> bool:
    """Whether the model's rows say when they were created (`created_at`)."""
    return any(f.name == "created_at" for f in model._meta.concrete_fields)


class Tally:
    """Rows touched per person (root) and table, for the erasure records."""

    def __init__(self) -> None:
        self.tables: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
        self.files: dict[int, int] = defaultdict(int)

    def add(self, root: int, label: str, what: str, count: int = 1) -> None:
        if count:
            table = self.tables[root].setdefault(label, {})
            table[what] = table.get(what, 0) + count


@dataclass
class _Rows:
    """The rows of one scope that belong to the people erased."""

    scope: Scope
    owner: dict[Any, int]  # row pk -> root person id
    # The same rows, selected by their link to the people: statements about them
    # carry a few parameters, not thousands of ids (psycopg parses each one).
    queryset: QuerySet[Any]


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), ID_CHUNK):
        yield values[start : start + ID_CHUNK]
