"""Merging two records of the same person into one.

The kept person takes the field values chosen for it (through
`services.update_person`, so they are validated and audited like any edit) and
every record linked to the other person: contact points, roles, relationships,
lifecycle history, tags, sources they gave, and whatever later apps link to a
person (found by walking the model's reverse relations, so a new foreign key is
moved without touching this file). The other person stays as a tombstone with
only its name and `merged_into` set, so that old links still lead somewhere.

One transaction; one `people.merge` audit entry on the kept person holding the
other's values before the merge and the id of every row moved, dropped or
re-flagged, so that a merge can be undone by hand. The kept person's own values
before the merge are in the `people.update_person` entry written with it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ForeignKey, ForeignObjectRel, Q, UniqueConstraint
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access, record_change
from connexion.lib.thai import format_thai_id
from connexion.people.erased import refuse_if_erased
from connexion.people.models import (
    EmailAddress,
    Person,
    PhoneNumber,
    PostalAddress,
    Relationship,
    SocialAccount,
    Tag,
)
from connexion.people.selectors import can_see_identity_numbers, mask_passport, mask_thai_id
from connexion.people.services import PERSON_FIELDS, update_person

UI = AuditEvent.Channel.UI

# Shown and chosen only by those allowed to see identity numbers.
RESTRICTED_FIELDS = {"national_id", "passport_number"}
# Chosen together: a passport number means nothing without its country.
GROUPED_WITH = {"passport_country": "passport_number"}
# What the tombstone keeps: enough to recognise it in the history.
TOMBSTONE_KEEPS = {
    "title",
    "first_name_th",
    "middle_name_th",
    "last_name_th",
    "first_name_en",
    "middle_name_en",
    "last_name_en",
    "lifecycle_stage",
}


# --- the fields to choose between -------------------------------------------


@dataclass(frozen=True)
class FieldGroup:
    """One choice on the merge page: usually one field, a passport's number
    and country together."""

    key: str
    fields: tuple[str, ...]
    label: str
    restricted: bool


def field_groups() -> list[FieldGroup]:
    """Every person field that `update_person` accepts, in the model's order."""
    groups: list[FieldGroup] = []
    for model_field in Person._meta.concrete_fields:
        name = model_field.name
        if name not in PERSON_FIELDS or name in GROUPED_WITH:
            continue
        members = (name, *(extra for extra, lead in GROUPED_WITH.items() if lead == name))
        label = _("Passport") if name == "passport_number" else capfirst(model_field.verbose_name)
        groups.append(FieldGroup(name, members, str(label), name in RESTRICTED_FIELDS))
    return groups


def _is_blank(value: Any) -> bool:
    return value is None or value == ""


def _has_value(person: Person, group: FieldGroup) -> bool:
    return not _is_blank(getattr(person, group.fields[0]))


def _same(kept: Person, other: Person, group: FieldGroup) -> bool:
    return all(
        getattr(kept, Person._meta.get_field(name).attname)
        == getattr(other, Person._meta.get_field(name).attname)
        for name in group.fields
    )


def _takes_other(
    kept: Person, other: Person, group: FieldGroup, chosen: set[str], may_see: bool
) -> bool:
    if group.restricted and not may_see:
        # Who may not see the numbers may not choose them either: the kept
        # person's stays, or the other's when the kept person has none.
        return not _has_value(kept, group) and _has_value(other, group)
    return group.key in chosen


# --- what the audit log keeps -----------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _row(instance: models.Model) -> dict[str, Any]:
    """Every column of a row, as the audit log can keep it."""
    return {f.attname: _json(getattr(instance, f.attname)) for f in instance._meta.concrete_fields}


def _snapshot(person: Person) -> dict[str, Any]:
    values = _row(person)
    values.pop("search_text", None)
    for many in Person._meta.many_to_many:
        values[many.name] = sorted(getattr(person, many.name).values_list("pk", flat=True))
    values["tag_names"] = sorted(person.tags.values_list("name", flat=True))
    return values


@dataclass
class MergeLog:
    """Which rows the merge moved, deleted as duplicates or re-flagged, keyed
    by `app.model.field` (the foreign key that was changed)."""

    moved: dict[str, list[Any]] = field(default_factory=dict)
    dropped: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    demoted: dict[str, list[Any]] = field(default_factory=dict)
    promoted: dict[str, list[Any]] = field(default_factory=dict)
    # Records naming a deleted twin contact point, now naming the kept one.
    repointed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @staticmethod
    def key(model: type[models.Model], field_name: str) -> str:
        return f"{model._meta.label_lower}.{field_name}"

    def add(self, bucket: str, key: str, value: Any) -> None:
        getattr(self, bucket).setdefault(key, []).append(value)

    def as_details(self) -> dict[str, Any]:
        buckets = {
            "moved": self.moved,
            "dropped": self.dropped,
            "demoted": self.demoted,
            "promoted": self.promoted,
            "repointed": self.repointed,
        }
        return {name: rows for name, rows in buckets.items() if rows}


# --- checks -----------------------------------------------------------------


def check_mergeable(kept: Person, other: Person) -> None:
    if kept.pk == other.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    for person in (kept, other):
        if person.merged_into_id:
            raise ValidationError(
                _("%(name)s (#%(id)s) was already merged into another record.")
                % {"name": person, "id": person.pk}
            )
        refuse_if_erased(person)


# --- contact points ---------------------------------------------------------

ADDRESS_FIELDS = (
    "house_number",
    "moo",
    "building",
    "soi",
    "road",
    "subdistrict",
    "district",
    "province",
    "postcode",
    "country",
    "foreign_address",
)


def _folded(value: str) -> str:
    return " ".join(value.split()).lower()


@dataclass(frozen=True)
class ContactRule:
    # What makes two contact points the same one.
    identity: Callable[[Any], tuple[Any, ...]]
    # Within what there may be one primary (besides the owner).
    primary_scope: tuple[str, ...]


CONTACT_RULES: dict[type[models.Model], ContactRule] = {
    EmailAddress: ContactRule(lambda c: (_folded(c.email),), ()),
    PhoneNumber: ContactRule(lambda c: (c.kind, c.number), ("kind",)),
    SocialAccount: ContactRule(
        lambda c: (c.platform, _folded(c.handle).lstrip("@"), c.platform_user_id.strip()),
        ("platform",),
    ),
    PostalAddress: ContactRule(lambda c: tuple(_folded(getattr(c, n)) for n in ADDRESS_FIELDS), ()),
}
# How records that name one contact point (a restriction on "this address")
# spell its kind in their `contact_kind` column.
CONTACT_KIND_NAMES: dict[type[models.Model], str] = {
    EmailAddress: "email",
    PhoneNumber: "phone",
    SocialAccount: "social",
    PostalAddress: "address",
}


def _contact_naming_links() -> list[tuple[type[models.Model], ForeignKey]]:
    """Models linked to a person that name one of its contact points by
    `contact_kind` and `contact_id` (privacy restrictions, for one)."""
    found = []
    for model, foreign_key in person_links():
        names = {f.name for f in model._meta.concrete_fields}
        if {"contact_kind", "contact_id"} <= names:
            found.append((model, foreign_key))
    return found


def _repoint_contact_naming(
    other: Person, model: type[models.Model], dropped_id: Any, twin_id: Any, log: MergeLog
) -> None:
    """Records of the other person naming a contact point deleted as a twin
    now name the kept person's identical one, so that nothing said about that
    address (e.g. "do not email me here") is lost with it."""
    kind = CONTACT_KIND_NAMES[model]
    for naming_model, foreign_key in _contact_naming_links():
        rows = naming_model._base_manager.filter(
            **{foreign_key.name: other, "contact_kind": kind, "contact_id": dropped_id}
        )
        ids = list(rows.order_by("pk").values_list("pk", flat=True))
        if ids:
            rows.update(contact_id=twin_id)
            for pk in ids:
                log.add(
                    "repointed",
                    log.key(naming_model, "contact_id"),
                    {"id": pk, "contact_id": [dropped_id, twin_id]},
                )


def _move_contact_points(kept: Person, other: Person, log: MergeLog) -> None:
    """Moves the other's contact points; one identical to the kept person's is
    deleted instead, and a moved primary is demoted when the kept person
    already has a primary of that kind."""
    for model, rule in CONTACT_RULES.items():
        key = log.key(model, "person")
        manager = model._base_manager
        kept_rows = {rule.identity(row): row for row in manager.filter(person=kept)}
        primary_scopes = {
            tuple(getattr(row, name) for name in rule.primary_scope)
            for row in kept_rows.values()
            if row.is_primary
        }
        for row in manager.filter(person=other).order_by("-is_primary", "id"):
            scope = tuple(getattr(row, name) for name in rule.primary_scope)
            twin = kept_rows.get(rule.identity(row))
            if twin is not None:
                log.add("dropped", key, _row(row))
                dropped_id = row.pk
                row.delete()
                _repoint_contact_naming(other, model, dropped_id, twin.pk, log)
                if row.is_primary and scope not in primary_scopes:
                    manager.filter(pk=twin.pk).update(is_primary=True)
                    primary_scopes.add(scope)
                    log.add("promoted", key, twin.pk)
                continue
            is_primary = row.is_primary
            if is_primary and scope in primary_scopes:
                is_primary = False
                log.add("demoted", key, row.pk)
            manager.filter(pk=row.pk).update(person=kept, is_primary=is_primary)
            if is_primary:
                primary_scopes.add(scope)
            kept_rows[rule.identity(row)] = row
            log.add("moved", key, row.pk)


# --- relationships ----------------------------------------------------------


def _move_relationships(kept: Person, other: Person, log: MergeLog) -> None:
    """Both directions; one between the two people, or one the kept person
    already has, is deleted instead."""
    manager = Relationship._base_manager
    for own, far in (("person", "other"), ("other", "person")):
        key = log.key(Relationship, own)
        for relationship in manager.filter(**{own: other}).order_by("id"):
            far_id = getattr(relationship, f"{far}_id")
            duplicate = manager.filter(
                **{own: kept, f"{far}_id": far_id, "kind": relationship.kind}
            ).exists()
            if far_id == kept.pk or duplicate:
                log.add("dropped", key, _row(relationship))
                relationship.delete()
            else:
                manager.filter(pk=relationship.pk).update(**{own: kept})
                log.add("moved", key, relationship.pk)


# --- everything else that points at a person --------------------------------

SPECIAL_LINKS = {
    *((model, "person") for model in CONTACT_RULES),
    (Relationship, "person"),
    (Relationship, "other"),
}


def person_links() -> list[tuple[type[models.Model], ForeignKey]]:
    """Every foreign key to Person in every installed app, hidden ones
    (`related_name="+"`) included, except `merged_into` and the join tables
    of Person's own many-to-many fields (merged as a union instead)."""
    own_join_tables = {many.remote_field.through for many in Person._meta.many_to_many}
    links = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        model, foreign_key = relation.related_model, relation.field
        if model is Person and foreign_key.name == "merged_into":
            continue
        if model in own_join_tables:
            continue
        links.append((model, foreign_key))
    return links


def _unique_together_with(
    model: type[models.Model], foreign_key: ForeignKey
) -> list[tuple[list[str], Q | None]]:
    """The other fields of each uniqueness rule that involves the foreign key."""
    rules: list[tuple[list[str], Q | None]] = []
    if foreign_key.unique:
        rules.append(([], None))
    for together in model._meta.unique_together:
        if foreign_key.name in together:
            rules.append(([name for name in together if name != foreign_key.name], None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and foreign_key.name in constraint.fields:
            rest = [name for name in constraint.fields if name != foreign_key.name]
            rules.append((rest, constraint.condition))
    return rules


def _conflicts(
    model: type[models.Model], foreign_key: ForeignKey, kept: Person, other: Person
) -> set[Any]:
    """Rows of the other person that would break a uniqueness rule if moved."""
    manager = model._base_manager
    found: set[Any] = set()
    for rest, condition in _unique_together_with(model, foreign_key):
        theirs = manager.filter(**{foreign_key.name: other})
        ours = manager.filter(**{foreign_key.name: kept})
        if condition is not None:
            theirs, ours = theirs.filter(condition), ours.filter(condition)
        for values in theirs.values("pk", *rest):
            pk = values.pop("pk")
            if any(value is None for value in values.values()):
                continue  # NULLs never collide
            if ours.filter(**values).exists():
                found.add(pk)
    return found


def _move_other_links(kept: Person, other: Person, log: MergeLog) -> None:
    for model, foreign_key in person_links():
        if (model, foreign_key.name) in SPECIAL_LINKS:
            continue
        key = log.key(model, foreign_key.name)
        manager = model._base_manager
        conflicts = _conflicts(model, foreign_key, kept, other)
        if conflicts and model._meta.auto_created:
            # A join table row the kept person already has: a plain duplicate.
            for row in manager.filter(pk__in=conflicts):
                log.add("dropped", key, _row(row))
            manager.filter(pk__in=conflicts).delete()
        elif conflicts:
            raise ValidationError(
                _(
                    "Both records have a %(thing)s that a person may have only once. "
                    "Resolve that first, then merge."
                )
                % {"thing": model._meta.verbose_name}
            )
        rows = manager.filter(**{foreign_key.name: other})
        ids = list(rows.order_by("pk").values_list("pk", flat=True))
        if ids:
            rows.update(**{foreign_key.name: kept})
            log.moved[key] = ids


def _merge_many_to_many(kept: Person, other: Person, log: MergeLog) -> None:
    """Person's own many-to-many fields other than tags (which go through
    `update_person`): the union stays on the kept person."""
    for many in Person._meta.many_to_many:
        if many.name == "tags":
            continue
        theirs = set(getattr(other, many.name).values_list("pk", flat=True))
        added = theirs - set(getattr(kept, many.name).values_list("pk", flat=True))
        getattr(kept, many.name).add(*added)
        getattr(other, many.name).clear()
        if added:
            log.moved[log.key(Person, many.name)] = sorted(added)


# --- the merge --------------------------------------------------------------


def _tombstone_values(person: Person) -> dict[str, Any]:
    values = {}
    for name in PERSON_FIELDS - TOMBSTONE_KEEPS:
        blank = Person._meta.get_field(name).get_default()
        if getattr(person, name) != blank:
            values[name] = blank
    return values


@transaction.atomic
def merge_people(
    actor: Actor,
    kept: Person,
    other: Person,
    *,
    take_from_other: Iterable[str] = (),
    channel: str = UI,
) -> Person:
    """Merges `other` into `kept`. `take_from_other` names the field groups
    (see `field_groups`) whose value comes from the other person; every other
    field keeps the kept person's value."""
    if kept.pk == other.pk:
        check_mergeable(kept, other)
    locked = Person.objects.select_for_update().filter(pk__in=[kept.pk, other.pk]).order_by("pk")
    people = {person.pk: person for person in locked}
    if len(people) != 2:
        raise ValidationError(_("One of the two records no longer exists."))
    kept, other = people[kept.pk], people[other.pk]
    check_mergeable(kept, other)

    groups = field_groups()
    chosen = set(take_from_other)
    unknown = chosen - {group.key for group in groups}
    if unknown:
        raise TypeError(f"not person fields: {sorted(unknown)}")
    may_see = can_see_identity_numbers(actor)
    changes: dict[str, Any] = {}
    for group in groups:
        if not _same(kept, other, group) and _takes_other(kept, other, group, chosen, may_see):
            changes.update({name: getattr(other, name) for name in group.fields})

    other_before = _snapshot(other)
    # Identity numbers go at the top level, as in every change record, where
    # history views mask them by field name for those who may not see them.
    identity_before = {name: other_before.pop(name) for name in sorted(RESTRICTED_FIELDS)}
    tags = sorted(set(kept.tags.values_list("name", flat=True)) | set(other_before["tag_names"]))

    log = MergeLog()
    _move_contact_points(kept, other, log)
    _move_relationships(kept, other, log)
    _move_other_links(kept, other, log)
    _merge_many_to_many(kept, other, log)

    update_person(actor, kept, tags=tags, channel=channel, **changes)
    update_person(actor, other, tags=[], channel=channel, **_tombstone_values(other))
    Person.objects.filter(pk=other.pk).update(merged_into=kept, updated_at=timezone.now())
    other.merged_into = kept

    record_change(
        actor,
        "people.merge",
        kept,
        {
            "merged": [str(other.pk), str(kept.pk)],
            # [the other's number, the kept person's number after the merge]
            **{
                name: [value, _json(getattr(kept, name))]
                for name, value in identity_before.items()
                if value
            },
            "other_before": other_before,
            **log.as_details(),
        },
        channel=channel,
    )
    record_change(
        actor, "people.merged_into", other, {"merged_into": [None, str(kept.pk)]}, channel=channel
    )
    return kept


# --- the comparison page ----------------------------------------------------


@dataclass
class FieldRow:
    key: str
    label: str
    kept_value: Any
    other_value: Any
    differs: bool
    # False when the viewer may not see identity numbers: the rule decides.
    choosable: bool
    # "kept" or "other": the value the kept person will have.
    choice: str
    is_date: bool = False


@dataclass
class PersonContacts:
    emails: list[EmailAddress]
    phones: list[PhoneNumber]
    socials: list[SocialAccount]
    addresses: list[PostalAddress]
    tags: list[str]


@dataclass
class MergeComparison:
    kept: Person
    other: Person
    rows: list[FieldRow]
    kept_contacts: PersonContacts
    other_contacts: PersonContacts
    # (what, how many) of the other person's linked records that will move
    moving: list[tuple[str, int]]
    problem: str = ""
    identity_hidden: bool = False

    @property
    def contact_columns(self) -> tuple[PersonContacts, PersonContacts]:
        return self.kept_contacts, self.other_contacts


def _shown(person: Person, group: FieldGroup, may_see: bool) -> Any:
    name = group.fields[0]
    model_field = Person._meta.get_field(name)
    value = getattr(person, name)
    if _is_blank(value):
        return ""
    if name == "national_id":
        return format_thai_id(value) if may_see else mask_thai_id(value)
    if name == "passport_number":
        number = value if may_see else mask_passport(value)
        return f"{number} ({person.passport_country})" if person.passport_country else number
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, models.Model):
        return getattr(value, "display_name", None) or str(value)
    return value


def _contacts(person: Person) -> PersonContacts:
    return PersonContacts(
        emails=list(person.emailaddresss.order_by("-is_primary", "id")),
        phones=list(person.phonenumbers.order_by("kind", "-is_primary", "id")),
        socials=list(person.socialaccounts.order_by("platform", "-is_primary", "id")),
        addresses=list(person.postaladdresss.order_by("-is_primary", "id")),
        tags=list(person.tags.values_list("name", flat=True)),
    )


def _moving(other: Person) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for model, foreign_key in person_links():
        if model._meta.auto_created:
            continue
        count = model._base_manager.filter(**{foreign_key.name: other}).count()
        if count:
            label = str(capfirst(model._meta.verbose_name_plural))
            counts[label] = counts.get(label, 0) + count
    tags = other.tags.count()
    if tags:
        counts[str(capfirst(Tag._meta.verbose_name_plural))] = tags
    return list(counts.items())


def merge_comparison(
    viewer: Any,
    kept_id: int,
    other_id: int,
    *,
    chosen: Iterable[str] | None = None,
    channel: str = UI,
) -> MergeComparison:
    """The two people field by field, identity numbers masked for a viewer
    without the permission; records that both were shown. `chosen` (field
    group keys taking the other's value) overrides the suggested choices."""
    found = {
        person.pk: person
        for person in Person.objects.select_related("employer", "owner").filter(
            pk__in=[kept_id, other_id]
        )
    }
    if kept_id not in found or other_id not in found:
        raise Http404
    kept, other = found[kept_id], found[other_id]
    may_see = can_see_identity_numbers(viewer)
    selected = set(chosen) if chosen is not None else None
    rows = []
    for group in field_groups():
        differs = not _same(kept, other, group)
        choosable = differs and (may_see or not group.restricted)
        if not choosable:
            from_other = differs and _takes_other(kept, other, group, set(), may_see)
        elif selected is not None:
            from_other = group.key in selected
        else:
            # Suggest filling what the kept person lacks.
            from_other = not _has_value(kept, group) and _has_value(other, group)
        rows.append(
            FieldRow(
                key=group.key,
                label=group.label,
                kept_value=_shown(kept, group, may_see),
                other_value=_shown(other, group, may_see),
                differs=differs,
                choosable=choosable,
                choice="other" if from_other else "kept",
                is_date=isinstance(Person._meta.get_field(group.key), models.DateField),
            )
        )
    problem = ""
    try:
        check_mergeable(kept, other)
    except ValidationError as error:
        problem = " ".join(error.messages)
    comparison = MergeComparison(
        kept=kept,
        other=other,
        rows=rows,
        kept_contacts=_contacts(kept),
        other_contacts=_contacts(other),
        moving=_moving(other) if not problem else [],
        problem=problem,
        identity_hidden=not may_see and any(row.differs and not row.choosable for row in rows),
    )
    record_access(
        viewer,
        "people.merge_compare",
        "people.person",
        [str(kept.pk), str(other.pk)] if kept.pk != other.pk else [str(kept.pk)],
        channel=channel,
    )
    return comparison
