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

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_changes
from connexion.people.models import Person
from connexion.people.services import refresh_person_search_text
from connexion.privacy.engines.holds import hold_refusal, holds_in_force
from connexion.privacy.engines.scopes import (
    MASK,
    Scope,
    Tally,
    _Rows,
    blank_value,
    category_scopes,
    chunks,
    dated,
    id_set,
    mask_value,
    masked_name,
    masked_sql,
    person_links,
    scopes,
    whole_rows,
)
from connexion.privacy.engines.scrub import (
    IdentityPatterns,
    LazyIdentities,
    events_of,
    mask_events,
    remove_matching_leads,
    remove_naming_saved_views,
    scrub_events,
    scrub_import_files,
    scrub_import_reports,
    scrub_values,
)
from connexion.privacy.models import (
    ErasureRecord,
    LegalHold,
    RetentionRule,
    RetentionRun,
    SubjectRequest,
)
from connexion.privacy.registry import (
    ERASURE_POLICIES,
    Erasure,
    Mention,
)

logger = logging.getLogger(__name__)


UI = AuditEvent.Channel.UI


TASK = AuditEvent.Channel.TASK


class ErasureRefused(Exception):
    """The erasure was not done; the message says why (the legal hold in force,
    or that the person's data was already erased)."""

    def __init__(self, message: str, hold: LegalHold | None = None) -> None:
        super().__init__(message)
        self.hold = hold


@dataclass
class ErasureBatch:
    records: list[ErasureRecord] = field(default_factory=list)
    # Person id -> why they were not erased.
    refused: dict[int, str] = field(default_factory=dict)
    held: dict[int, LegalHold] = field(default_factory=dict)


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


def _file_names(rows: _Rows, tally: Tally) -> list[str]:
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


def _mask_row_events(rows: _Rows, tally: Tally) -> None:
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


def _detach(
    scope: Scope, ids: Sequence[int], root_of: dict[int, int], patterns: IdentityPatterns
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
                    scrub_events(scope.label, pks, pattern)
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


def _admit(person_ids: list[int], now: datetime, batch: ErasureBatch) -> dict[int, int]:
    """Locks the people and admits those that may be erased: not erased already, not
    merged into another record, not under a legal hold in force (each refusal is
    noted in the batch). Returns the root person of every row admitted: records
    merged into a person are erased with them."""
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
    return {pk: root for pk, root in root_of.items() if root not in batch.held}


def _masked_names(roots: Sequence[int]) -> dict[int, str]:
    """The names the erasure records keep, masked: read before the names go."""
    return {
        row["pk"]: masked_name(row)
        for row in Person._base_manager.filter(pk__in=id_set(roots)).values(
            "pk", *(f"{p}_name_{s}" for s in ("th", "en") for p in ("first", "middle", "last"))
        )
    }


def _read_before_changes(
    ids: Sequence[int],
    root_of: dict[int, int],
    people: LazyIdentities,
    tally: Tally,
    files: list[str],
    actor: Any,
    channel: str,
) -> list[_Rows]:
    """Everything that reads rows about to change, done first: which rows are the
    people's, the files they hold, the audit entries about them (masked), links
    from other rows (removed), import reports and waiting import files (scrubbed)."""
    patterns = IdentityPatterns(people)
    collected = [_collect(scope, ids, root_of) for scope in scopes() if scope.policy.subject]
    for rows in collected:
        if rows.owner:
            files += _file_names(rows, tally)
            _mask_row_events(rows, tally)
    for scope in scopes():
        for root, count in _detach(scope, ids, root_of, patterns).items():
            tally.add(root, scope.label, "unlinked", count)
    scrub_import_reports(people, tally)
    scrub_import_files(people, tally, actor, files, channel)
    remove_matching_leads(people, tally)
    remove_naming_saved_views(people, tally)
    return collected


def _remove_rows(collected: list[_Rows], now: datetime, tally: Tally) -> None:
    """Deletes or anonymizes the people's rows in every table but the people's own."""
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


def _remove_people(
    collected: list[_Rows], ids: list[int], root_of: dict[int, int], now: datetime, tally: Tally
) -> set[int]:
    """Deletes the people's records, except those something must still point at:
    they stay anonymized, holding nothing. Returns the ids kept."""
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
    return kept


def _record_erasures(
    roots: Sequence[int],
    tally: Tally,
    names: dict[int, str],
    *,
    action: str,
    changes: Callable[[ErasureRecord], dict[str, list[Any]]],
    kept: Callable[[int], bool],
    files: list[str],
    actor: Any,
    request: SubjectRequest | None,
    rule: RetentionRule | None,
    run: RetentionRun | None,
    now: datetime,
    channel: str,
) -> list[ErasureRecord]:
    """One erasure record per person with what was touched per table, their audit
    entries, and the stored files removed once the erasure is committed."""
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
                person_kept=kept(root),
                tables=tally.tables[root],
                files_removed=tally.files[root],
            )
            for root in roots
        ],
        batch_size=1000,
    )
    record_changes(
        actor, action, [(record, changes(record)) for record in records], channel=channel
    )
    delete_files_after_commit(files)
    return records


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
        now = timezone.now()
        batch = ErasureBatch()
        root_of = _admit(list(person_ids), now, batch)
        if not root_of:
            return batch
        ids = sorted(root_of)
        roots = sorted(set(root_of.values()))
        names = _masked_names(roots)
        tally = Tally()
        files: list[str] = []
        collected = _read_before_changes(
            ids, root_of, LazyIdentities(ids, root_of), tally, files, actor, channel
        )
        _remove_rows(collected, now, tally)
        kept = _remove_people(collected, ids, root_of, now, tally)
        batch.records = _record_erasures(
            roots,
            tally,
            names,
            action="privacy.erase_person",
            changes=lambda record: {
                "person": [f"#{record.person_ref}", None],
                "kept_anonymized": [None, record.person_kept],
            },
            kept=lambda root: root in kept,
            files=files,
            actor=actor,
            request=request,
            rule=rule,
            run=run,
            now=now,
            channel=channel,
        )
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


# The person's names stay on a record that is kept: removing them is an erasure.
NAME_FIELDS = {"first_name_th", "last_name_th", "first_name_en", "last_name_en"}


def _category_rows(
    scope: Scope, ids: Sequence[int], root_of: dict[int, int], older_than: datetime | None
) -> dict[Any, int]:
    """The rows of the scope that are the people's (created before `older_than`), by root."""
    owner: dict[Any, int] = {}
    if older_than is not None and not dated(scope.model):
        return owner
    for path in scope.policy.subject:
        rows = scope.rows(ids, (path,))
        if older_than is not None:
            rows = rows.filter(created_at__lt=older_than)
        for pk, person_id in rows.values_list("pk", "pk" if path == "pk" else path):
            owner.setdefault(pk, root_of[person_id])
    return owner


def _remove_category(
    category: str,
    ids: Sequence[int],
    root_of: dict[int, int],
    older_than: datetime | None,
    tally: Tally,
    files: list[str],
) -> dict[int, set[str]]:
    """Deletes the rows that hold nothing but the category, and blanks its fields in
    the others (the audit entries about deleted rows are masked). Returns the
    values removed per root, for scrubbing the person's history."""
    values: dict[int, set[str]] = defaultdict(set)
    for scope, names in category_scopes(category):
        if scope.model is Person:
            names = [name for name in names if name not in NAME_FIELDS]
        owner = _category_rows(scope, ids, root_of, older_than) if names else {}
        if not owner:
            continue
        fields = [scope.model._meta.get_field(name) for name in names]
        plain = [f for f in fields if not f.many_to_many]
        whole = whole_rows(scope, names)
        for chunk in chunks(list(owner)):
            chosen = scope.model._base_manager.filter(pk__in=id_set(chunk))
            for row in chosen.values("pk", *(f.name for f in plain)):
                for f in plain:
                    value = row[f.name]
                    if isinstance(f, models.FileField) and value:
                        files.append(value)
                        tally.files[owner[row["pk"]]] += 1
                    if isinstance(value, str) and len(value) >= 3:
                        values[owner[row["pk"]]].add(value)
            if whole:
                for events in events_of(scope.label, chunk):
                    mask_events(events)
                chosen.delete()
            else:
                _blank_fields(scope, fields, chosen, chunk)
        for root in owner.values():
            tally.add(root, scope.label, "deleted" if whole else "blanked")
    return values


def _blank_fields(
    scope: Scope, fields: list[Any], chosen: QuerySet[Any], chunk: Sequence[Any]
) -> None:
    blank = {}
    for f in fields:
        if f.many_to_many:
            through = f.remote_field.through
            through._base_manager.filter(**{f"{f.m2m_field_name()}__in": chunk}).delete()
        elif f.name not in scope.policy.masked:
            try:
                blank[f.name] = blank_value(f)
            except ValueError:
                continue  # a required field: it stays
    if blank:
        chosen.update(**blank)


def _scrub_history(values: dict[int, set[str]], root_of: dict[int, int], tally: Tally) -> None:
    """The person's own history holds what was added and changed: those values go too."""
    records_of: dict[int, list[int]] = defaultdict(list)
    for pk, root in root_of.items():
        records_of[root].append(pk)
    for root, words in values.items():
        pattern = re.compile(
            "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)),
            re.IGNORECASE,
        )
        for events in events_of("people.person", records_of[root]):
            for pk, details in events.values_list("pk", "details"):
                scrubbed = scrub_values(details, pattern)
                if scrubbed != details:
                    AuditEvent.objects.filter(pk=pk).redact(details=scrubbed)
                    tally.add(root, "audit.auditevent", "masked")


def erase_category(
    person_ids: Sequence[int],
    category: str,
    *,
    actor: Any,
    rule: RetentionRule | None = None,
    run: RetentionRun | None = None,
    older_than: datetime | None = None,
    channel: str = TASK,
) -> ErasureBatch:
    """Deletes one data category of these people (rows older than `older_than`
    only, when given): rows holding nothing else are deleted, other rows lose
    those fields; the audit entries about them lose the values. The people's
    records stay. One transaction, admitted like every erasure: a legal hold
    refuses it per person."""
    with transaction.atomic():
        now = timezone.now()
        batch = ErasureBatch()
        root_of = _admit(list(person_ids), now, batch)
        if not root_of:
            return batch
        tally = Tally()
        files: list[str] = []
        values = _remove_category(category, sorted(root_of), root_of, older_than, tally, files)
        _scrub_history(values, root_of, tally)
        touched = sorted(root for root in set(root_of.values()) if tally.tables.get(root))
        for person in Person.objects.filter(pk__in=id_set(touched)):
            refresh_person_search_text(person)
        batch.records = _record_erasures(
            touched,
            tally,
            _masked_names(touched),
            action="privacy.erase_category",
            changes=lambda record: {"category": [None, category]},
            kept=lambda root: True,
            files=files,
            actor=actor,
            request=None,
            rule=rule,
            run=run,
            now=now,
            channel=channel,
        )
        return batch


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
