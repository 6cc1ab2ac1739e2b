"""The pipeline settings: pipelines and their stages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connexion.lib.forms import put_errors
from connexion.sales.forms import PipelineForm, StageForm
from connexion.sales.models import Pipeline, Stage
from connexion.sales.services import pipelines as pipeline_services
from connexion.sales.views.access import deals_access, pipelines_access


@login_required
@deals_access
@pipelines_access
def pipeline_list(request: HttpRequest) -> HttpResponse:
    pipelines = Pipeline.objects.prefetch_related("stages")
    form = PipelineForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = pipeline_services.create_pipeline(
                request.user,
                name_th=form.cleaned_data["name_th"],
                name_en=form.cleaned_data["name_en"],
                is_default=form.cleaned_data["is_default"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Pipeline “%(name)s” created with the usual stages; rename them as you need.")
                % {"name": pipeline},
            )
            return redirect("sales:pipeline_edit", pipeline.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/pipeline_list.html",
        {"pipelines": pipelines, "form": form, "section": "pipelines"},
        status=status,
    )


def _pipeline_page(
    request: HttpRequest,
    pipeline: Pipeline,
    *,
    form: PipelineForm | None = None,
    stage_form: StageForm | None = None,
    stage_errors: dict[int, StageForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    stages = list(pipeline.stages.all())
    stage_forms = []
    for stage in stages:
        bound = (stage_errors or {}).get(stage.pk)
        stage_forms.append(
            (
                stage,
                bound
                or StageForm(
                    prefix=f"stage-{stage.pk}",
                    initial={name: getattr(stage, name) for name in StageForm.base_fields},
                ),
            )
        )
    for stage, stage_form in stage_forms:
        # One table row per stage: its inputs belong to the stage's own form.
        for bound_field in stage_form:
            bound_field.field.widget.attrs.update(
                form=f"stage-form-{stage.pk}",
                **{"aria-label": f"{stage.name_th}: {bound_field.label}"},
            )
    context = {
        "pipeline": pipeline,
        "form": form
        or PipelineForm(
            prefix="pipeline",
            initial={name: getattr(pipeline, name) for name in PipelineForm.base_fields},
        ),
        "stage_forms": stage_forms,
        "new_stage_form": stage_form
        or StageForm(
            prefix="new-stage",
            initial={"order": (stages[-1].order + 10) if stages else 10, "probability": 0},
        ),
        "section": "pipelines",
    }
    return render(request, "sales/pipeline_form.html", context, status=status)


@login_required
@deals_access
@pipelines_access
def pipeline_edit(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    if request.method != "POST":
        return _pipeline_page(request, pipeline)
    form = PipelineForm(request.POST, prefix="pipeline")
    if form.is_valid():
        try:
            pipeline_services.update_pipeline(request.user, pipeline, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
    if form.errors:
        pipeline.refresh_from_db()
        return _pipeline_page(request, pipeline, form=form, status=422)
    messages.success(request, _("Changes saved."))
    return redirect("sales:pipeline_edit", pipeline.pk)


@require_POST
@login_required
@deals_access
@pipelines_access
def pipeline_delete(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    try:
        pipeline_services.delete_pipeline(request.user, pipeline)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:pipeline_edit", pipeline.pk)
    messages.success(request, _("Pipeline deleted."))
    return redirect("sales:pipeline_list")


@require_POST
@login_required
@deals_access
@pipelines_access
def stage_add(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    form = StageForm(request.POST, prefix="new-stage")
    if form.is_valid():
        try:
            pipeline_services.create_stage(request.user, pipeline, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
    if form.errors:
        return _pipeline_page(request, pipeline, stage_form=form, status=422)
    messages.success(request, _("Stage added."))
    return redirect("sales:pipeline_edit", pipeline.pk)


@require_POST
@login_required
@deals_access
@pipelines_access
def stage_edit(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(
        Stage.objects.select_related("pipeline"), pk=stage_id, pipeline_id=pipeline_id
    )
    if request.POST.get("delete"):
        try:
            pipeline_services.delete_stage(request.user, stage)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Stage deleted."))
        return redirect("sales:pipeline_edit", pipeline_id)
    form = StageForm(request.POST, prefix=f"stage-{stage.pk}")
    if form.is_valid():
        try:
            pipeline_services.update_stage(request.user, stage, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
    if form.errors:
        stage.refresh_from_db()
        return _pipeline_page(request, stage.pipeline, stage_errors={stage.pk: form}, status=422)
    messages.success(request, _("Stage saved."))
    return redirect("sales:pipeline_edit", pipeline_id)
