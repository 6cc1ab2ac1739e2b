"""Pages of the sales area: deals (list and kanban board), leads, products and
the pipeline settings. Thin: parse, call a service or a selector, render."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connexion.accounts.visibility import visible_or_404
from connexion.lib.http import parse_id, text_param
from connexion.people.models import SavedView
from connexion.people.selectors import person_or_404
from connexion.sales import selectors, services
from connexion.sales.forms import (
    ConvertForm,
    DealFilterForm,
    DealForm,
    DealLineForm,
    InterestForm,
    LeadFilterForm,
    LeadForm,
    LeadStatusForm,
    MoveForm,
    PipelineForm,
    ProductForm,
    StageForm,
    minor_units,
)
from connexion.sales.models import Deal, Lead, Pipeline, Product, ProductInterest, Stage

deals_access = permission_required("accounts.access_deals", raise_exception=True)
pipelines_access = permission_required("sales.manage_pipelines", raise_exception=True)
SAVED_VIEW_LIST = "deals"


def _put_errors(form: Any, error: ValidationError) -> None:
    """Shows a service's errors next to the fields they name."""
    for name, field_errors in error.message_dict.items():
        for message in field_errors:
            form.add_error(name if name in form.fields else None, message)


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


# --- the deal list ----------------------------------------------------------


def _deal_filters(form: DealFilterForm) -> selectors.DealFilters:
    # An invalid filter is shown with its error and left out of the query.
    data = form.cleaned_data if form.is_bound else {}
    errors = form.errors if form.is_bound else {}

    def ok(name: str) -> Any:
        return None if name in errors else data.get(name)

    owner = ok("owner")
    return selectors.DealFilters(
        query=ok("q") or "",
        pipeline=ok("pipeline") or None,
        stage=ok("stage") or None,
        owner=owner.pk if owner else None,
        status=ok("status") or "",
        close_from=ok("close_from"),
        close_to=ok("close_to"),
        amount_min=ok("amount_min_minor"),
        amount_max=ok("amount_max_minor"),
        closed_from=ok("closed_from"),
        closed_to=ok("closed_to"),
        sort=ok("sort") or "updated",
    )


@login_required
@deals_access
def deal_list(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = Deal.Status.OPEN  # the working view: open deals
    stages = selectors.stage_map()
    form = DealFilterForm(params, stages=stages)
    form.is_valid()
    filters = _deal_filters(form)
    page = selectors.deals_page(request.user, filters, request.GET.get("cursor"), stages=stages)
    query_string = params.copy()
    query_string.pop("cursor", None)
    context = {
        "page": page,
        "form": form,
        "query_string": query_string.urlencode(),
        "section": "deals",
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "sales/deal_rows.html", context)
    context["sums"] = selectors.stage_sums(request.user, filters, stages)
    context["total"] = sum(s.total for s in context["sums"])
    context["count"] = sum(s.count for s in context["sums"])
    if request.htmx:
        return render(request, "sales/deal_results.html", context)
    context["saved_views"] = SavedView.objects.filter(user=request.user, list_name=SAVED_VIEW_LIST)
    return render(request, "sales/deal_list.html", context)


@require_POST
@login_required
@deals_access
def save_view(request: HttpRequest) -> HttpResponse:
    name = text_param(request.POST, "name", 80).strip()
    query_string = text_param(request.POST, "query_string", 1000)
    if not name:
        messages.error(request, _("Give the view a name."))
    else:
        SavedView.objects.update_or_create(
            user=request.user,
            list_name=SAVED_VIEW_LIST,
            name=name,
            defaults={"query_string": query_string},
        )
        messages.success(request, _("View “%(name)s” saved.") % {"name": name})
    return redirect(f"{reverse('sales:deal_list')}?{query_string}")


@require_POST
@login_required
@deals_access
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    get_object_or_404(SavedView, pk=view_id, user=request.user, list_name=SAVED_VIEW_LIST).delete()
    return redirect("sales:deal_list")


# --- one deal ---------------------------------------------------------------


def _deal_page(
    request: HttpRequest,
    deal_id: int,
    *,
    move_form: MoveForm | None = None,
    line_form: DealLineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.deal_detail(request.user, deal_id)
    context = {
        "detail": detail,
        "deal": detail.deal,
        "move_form": move_form or MoveForm(prefix="move"),
        "line_form": line_form or DealLineForm(prefix="line"),
        "section": "deals",
    }
    return render(request, "sales/deal_detail.html", context, status=status)


@login_required
@deals_access
def deal_page(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _deal_page(request, deal_id)


@login_required
@deals_access
def deal_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"owner": request.user}
    for name in ("stage", "person", "organization"):
        pk = parse_id(request.GET.get(name))
        if pk is not None:
            initial[name] = pk
    form = DealForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        stage = form.cleaned_data["stage"]
        try:
            deal = services.create_deal(
                request.user,
                pipeline=stage.pipeline,
                stage=stage,
                **form.deal_values(),
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Deal “%(title)s” created.") % {"title": deal.title})
            return redirect("sales:deal_detail", deal.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/deal_form.html",
        {"form": form, "creating": True, "section": "deals"},
        status=status,
    )


@login_required
@deals_access
def deal_edit(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = visible_or_404(request.user, Deal.objects.all(), deal_id)
    form = DealForm(request.POST or None, initial=DealForm.initial_for(deal), deal=deal)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_deal(request.user, deal, **form.deal_values())
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:deal_detail", deal.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/deal_form.html",
        {"form": form, "deal": deal, "section": "deals"},
        status=status,
    )


@require_POST
@login_required
@deals_access
def deal_delete(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = visible_or_404(request.user, Deal.objects.all(), deal_id)
    services.delete_deal(request.user, deal)
    messages.success(request, _("Deal “%(title)s” deleted.") % {"title": deal.title})
    return redirect("sales:deal_list")


@require_POST
@login_required
@deals_access
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """From the board (drag and drop or the card's own form) or the deal page.
    The board gets itself back, sums included; errors come back with it."""
    deal = visible_or_404(request.user, Deal.objects.select_related("pipeline"), deal_id)
    on_board = request.POST.get("from") == "board"
    form = MoveForm(request.POST, prefix=None if on_board else "move")
    moved = False
    if form.is_valid():
        try:
            services.move_deal(
                request.user,
                deal,
                form.cleaned_data["stage"],
                lost_reason=form.cleaned_data["lost_reason"],
            )
            moved = True
        except ValidationError as error:
            _put_errors(form, error)
    if on_board:
        owner = request.POST.get("owner", "")
        context = _board_context(request, deal.pipeline, owner)
        context.update(move_form=form, moved_deal=deal.pk, failed=not moved)
        if moved:
            stage = form.cleaned_data["stage"]
            context["announcement"] = _("“%(title)s” moved to %(stage)s.") % {
                "title": deal.title,
                "stage": stage,
            }
        return render(request, "sales/board_content.html", context, status=200 if moved else 422)
    if moved:
        messages.success(request, _("Stage changed."))
        return redirect("sales:deal_detail", deal.pk)
    return _deal_page(request, deal.pk, move_form=form, status=422)


@require_POST
@login_required
@deals_access
def deal_line_add(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = visible_or_404(request.user, Deal.objects.all(), deal_id)
    form = DealLineForm(request.POST, prefix="line")
    if form.is_valid():
        price = minor_units(form, "unit_price", form.cleaned_data["unit_price"], deal.currency)
        if not form.errors:
            try:
                services.add_deal_line(
                    request.user,
                    deal,
                    form.cleaned_data["product"],
                    form.cleaned_data["quantity"],
                    price,
                )
            except ValidationError as error:
                _put_errors(form, error)
    if form.errors:
        return _deal_page(request, deal.pk, line_form=form, status=422)
    messages.success(request, _("Product added."))
    return redirect("sales:deal_detail", deal.pk)


@require_POST
@login_required
@deals_access
def deal_line_remove(request: HttpRequest, deal_id: int, line_id: int) -> HttpResponse:
    deal = visible_or_404(request.user, Deal.objects.all(), deal_id)
    get_object_or_404(deal.lines, pk=line_id)
    services.remove_deal_line(request.user, deal, line_id)
    messages.success(request, _("Product removed."))
    return redirect("sales:deal_detail", deal.pk)


# --- the kanban board -------------------------------------------------------


def _stage_options(stages: list[Stage]) -> str:
    """The options of every card's "move to" list, rendered once per board."""
    return format_html_join("", '<option value="{}">{}</option>', ((s.pk, str(s)) for s in stages))


def _card_context() -> dict[str, str]:
    """What every card repeats, worked out once per board (hundreds of cards)."""
    return {
        "deals_url": reverse("sales:deal_detail", args=[0]).removesuffix("0/"),
        "move_label": _("Move"),
    }


def _board_context(request: HttpRequest, pipeline: Pipeline, owner: str) -> dict[str, Any]:
    owner_id = parse_id(owner)
    board = selectors.board(request.user, pipeline, owner=owner_id)
    stages = [column.stage for column in board.columns]
    return {
        "board": board,
        "pipeline": pipeline,
        "pipelines": Pipeline.objects.filter(is_active=True),
        "owner": owner_id,
        "stage_options": format_html(
            '<option value="">{}</option>{}', _("Move to…"), _stage_options(stages)
        ),
        **_card_context(),
        "section": "board",
    }


@login_required
@deals_access
def board(request: HttpRequest, pipeline_id: int | None = None) -> HttpResponse:
    if pipeline_id is None:
        pipeline = selectors.default_pipeline()
        if pipeline is None:
            raise Http404
    else:
        pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    context = _board_context(request, pipeline, request.GET.get("owner", ""))
    return render(request, "sales/board.html", context)


@login_required
@deals_access
def board_more(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_id)
    owner = request.GET.get("owner", "")
    cards, next_cursor = selectors.stage_cards(
        request.user,
        stage,
        request.GET.get("cursor"),
        owner=parse_id(owner),
    )
    stages = list(stage.pipeline.stages.all())
    context = {
        "cards": cards,
        "stage": stage,
        "next_cursor": next_cursor,
        "owner": owner,
        "stage_options": format_html(
            '<option value="">{}</option>{}', _("Move to…"), _stage_options(stages)
        ),
        **_card_context(),
    }
    return render(request, "sales/board_cards.html", context)


# --- leads ------------------------------------------------------------------


@login_required
@deals_access
def lead_list(request: HttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    owner = data.get("owner")
    filters = selectors.LeadFilters(
        query=data.get("q", ""),
        status=data.get("status", ""),
        source=data.get("source", ""),
        owner=owner.pk if owner else None,
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        sort=data.get("sort") or "newest",
    )
    page = selectors.leads_page(request.user, filters, request.GET.get("cursor"))
    context = {
        "page": page,
        "form": form,
        "query_string": _query_string(request),
        "section": "leads",
    }
    template = "sales/lead_rows.html" if request.htmx else "sales/lead_list.html"
    return render(request, template, context)


@login_required
@deals_access
def lead_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"owner": request.user}
    person_id = parse_id(request.GET.get("person"))
    if person_id is not None:
        initial["person"] = person_id
    form = LeadForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.create_lead(
                request.user, products=list(form.cleaned_data["products"]), **form.lead_values()
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Lead “%(title)s” added.") % {"title": lead.title})
            return redirect("sales:lead_detail", lead.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/lead_form.html",
        {"form": form, "creating": True, "section": "leads"},
        status=status,
    )


@login_required
@deals_access
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = visible_or_404(request.user, Lead.objects.all(), lead_id)
    form = LeadForm(request.POST or None, initial=LeadForm.initial_for(lead))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_lead(
                request.user,
                lead,
                products=list(form.cleaned_data["products"]),
                **form.lead_values(),
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:lead_detail", lead.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/lead_form.html",
        {"form": form, "lead": lead, "section": "leads"},
        status=status,
    )


def _lead_page(
    request: HttpRequest, lead_id: int, status_form: LeadStatusForm | None = None, status: int = 200
) -> HttpResponse:
    lead = selectors.lead_detail(request.user, lead_id)
    context = {
        "lead": lead,
        "status_form": status_form
        or LeadStatusForm(
            prefix="status",
            initial={"status": lead.status, "disqualified_reason": lead.disqualified_reason},
        ),
        "section": "leads",
    }
    return render(request, "sales/lead_detail.html", context, status=status)


@login_required
@deals_access
def lead_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _lead_page(request, lead_id)


@require_POST
@login_required
@deals_access
def lead_status(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = visible_or_404(request.user, Lead.objects.all(), lead_id)
    form = LeadStatusForm(request.POST, prefix="status")
    if form.is_valid():
        try:
            services.set_lead_status(
                request.user,
                lead,
                form.cleaned_data["status"],
                reason=form.cleaned_data["disqualified_reason"],
            )
        except ValidationError as error:
            _put_errors(form, error)
    if form.errors:
        return _lead_page(request, lead.pk, status_form=form, status=422)
    messages.success(request, _("Status changed."))
    return redirect("sales:lead_detail", lead.pk)


@login_required
@deals_access
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = visible_or_404(
        request.user, Lead.objects.select_related("person", "organization"), lead_id
    )
    if lead.is_converted:
        messages.info(request, _("This lead was already converted."))
        return redirect("sales:deal_detail", lead.converted_deal_id)
    pipeline = selectors.default_pipeline()
    first_stage = (
        pipeline.stages.filter(is_won=False, is_lost=False).order_by("order", "id").first()
        if pipeline
        else None
    )
    initial = {
        "title": lead.title,
        "owner": lead.owner or request.user,
        "stage": first_stage,
        "create_person": bool(lead.first_name or lead.last_name),
        "create_organization": bool(lead.company_name),
        "channel": services.LEAD_SOURCE_CHANNELS[Lead.SourceKind(lead.source)],
    }
    form = ConvertForm(request.POST or None, initial=initial, lead=lead)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        conversion = services.Conversion(
            pipeline=data["stage"].pipeline,
            stage=data["stage"],
            title=data["title"],
            person=data.get("person"),
            organization=data.get("organization"),
            create_person=data.get("create_person", False),
            create_organization=data.get("create_organization", False),
            channel=data.get("channel", ""),
            owner=data.get("owner"),
            amount=data.get("amount_minor"),
            currency=data["currency"],
            exchange_rate=data.get("exchange_rate"),
            expected_close_date=data.get("expected_close_date"),
        )
        if not form.errors:
            try:
                deal = services.convert_lead(request.user, lead, conversion)
            except ValidationError as error:
                _put_errors(form, error)
            else:
                messages.success(
                    request, _("Lead converted: deal “%(title)s” opened.") % {"title": deal.title}
                )
                return redirect("sales:deal_detail", deal.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/lead_convert.html",
        {"form": form, "lead": lead, "section": "leads"},
        status=status,
    )


@require_POST
@login_required
@deals_access
def lead_delete(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = visible_or_404(request.user, Lead.objects.all(), lead_id)
    try:
        services.delete_lead(request.user, lead)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:lead_detail", lead.pk)
    messages.success(request, _("Lead deleted."))
    return redirect("sales:lead_list")


# --- products ---------------------------------------------------------------


@login_required
@deals_access
def product_list(request: HttpRequest) -> HttpResponse:
    products = Product.objects.select_related("partner").order_by("-is_active", "code")
    return render(
        request,
        "sales/product_list.html",
        {
            "products": products,
            "section": "products",
            "may_manage": request.user.has_perm("sales.manage_pipelines"),
        },
    )


@login_required
@deals_access
@pipelines_access
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(request.user, **form.product_values())
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Product “%(name)s” added.") % {"name": product})
            return redirect("sales:product_list")
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/product_form.html",
        {"form": form, "creating": True, "section": "products"},
        status=status,
    )


@login_required
@deals_access
@pipelines_access
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id)
    form = ProductForm(request.POST or None, initial=ProductForm.initial_for(product))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(request.user, product, **form.product_values())
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:product_list")
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/product_form.html",
        {"form": form, "product": product, "section": "products"},
        status=status,
    )


# --- pipeline settings ------------------------------------------------------


@login_required
@deals_access
@pipelines_access
def pipeline_list(request: HttpRequest) -> HttpResponse:
    pipelines = Pipeline.objects.prefetch_related("stages")
    form = PipelineForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = services.create_pipeline(
                request.user,
                name_th=form.cleaned_data["name_th"],
                name_en=form.cleaned_data["name_en"],
                is_default=form.cleaned_data["is_default"],
            )
        except ValidationError as error:
            _put_errors(form, error)
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
            services.update_pipeline(request.user, pipeline, **form.cleaned_data)
        except ValidationError as error:
            _put_errors(form, error)
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
        services.delete_pipeline(request.user, pipeline)
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
            services.create_stage(request.user, pipeline, **form.cleaned_data)
        except ValidationError as error:
            _put_errors(form, error)
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
            services.delete_stage(request.user, stage)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Stage deleted."))
        return redirect("sales:pipeline_edit", pipeline_id)
    form = StageForm(request.POST, prefix=f"stage-{stage.pk}")
    if form.is_valid():
        try:
            services.update_stage(request.user, stage, **form.cleaned_data)
        except ValidationError as error:
            _put_errors(form, error)
    if form.errors:
        stage.refresh_from_db()
        return _pipeline_page(request, stage.pipeline, stage_errors={stage.pk: form}, status=422)
    messages.success(request, _("Stage saved."))
    return redirect("sales:pipeline_edit", pipeline_id)


# --- a person's interests in products ----------------------------------------


@require_POST
@login_required
@deals_access
def interest_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request.user, person_id)
    form = InterestForm(request.POST, prefix="interest")
    if form.is_valid():
        data = form.cleaned_data
        since = (
            timezone.make_aware(datetime.combine(data["since"], time.min))
            if data["since"]
            else None
        )
        try:
            services.record_product_interest(
                request.user,
                person,
                data["product"],
                data["kind"],
                since=since,
                source=data["source"],
                source_detail=data["source_detail"],
            )
        except ValidationError as error:
            _put_errors(form, error)
    if form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    else:
        messages.success(request, _("Product interest recorded."))
    return redirect(f"{reverse('people:person_detail', args=[person.pk])}#sales-panel")


@require_POST
@login_required
@deals_access
def interest_remove(request: HttpRequest, interest_id: int) -> HttpResponse:
    interest = get_object_or_404(
        ProductInterest.objects.select_related("person", "product"), pk=interest_id
    )
    services.remove_product_interest(request.user, interest)
    messages.success(request, _("Product interest removed."))
    return redirect(f"{reverse('people:person_detail', args=[interest.person_id])}#sales-panel")
