"""Erasure and anonymization: one engine for a data subject's request (PDPA
s.33, policy 8.2) and for the retention rules (policy 7).

What happens to each table is read from the personal-data registry
(`registry.ERASURE_POLICIES`) and from Django's model meta, so a model another
app adds is covered as soon as it is declared there:

- rows that are the person's and that nothing requires are deleted;
- rows that must stay for the business (a deal's value) are anonymized: their
  personal fields are blanked or masked, and they stay linked to the person,
  whose record is then kept as "anonymized person #…" holding nothing;
- rows a law requires (payment records) keep only what the law needs, and are
  marked as held by their anonymized person;
- links from other people's rows to the person are removed or kept, per the registry;
- the audit log's entries about those rows keep their shape with every value
  masked; import reports and files waiting to be imported lose the person's rows;
  stored files (consent evidence, request attachments, exports) are deleted.

`erase_people` erases many people with a few set-based statements per table (the
retention sweep erases tens of thousands); `erase_person` is the one-person call
behind a request. Each call is one transaction that first locks the people's
rows, so two erasures of the same person cannot interleave: the second finds the
person erased and is refused."""

from __future__ import annotations

import csv
import io
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change, record_changes
from connexion.lib.phone import InvalidPhoneNumber, national_format, to_e164
from connexion.people.models import EmailAddress, Person, PhoneNumber
from connexion.privacy.models import (
    ErasureRecord,
    LegalHold,
    RetentionRule,
    RetentionRun,
    SubjectRequest,
)
from connexion.privacy.registry import (
    DERIVED_FIELDS,
    ERASURE_POLICIES,
    Erasure,
    ErasurePolicy,
    Mention,
    personal_fields,
)

logger = logging.getLogger(__name__)

UI = AuditEvent.Channel.UI
# Ids per statement: far below PostgreSQL's 65,535 parameters with server-side binding.
ID_CHUNK = 5000
MASK = "***"
# Kept rows: "erased" means these, not the rows that were deleted.
KEPT_ACTIONS = {Erasure.ANONYMIZE, Erasure.HOLD}


class ErasureRefused(Exception):
    """The erasure was not done; the message says why (the legal hold in force,
    or that the person's data was already erased)."""

    def __init__(self, message: str, hold: LegalHold | None = None) -> None:
        super().__init__(message)
        self.hold = hold


# --- the registry, applied to the installed models ------------------------------------


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


# --- legal holds ------------------------------------------------------------------------


def holds_in_force(at: datetime | None = None) -> QuerySet[LegalHold]:
    at = at or timezone.now()
    return LegalHold.objects.filter(lifted_at__isnull=True, starts_at__lte=at).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


def hold_refusal(hold: LegalHold) -> str:
    from connexion.ui.templatetags.connexion import localdate

    return _(
        "The person's data is under a legal hold (%(reference)s, since %(date)s): it cannot "
        "be erased while the hold is in force. Reason: %(reason)s"
    ) % {
        "reference": hold.legal_reference,
        "date": localdate(hold.starts_at),
        "reason": hold.reason,
    }


def _live_person_for_hold(person: Person) -> Person:
    locked = Person.objects.select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise ValidationError({"person": [_("This person no longer exists.")]})
    if locked.anonymized_at is not None:
        raise ValidationError({"person": [_("This person's data was already erased.")]})
    return locked


@transaction.atomic
def place_hold(
    actor: Any,
    person: Person,
    *,
    reason: str,
    legal_reference: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    audit_channel: str = UI,
) -> LegalHold:
    """Stops erasure and retention for the person while a law or an order
    requires their data. Locks the person, so it serializes with an erasure."""
    person = _live_person_for_hold(person)
    starts_at = starts_at or timezone.now()
    errors: dict[str, list[str]] = {}
    if not legal_reference.strip():
        errors["legal_reference"] = [_("Name the law, regulation or order that requires it.")]
    if not reason.strip():
        errors["reason"] = [_("Say what the data is kept for.")]
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The end must come after the start.")]
    if errors:
        raise ValidationError(errors)
    hold = LegalHold.objects.create(
        person=person,
        reason=reason.strip(),
        legal_reference=legal_reference.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        placed_by=actor if getattr(actor, "pk", None) else None,
    )
    record_change(
        actor,
        "privacy.place_hold",
        person,
        {f"legal_hold:{hold.pk}": [None, hold.legal_reference]},
        channel=audit_channel,
    )
    return hold


@transaction.atomic
def lift_hold(actor: Any, hold: LegalHold, *, audit_channel: str = UI) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise ValidationError({"hold": [_("This legal hold was already lifted.")]})
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor if getattr(actor, "pk", None) else None
    hold.save(update_fields=["lifted_at", "lifted_by"])
    record_change(
        actor,
        "privacy.lift_hold",
        hold.person,
        {f"legal_hold:{hold.pk}": ["in force", "lifted"]},
        channel=audit_channel,
    )
    return hold


# --- what identifies a person in free text ------------------------------------------------


@dataclass
class Identity:
    """The values that identify one person where they sit in free text: the
    audit entries of other people's rows, import reports, files awaiting import."""

    # Emails, phone numbers in every form, identity numbers: one is enough.
    keys: set[str] = field(default_factory=set)
    # (first name, last name) in either script: both are needed.
    names: set[tuple[str, str]] = field(default_factory=set)
    # Everything to mask where it is found.
    words: set[str] = field(default_factory=set)

    def pattern(self) -> re.Pattern[str] | None:
        words = sorted((w for w in self.words if len(w) >= 2), key=len, reverse=True)
        if not words:
            return None
        return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def _phone_forms(number: str) -> set[str]:
    forms = {number, number.lstrip("+")}
    try:
        national = national_format(number)
    except Exception:  # a stored number phonenumbers no longer parses
        return forms
    return forms | {national, national.replace(" ", ""), national.replace(" ", "-")}


def identities(ids: Sequence[int], root_of: dict[int, int]) -> dict[int, Identity]:
    found: dict[int, Identity] = defaultdict(Identity)
    name_fields = [f"{part}_name_{script}" for script in ("th", "en") for part in ("first", "last")]
    values = ["pk", *name_fields, "middle_name_th", "middle_name_en", "nickname_th"]
    values += ["nickname_en", "national_id", "passport_number"]
    for row in Person._base_manager.filter(pk__in=id_set(ids)).values(*values):
        identity = found[root_of[row["pk"]]]
        for script in ("th", "en"):
            first, last = row[f"first_name_{script}"], row[f"last_name_{script}"]
            if first and last:
                identity.names.add((first.lower(), last.lower()))
            identity.words |= {first, last, row[f"middle_name_{script}"], row[f"nickname_{script}"]}
        for number in (row["national_id"], row["passport_number"]):
            if number:
                identity.keys.add(number.lower())
                identity.words.add(number)
    for person_id, email in EmailAddress.objects.filter(person__in=id_set(ids)).values_list(
        "person_id", "email"
    ):
        found[root_of[person_id]].keys.add(email.lower())
        found[root_of[person_id]].words.add(email)
    for person_id, number in PhoneNumber.objects.filter(person__in=id_set(ids)).values_list(
        "person_id", "number"
    ):
        forms = _phone_forms(number)
        found[root_of[person_id]].keys |= forms
        found[root_of[person_id]].words |= forms
    requests = SubjectRequest.objects.filter(person__in=id_set(ids)).values_list(
        "person_id", "requester_name", "requester_email", "requester_phone"
    )
    for person_id, name, email, phone in requests:
        identity = found[root_of[person_id]]
        identity.words |= {name, email, phone}
        if email:
            identity.keys.add(email.lower())
    for identity in found.values():
        identity.words.discard("")
    return found


def _cell_keys(cell: str) -> set[str]:
    text = cell.strip()
    keys = {text.lower()}
    if sum(char.isdigit() for char in text) >= 9:
        try:
            keys |= _phone_forms(to_e164(text))
        except InvalidPhoneNumber:
            keys.add(re.sub(r"\D", "", text))
    return keys


def _row_owner(cells: Iterable[str], index: dict[str, int], names: dict[tuple[str, str], int]):
    """The person (root id) a row of a file is about, if it is one of those erased."""
    lowered = set()
    for cell in cells:
        if not cell:
            continue
        keys = _cell_keys(str(cell))
        for key in keys:
            if key in index:
                return index[key]
        lowered.add(str(cell).strip().lower())
    for (first, last), root in names.items():
        if first in lowered and last in lowered:
            return root
    return None


def scrub_values(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(MASK, value)
    if isinstance(value, list):
        return [scrub_values(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: scrub_values(item, pattern) for key, item in value.items()}
    return value


# --- the audit log ----------------------------------------------------------------------
# The audit log is append-only for the application, with one exception: the lawful
# erasure of a data subject (PDPA s.33). Its entries stay, as proof of who did what
# when; the personal values in them are replaced by a mask. AuditEvent.objects.redact
# is that exception's only door.

# Every value of an entry's details masked, keys kept: {"email:3": [null, "***"]}.
_MASK_JSONB = """CASE WHEN jsonb_typeof(details) = 'object' THEN COALESCE((
    SELECT jsonb_object_agg(entry.key, CASE jsonb_typeof(entry.value)
        WHEN 'null' THEN entry.value
        WHEN 'array' THEN (
            SELECT COALESCE(jsonb_agg(CASE WHEN jsonb_typeof(item) = 'null' THEN item
                                           ELSE '"***"'::jsonb END), '[]'::jsonb)
            FROM jsonb_array_elements(entry.value) AS item)
        ELSE '"***"'::jsonb END)
    FROM jsonb_each(details) AS entry), '{}'::jsonb) ELSE '"***"'::jsonb END"""


def mask_details(details: Any) -> Any:
    """The Python twin of _MASK_JSONB, for the other databases."""
    if not isinstance(details, dict):
        return MASK
    masked: dict[str, Any] = {}
    for key, value in details.items():
        if value is None:
            masked[key] = None
        elif isinstance(value, list):
            masked[key] = [None if item is None else MASK for item in value]
        else:
            masked[key] = MASK
    return masked


def mask_events(events: QuerySet[AuditEvent]) -> list[tuple[Any, str]]:
    """Masks the entries; returns (id, object id) of each. The entries are read
    first and rewritten by primary key: an update joined to the erased rows can
    make PostgreSQL scan the whole log."""
    found = list(events.values_list("pk", "object_id", "actor_id", "ip_address", "user_agent"))
    ids = [pk for pk, *_rest in found]
    # An entry written by nobody on staff came from the person: their address too.
    origin = [pk for pk, _object, actor, ip, agent in found if actor is None and (ip or agent)]
    for chunk in chunks(origin):
        AuditEvent.objects.filter(pk__in=id_set(chunk)).redact(ip_address=None, user_agent="")
    for chunk in chunks(ids):
        # Only entries with values are rewritten (a page view has none).
        chosen = AuditEvent.objects.filter(pk__in=id_set(chunk)).exclude(details={})
        if connection.vendor == "postgresql":
            # A constant expression: no value of anyone is put into the SQL.
            masked = RawSQL(_MASK_JSONB, (), output_field=models.JSONField())  # noqa: S611
            chosen.redact(details=masked)
            continue
        for pk, details in chosen.values_list("pk", "details"):
            masked_details = mask_details(details)
            if masked_details != details:
                AuditEvent.objects.filter(pk=pk).redact(details=masked_details)
    return [(pk, object_id) for pk, object_id, *_rest in found]


def events_of(label: str, pks: Iterable[Any]) -> Iterator[QuerySet[AuditEvent]]:
    keys = [str(pk) for pk in pks]
    for start in range(0, len(keys), ID_CHUNK):
        yield AuditEvent.objects.filter(
            object_type=label, object_id__in=id_set(keys[start : start + ID_CHUNK])
        )


def _scrub_events(label: str, pks: Iterable[Any], pattern: re.Pattern[str]) -> int:
    """Masks a person's values where they appear in other people's entries."""
    changed = 0
    for events in events_of(label, pks):
        for pk, details in events.values_list("pk", "details"):
            scrubbed = scrub_values(details, pattern)
            if scrubbed != details:
                AuditEvent.objects.filter(pk=pk).redact(details=scrubbed)
                changed += 1
    return changed


# --- one erasure, for a set of people ------------------------------------------------


@dataclass
class ErasureBatch:
    records: list[ErasureRecord] = field(default_factory=list)
    # Person id -> why they were not erased.
    refused: dict[int, str] = field(default_factory=dict)
    held: dict[int, LegalHold] = field(default_factory=dict)


class _Tally:
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


def lock_people(person_ids: Sequence[int]) -> list[tuple[int, int | None, datetime | None]]:
    found = []
    for chunk in chunks(sorted(set(person_ids))):
        # In id order, so that two batches that overlap cannot deadlock.
        found += list(
            Person._base_manager.select_for_update()
            .filter(pk__in=id_set(chunk))
            .order_by("pk")
            .values_list("pk", "merged_into_id", "anonymized_at")
        )
    return found


def _followers(roots: Sequence[int], *, lock: bool = True) -> dict[int, int]:
    """Records merged into the people erased (and into those), by root."""
    root_of = {pk: pk for pk in roots}
    frontier = list(roots)
    people = Person._base_manager.select_for_update() if lock else Person._base_manager.all()
    while frontier:
        found = []
        for chunk in chunks(frontier):
            found += list(
                people.filter(merged_into__in=id_set(chunk))
                .exclude(pk__in=id_set(root_of))
                .order_by("pk")
                .values_list("pk", "merged_into_id")
            )
        frontier = []
        for pk, target in found:
            root_of[pk] = root_of[target]
            frontier.append(pk)
    return root_of


def _collect(scope: Scope, ids: Sequence[int], root_of: dict[int, int]) -> _Rows:
    owner: dict[Any, int] = {}
    for path in scope.policy.subject:
        if path == "pk":
            owner.update({pk: root_of[pk] for pk in ids})
            continue
        for chunk in chunks(ids):
            rows = scope.model._base_manager.filter(**{f"{path}__in": id_set(chunk)}).order_by()
            for pk, person_id in rows.values_list("pk", path):
                owner.setdefault(pk, root_of[person_id])
    return _Rows(scope, owner, scope.rows(ids))


def _file_names(rows: _Rows, tally: _Tally) -> list[str]:
    scope = rows.scope
    personal = scope.personal()
    # A deleted row takes every file it holds; a kept row its personal ones.
    files = [
        f
        for f in scope.model._meta.concrete_fields
        if isinstance(f, models.FileField)
        and (
            scope.policy.action == Erasure.DELETE
            or (f.name in personal and f.name not in scope.policy.keep)
        )
    ]
    names = []
    for f in files:
        for pk, name in rows.queryset.exclude(**{f.name: ""}).values_list("pk", f.name):
            names.append(name)
            tally.files[rows.owner[pk]] += 1
    return names


def _mask_row_events(rows: _Rows, tally: _Tally) -> None:
    owner = {str(pk): root for pk, root in rows.owner.items()}
    keys = rows.queryset.order_by().annotate(_key=Cast("pk", models.CharField())).values("_key")
    events = AuditEvent.objects.filter(object_type=rows.scope.label, object_id__in=keys)
    for _pk, object_id in mask_events(events.order_by()):
        tally.add(owner[object_id], "audit.auditevent", "masked")


def _anonymize(rows: _Rows, now: datetime) -> None:
    """Blanks the personal fields an anonymized or held row does not keep."""
    scope = rows.scope
    policy = scope.policy
    blank: dict[str, Any] = {}
    many: list[models.ManyToManyField] = []
    masked: list[str] = []
    for name, f in scope.personal().items():
        if name in policy.keep:
            continue
        if name in policy.masked:
            masked.append(name)
        elif isinstance(f, models.ManyToManyField):
            many.append(f)
        else:
            blank[name] = blank_value(f)
    if scope.model is Person:
        blank |= {"anonymized_at": now, "updated_at": now}
    chosen = rows.queryset
    if masked and connection.vendor == "postgresql":
        blank |= {name: masked_sql(scope.model._meta.get_field(name)) for name in masked}
    elif masked:
        # Masks depend on each value: written per row, only where there is one.
        changed = []
        for instance in chosen.only("pk", *masked):
            values = {name: mask_value(getattr(instance, name)) for name in masked}
            if any(getattr(instance, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(instance, name, value)
                changed.append(instance)
        scope.model._base_manager.bulk_update(changed, masked, batch_size=1000)
    if blank:
        chosen.update(**blank)
    for f in many:
        through = f.remote_field.through
        through._base_manager.filter(
            **{f"{f.m2m_field_name()}__in": chosen.order_by().values("pk")}
        ).delete()


def set_delete(queryset: QuerySet[Any], done: frozenset[tuple[str, str]] = frozenset()) -> int:
    """Deletes the rows with one statement per table, doing to what points at
    them what its foreign key says (cascade, set null), without reading them
    into Python as QuerySet.delete() does. A model whose deletion has receivers,
    or rows something protects, go through QuerySet.delete() and its rules.
    `done`: links (model label, field) already emptied, not to look at again."""
    model = queryset.model
    if pre_delete.has_listeners(model) or post_delete.has_listeners(model):
        return queryset.delete()[0]
    keys = queryset.order_by().values("pk")
    for relation in model._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue
        if (relation.related_model._meta.label_lower, relation.field.name) in done:
            continue
        linked = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": keys})
        if relation.on_delete is models.CASCADE:
            set_delete(linked)
        elif relation.on_delete is models.SET_NULL:
            linked.update(**{relation.field.name: None})
        elif relation.on_delete is not models.DO_NOTHING and linked.exists():
            return queryset.delete()[0]  # PROTECT, RESTRICT, SET_DEFAULT: Django's rules
    return queryset._raw_delete(queryset.db)


def _delete(rows: _Rows) -> None:
    set_delete(rows.queryset)


class _Identities:
    """What identifies each person, read when first needed (before anything is
    deleted): most batches have nothing to scrub outside the people's own rows."""

    def __init__(self, ids: Sequence[int], root_of: dict[int, int]) -> None:
        self.ids, self.root_of = ids, root_of
        self.found: dict[int, Identity] | None = None

    def __call__(self) -> dict[int, Identity]:
        if self.found is None:
            self.found = identities(self.ids, self.root_of)
        return self.found


class _Patterns:
    """Each person's values as one regular expression, compiled when first needed."""

    def __init__(self, people: _Identities) -> None:
        self.people = people
        self.compiled: dict[int, re.Pattern[str] | None] = {}

    def get(self, root: int) -> re.Pattern[str] | None:
        if root not in self.compiled:
            identity = self.people().get(root)
            self.compiled[root] = identity.pattern() if identity else None
        return self.compiled[root]


def _detach(
    scope: Scope, ids: Sequence[int], root_of: dict[int, int], patterns: _Patterns
) -> dict[int, int]:
    """Removes the links of other rows to the people erased; their audit entries
    lose the people's values. Returns rows detached per root."""
    detached: dict[int, int] = defaultdict(int)
    for path, mention in scope.policy.mentions:
        if mention != Mention.DETACH:
            continue
        f = scope.model._meta.get_field(path)
        for chunk in chunks(ids):
            linked = scope.model._base_manager.filter(**{f"{path}__in": id_set(chunk)})
            pairs = list(linked.values_list("pk", path))
            by_root: dict[int, list[Any]] = defaultdict(list)
            for pk, person_id in pairs:
                by_root[root_of[person_id]].append(pk)
            for root, pks in by_root.items():
                detached[root] += len(pks)
                pattern = patterns.get(root)
                if pattern is not None:
                    _scrub_events(scope.label, pks, pattern)
            if isinstance(f, models.ManyToManyField):
                through = f.remote_field.through
                through._base_manager.filter(
                    **{f"{f.m2m_reverse_field_name()}__in": id_set(chunk)}
                ).delete()
            else:
                linked.update(**{path: None})
    return detached


def _kept_people(ids: Sequence[int]) -> set[int]:
    """The people something still points at: their record stays, anonymized."""
    kept: set[int] = set()
    for model, f in person_links():
        policy = ERASURE_POLICIES.get(model._meta.label_lower)
        mentions = dict(policy.mentions) if policy else {}
        mention = mentions.get(f.name)
        if mention in {Mention.DETACH, Mention.FOLLOW}:
            continue
        if policy is not None and f.name in policy.subject and policy.action == Erasure.DELETE:
            continue  # deleted with the person
        if policy is None:
            on_delete = getattr(f.remote_field, "on_delete", None)
            if on_delete not in {models.PROTECT, models.RESTRICT}:
                continue  # Django unlinks or deletes them with the person
        for chunk in chunks(ids):
            linked = model._base_manager.filter(**{f"{f.name}__in": id_set(chunk)})
            kept |= set(linked.values_list(f.name, flat=True).distinct())
    return kept & set(ids)


def _remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("erased file %s could not be removed from storage", name)


def delete_files_after_commit(names: list[str]) -> None:
    if names:
        # Only once the erasure is committed: a rolled-back erasure keeps its files.
        transaction.on_commit(lambda: _remove_files(names))


# --- imports: reports of rejected rows and files waiting to be imported -----------------


def _import_index(
    people: dict[int, Identity],
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    index: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for root, identity in people.items():
        for key in identity.keys:
            index[key.lower()] = root
        for pair in identity.names:
            names[pair] = root
    return index, names


def _scrub_import_reports(lazy: _Identities, tally: _Tally) -> None:
    """An import report keeps the cells of each row it did not import."""
    from connexion.imports.models import ImportIssue

    if not ImportIssue.objects.exists():
        return
    people = lazy()
    index, names = _import_index(people)
    if not index and not names:
        return
    for pk, values, problems in ImportIssue.objects.values_list(
        "pk", "values", "problems"
    ).iterator(chunk_size=2000):
        root = _row_owner(values or [], index, names)
        if root is None:
            continue
        pattern = people[root].pattern()
        ImportIssue.objects.filter(pk=pk).update(
            values=[MASK if cell else cell for cell in values],
            problems=scrub_values(problems, pattern) if pattern else problems,
        )
        tally.add(root, "imports.importissue", "masked")


def _rewrite_csv(data: bytes, encoding: str, delimiter: str, drop: Callable[[list[str]], Any]):
    from connexion.imports.reading import decode

    text, used = decode(data, encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ","))
    kept = [rows[0], *(row for row in rows[1:] if drop(row) is None)] if rows else []
    dropped = [drop(row) for row in rows[1:] if drop(row) is not None]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter or ",").writerows(kept)
    return out.getvalue().encode(used), dropped


def _rewrite_xlsx(data: bytes, drop: Callable[[list[str]], Any]):
    from openpyxl import load_workbook

    from connexion.imports.reading import cell_text

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    dropped = []
    numbers = []
    for index, row in enumerate(sheet.iter_rows()):
        if index == 0:
            continue  # the column names
        owner = drop([cell_text(cell.value) for cell in row])
        if owner is not None:
            dropped.append(owner)
            numbers.append(row[0].row)
    for number in reversed(numbers):
        sheet.delete_rows(number)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), dropped


def _scrub_import_files(
    lazy: _Identities, tally: _Tally, actor: Any, old_files: list[str], channel: str
) -> None:
    """A file waiting to be imported (or whose import failed) loses the erased
    people's rows; the import job records how many went."""
    from connexion.imports.models import ImportJob

    if not ImportJob.objects.exclude(file="").exists():
        return
    index, names = _import_index(lazy())
    if not index and not names:
        return

    def owner(cells: list[str]) -> int | None:
        return _row_owner(cells, index, names)

    for job in ImportJob.objects.select_for_update().exclude(file=""):
        try:
            with job.file.open("rb") as stream:
                data = stream.read()
        except OSError:
            continue  # nothing left to scrub
        try:
            if job.file_format == ImportJob.Format.CSV:
                content, dropped = _rewrite_csv(data, job.encoding, job.delimiter, owner)
            else:
                content, dropped = _rewrite_xlsx(data, owner)
        except (ValidationError, ValueError, KeyError, OSError):
            logger.exception("import file of job %s could not be read for an erasure", job.pk)
            continue
        if not dropped:
            continue
        old_name = job.file.name
        extension = old_name.rsplit(".", 1)[-1]
        job.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
        job.total_rows = max(job.total_rows - len(dropped), 0)
        job.save(update_fields=["file", "total_rows"])
        old_files.append(old_name)
        for root in dropped:
            tally.add(root, "imports.importjob", "rows removed")
        record_change(
            actor,
            "privacy.erase_from_import",
            job,
            {"rows_removed": [None, len(dropped)]},
            channel=channel,
        )


# --- the engine -------------------------------------------------------------------------


def erase_people(
    person_ids: Iterable[int],
    *,
    actor: Any,
    request: SubjectRequest | None = None,
    rule: RetentionRule | None = None,
    run: RetentionRun | None = None,
    channel: str = UI,
) -> ErasureBatch:
    """Erases every one of these people that may be erased, in one transaction;
    the others are listed in `refused` (already erased, merged into another
    record) or `held` (a legal hold in force)."""
    with transaction.atomic():
        return _erase(list(person_ids), actor, request, rule, run, channel)


def _erase(
    person_ids: list[int],
    actor: Any,
    request: SubjectRequest | None,
    rule: RetentionRule | None,
    run: RetentionRun | None,
    channel: str,
) -> ErasureBatch:
    now = timezone.now()
    batch = ErasureBatch()
    locked = {pk: (merged, anonymized) for pk, merged, anonymized in lock_people(person_ids)}
    roots = []
    for pk in dict.fromkeys(person_ids):
        if pk not in locked or locked[pk][1] is not None:
            batch.refused[pk] = _("This person's data was already erased.")
        elif locked[pk][0] is not None:
            batch.refused[pk] = _(
                "This record was merged into record #%(id)s: erase that record, which holds "
                "its data."
            ) % {"id": locked[pk][0]}
        else:
            roots.append(pk)
    root_of = _followers(roots)
    for hold in holds_in_force(now).filter(person__in=id_set(root_of)).order_by("starts_at"):
        root = root_of[hold.person_id]
        batch.held.setdefault(root, hold)
        batch.refused.setdefault(root, hold_refusal(hold))
    if batch.held:
        root_of = {pk: root for pk, root in root_of.items() if root not in batch.held}
    ids = sorted(root_of)
    if not ids:
        return batch
    roots = sorted(set(root_of.values()))

    names = {
        row["pk"]: masked_name(row)
        for row in Person._base_manager.filter(pk__in=id_set(roots)).values(
            "pk", *(f"{p}_name_{s}" for s in ("th", "en") for p in ("first", "middle", "last"))
        )
    }
    people = _Identities(ids, root_of)
    patterns = _Patterns(people)
    tally = _Tally()
    files: list[str] = []

    # First everything that reads rows about to change: which rows, their files,
    # their audit entries. Then the changes.
    collected = [_collect(scope, ids, root_of) for scope in scopes() if scope.policy.subject]
    for rows in collected:
        if rows.owner:
            files += _file_names(rows, tally)
            _mask_row_events(rows, tally)
    for scope in scopes():
        for root, count in _detach(scope, ids, root_of, patterns).items():
            tally.add(root, scope.label, "unlinked", count)
    _scrub_import_reports(people, tally)
    _scrub_import_files(people, tally, actor, files, channel)

    for rows in collected:
        scope = rows.scope
        if not rows.owner or scope.model is Person:
            continue
        what = {Erasure.DELETE: "deleted", Erasure.ANONYMIZE: "anonymized"}.get(
            scope.policy.action, "held"
        )
        if scope.policy.action == Erasure.DELETE:
            _delete(rows)
        else:
            _anonymize(rows, now)
        for root in rows.owner.values():
            tally.add(root, scope.label, what)

    kept = _kept_people(ids)
    person_rows = next(rows for rows in collected if rows.scope.model is Person)
    kept_ids = [pk for pk in ids if pk in kept]
    gone_ids = [pk for pk in ids if pk not in kept]
    people_rows = Person._base_manager
    kept_rows = _Rows(
        person_rows.scope,
        {pk: root_of[pk] for pk in kept_ids},
        people_rows.filter(pk__in=id_set(kept_ids)),
    )
    gone_rows = _Rows(
        person_rows.scope,
        {pk: root_of[pk] for pk in gone_ids},
        people_rows.filter(pk__in=id_set(gone_ids)),
    )
    if kept_rows.owner:
        # The record stays because something must point at it; it holds nothing.
        Person.tags.through.objects.filter(person_id__in=id_set(kept_ids)).delete()
        _anonymize(kept_rows, now)
    if gone_rows.owner:
        # A merged record kept (something points at it) no longer points at its
        # target, which goes; followers are all in this erasure, so that is all.
        if kept_ids:
            people_rows.filter(pk__in=id_set(kept_ids), merged_into__in=id_set(gone_ids)).update(
                merged_into=None
            )
        # The links the scopes above deleted or removed need no second look.
        done = (
            frozenset({("people.person", "merged_into")})
            | frozenset(
                (rows.scope.label, path)
                for rows in collected
                if rows.scope.policy.action == Erasure.DELETE
                for path in rows.scope.policy.subject
                if "__" not in path
            )
            | frozenset(
                (scope.label, path)
                for scope in scopes()
                for path, mention in scope.policy.mentions
                if mention == Mention.DETACH
            )
        )
        set_delete(gone_rows.queryset, done)
    for pk, root in root_of.items():
        tally.add(root, "people.person", "anonymized" if pk in kept else "deleted")

    records = ErasureRecord.objects.bulk_create(
        [
            ErasureRecord(
                person_ref=root,
                masked_name=names.get(root, MASK),
                request=request,
                rule=rule,
                run=run,
                approved_by=actor if getattr(actor, "pk", None) else None,
                performed_at=now,
                person_kept=root in kept,
                tables=tally.tables[root],
                files_removed=tally.files[root],
            )
            for root in roots
        ],
        batch_size=1000,
    )
    record_changes(
        actor,
        "privacy.erase_person",
        [
            (
                record,
                {
                    "person": [f"#{record.person_ref}", None],
                    "kept_anonymized": [None, record.person_kept],
                },
            )
            for record in records
        ],
        channel=channel,
    )
    delete_files_after_commit(files)
    batch.records = records
    return batch


def erase_person(
    person: Person,
    *,
    actor: Any,
    request: SubjectRequest | None = None,
    rule: RetentionRule | None = None,
    run: RetentionRun | None = None,
    channel: str = UI,
) -> ErasureRecord:
    """Erases one person's data (see the module's description). Irreversible.
    Raises ErasureRefused, naming the legal hold in force, or saying the data
    was already erased; then nothing changed."""
    batch = erase_people(
        [person.pk], actor=actor, request=request, rule=rule, run=run, channel=channel
    )
    if not batch.records:
        hold = batch.held.get(person.pk)
        raise ErasureRefused(batch.refused.get(person.pk, _("Nothing was erased.")), hold)
    return batch.records[0]


# --- what an erasure would do, for the confirmation page --------------------------------


@dataclass
class PlannedTable:
    label: str
    name: str
    action: str
    count: int
    reason: str = ""


def erasure_plan(person: Person) -> list[PlannedTable]:
    """The tables an erasure of this person would touch and how many rows;
    counts only, nothing is read out."""
    root_of = _followers([person.pk], lock=False)
    ids = sorted(root_of)
    plan = []
    for scope in scopes():
        if not scope.policy.subject or scope.model is Person:
            continue
        count = scope.rows(ids).count()
        if count:
            plan.append(
                PlannedTable(
                    scope.label,
                    str(scope.model._meta.verbose_name_plural),
                    str(Erasure(scope.policy.action).label),
                    count,
                    str(scope.policy.reason),
                )
            )
    return plan


TALLY_WORDS = {
    "deleted": gettext_lazy("deleted"),
    "anonymized": gettext_lazy("anonymized"),
    "held": gettext_lazy("kept under a legal obligation"),
    "masked": gettext_lazy("values masked"),
    "unlinked": gettext_lazy("links removed"),
    "rows removed": gettext_lazy("rows removed from a file awaiting import"),
}


def tables_display(record: ErasureRecord) -> list[tuple[str, str]]:
    """(table, "deleted 2") rows of an erasure record, in the reader's language."""
    rows = []
    for label, counts in sorted(record.tables.items()):
        try:
            name = str(apps.get_model(label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            name = label
        text = ", ".join(f"{TALLY_WORDS.get(what, what)}: {n}" for what, n in counts.items())
        rows.append((name, text))
    return rows
