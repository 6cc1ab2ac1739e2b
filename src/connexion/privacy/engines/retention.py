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
from connexion.audit.services import record_access, record_change
from connexion.people.models import LifecycleChange, Person
from connexion.privacy.engines.erasure import erase_category, erase_people
from connexion.privacy.engines.holds import holds_in_force
from connexion.privacy.engines.scopes import (
    blank_value,
    category_scopes,
    dated,
    masked_name,
    whole_rows,
)
from connexion.privacy.models import (
    OPEN_REQUEST_STATUSES,
    ConsentEvent,
    DataExport,
    RetentionRule,
    RetentionRun,
    SubjectRequest,
)

logger = logging.getLogger(__name__)

TASK = AuditEvent.Channel.TASK
UI = AuditEvent.Channel.UI
BATCH_SIZE = 2000
SAMPLE_SIZE = 10
# A run still unfinished after this long is taken to have died.
RUN_TIMEOUT = timedelta(hours=6)


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


def _holds_category(category: str, older_than: datetime | None = None) -> Q:
    """People who still hold data of the category (rows of it older than the cutoff)."""
    condition = Q(pk__in=[])
    for scope, names in category_scopes(category):
        if scope.model is Person:
            continue  # the record itself: the other tables say whether anything is left
        for path in scope.policy.subject:
            rows = scope.model._base_manager.filter(**{path: OuterRef("pk")})
            if older_than is not None:
                if not dated(scope.model):
                    continue
                rows = rows.filter(created_at__lt=older_than)
            if not whole_rows(scope, names):
                filled = Q()
                for name in names:
                    f = scope.model._meta.get_field(name)
                    if f.many_to_many:
                        continue
                    filled |= ~Q(**{name: blank_value(f)}) & Q(**{f"{name}__isnull": False})
                rows = rows.filter(filled) if filled else rows.none()
            condition |= Q(Exists(rows))
    return condition


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
