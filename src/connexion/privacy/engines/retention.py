"""The retention engine (policy clause 7): rules say how long data about whom
may be kept; a daily task applies them through the erasure engine, in batches;
a preview shows what the next run would touch. Every run is recorded with its
counts; a legal hold stops it for the person it covers.

When does a rule's time start?

- "no activity for N months": the latest of the record's last change
  (Person.updated_at), the person's last consent given or withdrawn, and the
  last activity recorded with them (sales.Activity.occurred_at, as the person
  or a participant, when the sales app is installed);
- "relationship ended more than N months ago": the last change of the person's
  lifecycle stage to former customer (or the record's creation when it never
  changed);
- "record older than N months": the record's creation; for a rule that deletes
  one data category, the creation of each row of that category.

People waiting for the answer to a request of theirs are left for the next run."""

from __future__ import annotations

import calendar
import logging
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access, record_change, record_changes
from connexion.people.models import LifecycleChange, Person
from connexion.people.services import refresh_person_search_text
from connexion.privacy.engines.erasure import (
    MASK,
    ErasureBatch,
    Scope,
    blank_value,
    chunks,
    delete_files_after_commit,
    erase_people,
    events_of,
    holds_in_force,
    id_set,
    lock_people,
    mask_events,
    masked_name,
    scopes,
    scrub_values,
)
from connexion.privacy.models import (
    OPEN_REQUEST_STATUSES,
    ConsentEvent,
    DataExport,
    ErasureRecord,
    RetentionRule,
    RetentionRun,
    SubjectRequest,
)
from connexion.privacy.registry import DERIVED_FIELDS, Erasure, personal_fields

logger = logging.getLogger(__name__)

TASK = AuditEvent.Channel.TASK
UI = AuditEvent.Channel.UI
BATCH_SIZE = 2000
SAMPLE_SIZE = 10
# A run still unfinished after this long is taken to have died.
RUN_TIMEOUT = timedelta(hours=6)
# The person's names stay on a record that is kept: removing them is an erasure.
NAME_FIELDS = {"first_name_th", "last_name_th", "first_name_en", "last_name_en"}


def months_before(at: datetime, months: int) -> datetime:
    month_index = at.year * 12 + at.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(at.day, calendar.monthrange(year, month + 1)[1])
    return at.replace(year=year, month=month + 1, day=day)


def _activity_model() -> type[models.Model] | None:
    if not apps.is_installed("connexion.sales"):
        return None
    try:
        return apps.get_model("sales", "Activity")
    except LookupError:
        return None


def active_since(cutoff: datetime) -> Q:
    """People with any activity at or after `cutoff` (see the module's description)."""
    return Q(updated_at__gte=cutoff) | recent_events(cutoff)


def recent_events(cutoff: datetime) -> Q:
    """People with a consent event or a sales activity at or after `cutoff`."""
    condition = Q(
        Exists(ConsentEvent.objects.filter(person=OuterRef("pk"), occurred_at__gte=cutoff))
    )
    activity = _activity_model()
    if activity is not None:
        condition |= Q(
            Exists(activity._base_manager.filter(person=OuterRef("pk"), occurred_at__gte=cutoff))
        )
        if any(f.name == "participants" for f in activity._meta.many_to_many):
            condition |= Q(
                Exists(
                    activity._base_manager.filter(
                        participants=OuterRef("pk"), occurred_at__gte=cutoff
                    )
                )
            )
    return condition


def last_activity(person_ids: Sequence[int]) -> dict[int, datetime]:
    """The date "no activity" counts from, for a few people (the preview's samples)."""
    latest: dict[int, datetime] = dict(
        Person.objects.filter(pk__in=person_ids).values_list("pk", "updated_at")
    )

    def later(pairs: Any) -> None:
        for pk, at in pairs:
            if at and at > latest.get(pk, at):
                latest[pk] = at

    later(
        ConsentEvent.objects.filter(person__in=person_ids)
        .values("person")
        .annotate(at=Max("occurred_at"))
        .values_list("person", "at")
    )
    activity = _activity_model()
    if activity is not None:
        later(
            activity._base_manager.filter(person__in=person_ids)
            .values("person")
            .annotate(at=Max("occurred_at"))
            .values_list("person", "at")
        )
    return latest


# --- which people a rule applies to --------------------------------------------------


def _category_scopes(category: str) -> list[tuple[Scope, list[str]]]:
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


def _whole_rows(scope: Scope, names: list[str]) -> bool:
    """A row that holds nothing but the category goes; others lose its fields."""
    personal = set(personal_fields(scope.model)) - DERIVED_FIELDS.get(scope.label, set())
    return scope.policy.action == Erasure.DELETE and personal <= set(names)


def _holds_category(category: str, older_than: datetime | None = None) -> Q:
    """People who still hold data of the category (rows of it older than the cutoff)."""
    condition = Q(pk__in=[])
    for scope, names in _category_scopes(category):
        if scope.model is Person:
            continue  # the record itself: the other tables say whether anything is left
        for path in scope.policy.subject:
            rows = scope.model._base_manager.filter(**{path: OuterRef("pk")})
            if older_than is not None:
                if not _dated(scope.model):
                    continue
                rows = rows.filter(created_at__lt=older_than)
            if not _whole_rows(scope, names):
                filled = Q()
                for name in names:
                    f = scope.model._meta.get_field(name)
                    if f.many_to_many:
                        continue
                    filled |= ~Q(**{name: blank_value(f)}) & Q(**{f"{name}__isnull": False})
                rows = rows.filter(filled) if filled else rows.none()
            condition |= Q(Exists(rows))
    return condition


def _dated(model: type[models.Model]) -> bool:
    return any(f.name == "created_at" for f in model._meta.concrete_fields)


def rule_candidates(rule: RetentionRule, at: datetime | None = None) -> QuerySet[Person]:
    """The people whose time under this rule is up, holds and open requests
    included (the run leaves those alone and counts them)."""
    at = at or timezone.now()
    cutoff = months_before(at, rule.months)
    people = Person.objects.filter(anonymized_at__isnull=True, merged_into__isnull=True)
    if rule.lifecycle_stage:
        people = people.filter(lifecycle_stage=rule.lifecycle_stage)
    if rule.trigger == RetentionRule.Trigger.NO_ACTIVITY:
        people = people.filter(updated_at__lt=cutoff).exclude(active_since(cutoff))
    elif rule.trigger == RetentionRule.Trigger.RELATIONSHIP_ENDED:
        ended = (
            LifecycleChange.objects.filter(
                person=OuterRef("pk"), stage=Person.Lifecycle.FORMER_CUSTOMER
            )
            .order_by()
            .values("person")
            .annotate(at=Max("changed_at"))
            .values("at")
        )
        people = (
            people.filter(lifecycle_stage=Person.Lifecycle.FORMER_CUSTOMER)
            .annotate(ended_at=Coalesce(Subquery(ended), F("created_at")))
            .filter(ended_at__lt=cutoff)
        )
    elif rule.action == RetentionRule.Action.ANONYMIZE:
        people = people.filter(created_at__lt=cutoff)
    if rule.action == RetentionRule.Action.DELETE_CATEGORY:
        row_age = cutoff if rule.trigger == RetentionRule.Trigger.RECORD_AGE else None
        people = people.filter(_holds_category(rule.category, row_age))
    return people


def _waiting_for_request() -> set[int]:
    return set(
        SubjectRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, person__isnull=False)
        .values_list("person_id", flat=True)
        .distinct()
    )


def _held(at: datetime) -> set[int]:
    return set(holds_in_force(at).values_list("person_id", flat=True).distinct())


# --- the preview ------------------------------------------------------------------------


@dataclass
class Sample:
    person_ref: int
    masked_name: str
    lifecycle_stage: str
    last_activity: datetime | None


@dataclass
class RulePreview:
    rule: RetentionRule
    matched: int
    held: int
    waiting: int
    samples: list[Sample] = field(default_factory=list)

    @property
    def to_apply(self) -> int:
        return self.matched - self.held - self.waiting


def preview(viewer: Any, at: datetime | None = None) -> list[RulePreview]:
    """What the next run would touch, per rule in force: counts and a few
    records, their names masked. Changes nothing."""
    at = at or timezone.now()
    held, waiting = _held(at), _waiting_for_request()
    previews = []
    shown: list[int] = []
    for rule in RetentionRule.objects.filter(is_active=True).order_by("id"):
        candidates = rule_candidates(rule, at)
        matched = candidates.count()
        sample_rows = list(
            candidates.order_by("pk").values(
                "pk",
                "lifecycle_stage",
                *(f"{p}_name_{s}" for s in ("th", "en") for p in ("first", "middle", "last")),
            )[:SAMPLE_SIZE]
        )
        activity = last_activity([row["pk"] for row in sample_rows])
        stages = dict(Person.Lifecycle.choices)
        previews.append(
            RulePreview(
                rule=rule,
                matched=matched,
                held=candidates.filter(pk__in=held).count() if held else 0,
                waiting=candidates.filter(pk__in=waiting).count() if waiting else 0,
                samples=[
                    Sample(
                        row["pk"],
                        masked_name(row),
                        str(stages.get(row["lifecycle_stage"], row["lifecycle_stage"])),
                        activity.get(row["pk"]),
                    )
                    for row in sample_rows
                ],
            )
        )
        shown += [row["pk"] for row in sample_rows]
    if shown:
        record_access(
            viewer, "privacy.retention_preview", "people.person", [str(pk) for pk in shown]
        )
    return previews


# --- one data category of people --------------------------------------------------------


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
    records stay. One transaction; a legal hold refuses it per person."""
    with transaction.atomic():
        return _erase_category(list(person_ids), category, actor, rule, run, older_than, channel)


def _erase_category(
    person_ids: list[int],
    category: str,
    actor: Any,
    rule: RetentionRule | None,
    run: RetentionRun | None,
    older_than: datetime | None,
    channel: str,
) -> ErasureBatch:
    now = timezone.now()
    batch = ErasureBatch()
    live = [
        pk for pk, merged, erased in lock_people(person_ids) if merged is None and erased is None
    ]
    for pk in set(person_ids) - set(live):
        batch.refused[pk] = _("This person's data was already erased.")
    for hold in holds_in_force(now).filter(person__in=id_set(live)):
        batch.held.setdefault(hold.person_id, hold)
    ids = [pk for pk in live if pk not in batch.held]
    if not ids:
        return batch
    tables: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    values: dict[int, set[str]] = defaultdict(set)
    files: list[str] = []
    for scope, names in _category_scopes(category):
        if scope.model is Person:
            names = [name for name in names if name not in NAME_FIELDS]
        if not names:
            continue
        owner: dict[Any, int] = {}
        for path in scope.policy.subject:
            rows = scope.rows(ids, (path,))
            if older_than is not None:
                if not _dated(scope.model):
                    continue
                rows = rows.filter(created_at__lt=older_than)
            for pk, person_id in rows.values_list("pk", "pk" if path == "pk" else path):
                owner.setdefault(pk, person_id)
        if not owner:
            continue
        fields = [scope.model._meta.get_field(name) for name in names]
        plain = [f for f in fields if not f.many_to_many]
        whole = _whole_rows(scope, names)
        for chunk in chunks(list(owner)):
            chosen = scope.model._base_manager.filter(pk__in=id_set(chunk))
            for row in chosen.values("pk", *(f.name for f in plain)):
                for f in plain:
                    value = row[f.name]
                    if isinstance(f, models.FileField) and value:
                        files.append(value)
                    if isinstance(value, str) and len(value) >= 3:
                        values[owner[row["pk"]]].add(value)
            if whole:
                for events in events_of(scope.label, chunk):
                    mask_events(events)
                chosen.delete()
            else:
                blank = {}
                for f in plain:
                    if f.name in scope.policy.masked:
                        continue
                    try:
                        blank[f.name] = blank_value(f)
                    except ValueError:
                        continue  # a required field: it stays
                if blank:
                    chosen.update(**blank)
                for f in fields:
                    if f.many_to_many:
                        through = f.remote_field.through  # type: ignore[attr-defined]
                        through._base_manager.filter(
                            **{f"{f.m2m_field_name()}__in": chunk}  # type: ignore[attr-defined]
                        ).delete()
        what = "deleted" if whole else "blanked"
        for person_id in owner.values():
            table = tables[person_id].setdefault(scope.label, {})
            table[what] = table.get(what, 0) + 1
    # The person's own history holds what was added and changed: those values go too.
    for person_id in ids:
        words = sorted(values.get(person_id, ()), key=len, reverse=True)
        if not words:
            continue
        pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
        masked = 0
        for events in events_of("people.person", [person_id]):
            for pk, details in events.values_list("pk", "details"):
                scrubbed = scrub_values(details, pattern)
                if scrubbed != details:
                    AuditEvent.objects.filter(pk=pk).redact(details=scrubbed)
                    masked += 1
        if masked:
            tables[person_id]["audit.auditevent"] = {"masked": masked}
    for person in Person.objects.filter(pk__in=[pk for pk in ids if tables.get(pk)]):
        refresh_person_search_text(person)
    names_of = {
        row["pk"]: masked_name(row)
        for row in Person.objects.filter(pk__in=ids).values(
            "pk", *(f"{p}_name_{s}" for s in ("th", "en") for p in ("first", "middle", "last"))
        )
    }
    records = ErasureRecord.objects.bulk_create(
        [
            ErasureRecord(
                person_ref=pk,
                masked_name=names_of.get(pk, MASK),
                rule=rule,
                run=run,
                approved_by=actor if getattr(actor, "pk", None) else None,
                performed_at=now,
                person_kept=True,
                tables=tables[pk],
                files_removed=0,
            )
            for pk in ids
            if tables.get(pk)
        ]
    )
    record_changes(
        actor,
        "privacy.erase_category",
        [(record, {"category": [None, category]}) for record in records],
        channel=channel,
    )
    delete_files_after_commit(files)
    batch.records = records
    return batch


# --- the run ------------------------------------------------------------------------------


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _apply(
    rule: RetentionRule, run: RetentionRun, actor: Any, at: datetime, batch_size: int
) -> dict[str, int]:
    held, waiting = _held(at), _waiting_for_request()
    ids = list(rule_candidates(rule, at).order_by("pk").values_list("pk", flat=True))
    counts = {"matched": len(ids), "erased": 0, "held": 0, "waiting": 0}
    todo = []
    for pk in ids:
        if pk in held:
            counts["held"] += 1
        elif pk in waiting:
            counts["waiting"] += 1
        else:
            todo.append(pk)
    if run.dry_run:
        counts["would_erase"] = len(todo)
        return counts
    row_age = months_before(at, rule.months)
    for batch_ids in _batches(todo, batch_size):
        if rule.action == RetentionRule.Action.DELETE_CATEGORY:
            older = row_age if rule.trigger == RetentionRule.Trigger.RECORD_AGE else None
            batch = erase_category(
                batch_ids, rule.category, actor=actor, rule=rule, run=run, older_than=older
            )
        else:
            batch = erase_people(batch_ids, actor=actor, rule=rule, run=run, channel=TASK)
        counts["erased"] += len(batch.records)
        counts["held"] += len(batch.held)
        RetentionRun.objects.filter(pk=run.pk).update(counts={**run.counts, str(rule.pk): counts})
    return counts


def run_retention(
    *,
    actor: Any = None,
    dry_run: bool = False,
    at: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> RetentionRun:
    """Applies every rule in force, batch by batch (each batch one transaction
    through the erasure engine), and records the run with its counts per rule."""
    at = at or timezone.now()
    running = RetentionRun.objects.filter(
        finished_at__isnull=True, dry_run=False, started_at__gt=at - RUN_TIMEOUT
    )
    if not dry_run and running.exists():
        raise ValidationError({"run": [_("A retention run is already in progress.")]})
    run = RetentionRun.objects.create(
        started_at=timezone.now(),
        dry_run=dry_run,
        triggered_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        for rule in RetentionRule.objects.filter(is_active=True).order_by("id"):
            run.counts[str(rule.pk)] = _apply(rule, run, actor, at, batch_size)
            RetentionRun.objects.filter(pk=run.pk).update(counts=run.counts)
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.exception("retention run %s failed", run.pk)
        raise
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "finished_at", "error"])
        record_change(
            actor,
            "privacy.retention_run",
            run,
            {"counts": [None, run.counts], "dry_run": [None, dry_run]},
            channel=UI if getattr(actor, "pk", None) else TASK,
        )
    return run


def purge_expired_exports(at: datetime | None = None) -> int:
    """A bundle whose link has expired is deleted from storage; its record stays."""
    at = at or timezone.now()
    expired = list(DataExport.objects.filter(expires_at__lt=at).exclude(file="")[:1000])
    for export in expired:
        export.file.delete(save=False)
    DataExport.objects.filter(pk__in=[e.pk for e in expired]).update(file="")
    return len(expired)


# --- the rules ------------------------------------------------------------------------------


RULE_FIELDS = (
    "name_th",
    "name_en",
    "description_th",
    "description_en",
    "lifecycle_stage",
    "category",
    "purpose",
    "trigger",
    "months",
    "action",
    "is_active",
)


def check_rule(rule: RetentionRule) -> None:
    errors: dict[str, list[str]] = {}
    if not rule.name_th.strip() and not rule.name_en.strip():
        errors["name_th"] = [_("Give the rule a name in Thai or English.")]
    if rule.months is None or not 1 <= rule.months <= 1200:
        errors["months"] = [_("Give a number of months from 1 to 1200.")]
    if rule.action == RetentionRule.Action.DELETE_CATEGORY and not rule.category:
        errors["category"] = [_("Choose the data category to delete.")]
    if rule.trigger == RetentionRule.Trigger.RELATIONSHIP_ENDED and rule.lifecycle_stage not in {
        "",
        Person.Lifecycle.FORMER_CUSTOMER,
    }:
        errors["lifecycle_stage"] = [
            _("A relationship has ended only for former customers: choose that stage.")
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_rule(actor: Any, rule: RetentionRule, *, audit_channel: str = UI) -> RetentionRule:
    """Creates or changes a rule, with its before and after in the audit log."""
    check_rule(rule)
    before = (
        RetentionRule.objects.filter(pk=rule.pk).values(*RULE_FIELDS).first() if rule.pk else None
    )
    rule.updated_by = actor if getattr(actor, "pk", None) else None
    rule.save()
    after = RetentionRule.objects.filter(pk=rule.pk).values(*RULE_FIELDS).get()
    changes = {
        name: [before[name] if before else None, value]
        for name, value in after.items()
        if before is None or before[name] != value
    }
    record_change(
        actor,
        "privacy.update_retention_rule" if before else "privacy.create_retention_rule",
        rule,
        changes,
        channel=audit_channel,
    )
    return rule
