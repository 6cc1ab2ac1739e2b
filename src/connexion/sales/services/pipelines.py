"""Writes of pipelines and their stages, and the default pipeline seeded
after migrate. Each function is one transaction with one audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor
from connexion.audit.services import record_change
from connexion.sales.models import Deal, Pipeline, Stage, StageChange
from connexion.sales.services.checks import (
    UI,
    add_error,
    audit_created,
    audit_diff,
    merge_model_errors,
    raise_if_any,
)

# (Thai name, English name, probability %, won, lost)
DEFAULT_STAGES = [
    ("คัดกรองแล้ว", "Qualified", 10, False, False),
    ("นัดพบ / นำเสนอ", "Meeting", 25, False, False),
    ("ส่งใบเสนอราคา", "Proposal sent", 50, False, False),
    ("เจรจาต่อรอง", "Negotiation", 75, False, False),
    ("ปิดการขายได้", "Won", 100, True, False),
    ("ไม่สำเร็จ", "Lost", 0, False, True),
]


def seed_default_pipeline(using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: a new installation (or a flushed test database)
    gets one pipeline with the usual stages, named in Thai and English."""
    if Pipeline.objects.using(using).exists():
        return
    with transaction.atomic(using=using):
        pipeline = Pipeline.objects.using(using).create(
            name_th="การขาย", name_en="Sales", is_default=True
        )
        Stage.objects.using(using).bulk_create(
            Stage(
                pipeline=pipeline,
                name_th=name_th,
                name_en=name_en,
                order=(index + 1) * 10,
                probability=probability,
                is_won=won,
                is_lost=lost,
            )
            for index, (name_th, name_en, probability, won, lost) in enumerate(DEFAULT_STAGES)
        )


def _check_pipeline(pipeline: Pipeline, errors: dict[str, list[str]]) -> None:
    for name in ("name_th", "name_en"):
        setattr(pipeline, name, getattr(pipeline, name).strip())
    if not pipeline.name_th:
        add_error(errors, "name_th", _("Give the name in Thai."))
    if not pipeline.name_en:
        add_error(errors, "name_en", _("Give the name in English."))
    merge_model_errors(pipeline, errors, validate_constraints=False)


def _make_only_default(pipeline: Pipeline) -> None:
    Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)


@transaction.atomic
def create_pipeline(
    actor: Actor,
    *,
    name_th: str,
    name_en: str,
    is_default: bool = False,
    channel: str = UI,
) -> Pipeline:
    """A new pipeline starts with the default stages, for staff to rename."""
    order = (Pipeline.objects.aggregate(last=Max("order"))["last"] or 0) + 10
    pipeline = Pipeline(name_th=name_th, name_en=name_en, is_default=is_default, order=order)
    errors: dict[str, list[str]] = {}
    _check_pipeline(pipeline, errors)
    raise_if_any(errors)
    if is_default:
        _make_only_default(pipeline)
    pipeline.save()
    Stage.objects.bulk_create(
        Stage(
            pipeline=pipeline,
            name_th=th,
            name_en=en,
            order=(index + 1) * 10,
            probability=probability,
            is_won=won,
            is_lost=lost,
        )
        for index, (th, en, probability, won, lost) in enumerate(DEFAULT_STAGES)
    )
    record_change(
        actor,
        "sales.create_pipeline",
        pipeline,
        audit_created({"name_th": name_th, "name_en": name_en, "is_default": is_default}),
        channel=channel,
    )
    return pipeline


PIPELINE_FIELDS = {"name_th", "name_en", "order", "is_default", "is_active"}


@transaction.atomic
def update_pipeline(
    actor: Actor, pipeline: Pipeline, *, channel: str = UI, **changes: Any
) -> Pipeline:
    unknown = set(changes) - PIPELINE_FIELDS
    if unknown:
        raise TypeError(f"not pipeline fields: {sorted(unknown)}")
    diff = audit_diff(pipeline, changes)
    for name, value in changes.items():
        setattr(pipeline, name, value)
    errors: dict[str, list[str]] = {}
    _check_pipeline(pipeline, errors)
    if pipeline.is_default and not pipeline.is_active:
        add_error(errors, "is_active", _("The default pipeline must stay in use."))
    if "is_default" in diff and not pipeline.is_default:
        add_error(errors, "is_default", _("Make another pipeline the default instead."))
    raise_if_any(errors)
    if pipeline.is_default:
        _make_only_default(pipeline)
    if diff:
        pipeline.save()
        record_change(actor, "sales.update_pipeline", pipeline, diff, channel=channel)
    return pipeline


@transaction.atomic
def delete_pipeline(actor: Actor, pipeline: Pipeline, *, channel: str = UI) -> None:
    if pipeline.is_default:
        raise ValidationError({"is_default": [_("The default pipeline cannot be deleted.")]})
    if pipeline.deals.exists():
        raise ValidationError(
            {"__all__": [_("This pipeline holds deals; stop using it instead of deleting it.")]}
        )
    record_change(
        actor,
        "sales.delete_pipeline",
        pipeline,
        {"pipeline": [str(pipeline), None]},
        channel=channel,
    )
    pipeline.delete()


STAGE_FIELDS = {"name_th", "name_en", "order", "probability", "is_won", "is_lost"}


def _check_stage(stage: Stage, errors: dict[str, list[str]]) -> None:
    for name in ("name_th", "name_en"):
        setattr(stage, name, str(getattr(stage, name)).strip())
    if not stage.name_th:
        add_error(errors, "name_th", _("Give the name in Thai."))
    if not stage.name_en:
        add_error(errors, "name_en", _("Give the name in English."))
    if not isinstance(stage.probability, int) or not 0 <= stage.probability <= 100:
        add_error(errors, "probability", _("Enter a probability from 0 to 100."))
    if stage.is_won and stage.is_lost:
        add_error(errors, "is_lost", _("A stage cannot be both won and lost."))
    merge_model_errors(stage, errors, exclude=["pipeline"], validate_constraints=False)


def _check_open_stage_left(stage: Stage, errors: dict[str, list[str]], *, deleting: bool) -> None:
    """A pipeline keeps at least one open stage, or no deal could be opened in it."""
    stays_open = not deleting and not (stage.is_won or stage.is_lost)
    others = stage.pipeline.stages.exclude(pk=stage.pk).filter(is_won=False, is_lost=False)
    if not stays_open and not others.exists():
        add_error(errors, "__all__", _("A pipeline needs at least one open stage."))


def stage_status(stage: Stage) -> str:
    if stage.is_won:
        return Deal.Status.WON
    if stage.is_lost:
        return Deal.Status.LOST
    return Deal.Status.OPEN


@transaction.atomic
def create_stage(actor: Actor, pipeline: Pipeline, *, channel: str = UI, **fields: Any) -> Stage:
    unknown = set(fields) - STAGE_FIELDS
    if unknown:
        raise TypeError(f"not stage fields: {sorted(unknown)}")
    if "order" not in fields:
        fields["order"] = (pipeline.stages.aggregate(last=Max("order"))["last"] or 0) + 10
    stage = Stage(pipeline=pipeline, **fields)
    errors: dict[str, list[str]] = {}
    _check_stage(stage, errors)
    raise_if_any(errors)
    stage.save()
    record_change(
        actor,
        "sales.create_stage",
        stage,
        {"pipeline": [None, pipeline.pk], **audit_created(fields)},
        channel=channel,
    )
    return stage


@transaction.atomic
def update_stage(actor: Actor, stage: Stage, *, channel: str = UI, **changes: Any) -> Stage:
    unknown = set(changes) - STAGE_FIELDS
    if unknown:
        raise TypeError(f"not stage fields: {sorted(unknown)}")
    diff = audit_diff(stage, changes)
    for name, value in changes.items():
        setattr(stage, name, value)
    errors: dict[str, list[str]] = {}
    _check_stage(stage, errors)
    if not errors:
        _check_open_stage_left(stage, errors, deleting=False)
    raise_if_any(errors)
    if not diff:
        return stage
    stage.save()
    if {"is_won", "is_lost"} & set(diff):
        # The deals in the stage follow its won/lost flags.
        status = stage_status(stage)
        if status == Deal.Status.LOST and stage.deals.filter(lost_reason="").exists():
            raise ValidationError(
                {
                    "is_lost": [
                        _("Some deals in this stage have no lost reason; give them one first.")
                    ]
                }
            )
        stage.deals.exclude(status=status).update(
            status=status,
            closed_at=None if status == Deal.Status.OPEN else timezone.now(),
        )
    record_change(actor, "sales.update_stage", stage, diff, channel=channel)
    return stage


@transaction.atomic
def delete_stage(actor: Actor, stage: Stage, *, channel: str = UI) -> None:
    if stage.deals.exists():
        raise ValidationError(
            {"__all__": [_("Deals are in this stage; move them to another stage first.")]}
        )
    if StageChange.objects.filter(models.Q(from_stage=stage) | models.Q(to_stage=stage)).exists():
        raise ValidationError(
            {
                "__all__": [
                    _("Deals have been through this stage; rename it instead of deleting it.")
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    _check_open_stage_left(stage, errors, deleting=True)
    raise_if_any(errors)
    record_change(
        actor, "sales.delete_stage", stage, {"stage": [str(stage), None]}, channel=channel
    )
    stage.delete()
