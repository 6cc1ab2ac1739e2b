"""Pages of deals: the list (with saved views), one deal, create, edit,
delete, move to another stage (from the deal page or the kanban board) and
its product lines."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connexion.accounts.visibility import visible_or_404
from connexion.lib.forms import put_errors
from connexion.lib.http import parse_id, text_param
from connexion.people import saved_views
from connexion.people.models import SavedView
from connexion.sales import selectors
from connexion.sales.forms import (
    DealFilterForm,
    DealForm,
    DealLineForm,
    MoveForm,
    minor_units,
)
from connexion.sales.models import Deal
from connexion.sales.services import deals as deal_services
from connexion.sales.views.access import deals_access
from connexion.sales.views.board import board_context

SAVED_VIEW_LIST = "deals"


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
    context["saved_views"] = saved_views.saved_views(request.user, SAVED_VIEW_LIST)
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
        saved_views.save_view(request.user, SAVED_VIEW_LIST, name, query_string)
        messages.success(request, _("View “%(name)s” saved.") % {"name": name})
    return redirect(f"{reverse('sales:deal_list')}?{query_string}")


@require_POST
@login_required
@deals_access
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=view_id, user=request.user, list_name=SAVED_VIEW_LIST)
    saved_views.delete_view(request.user, view)
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
            deal = deal_services.create_deal(
                request.user,
                pipeline=stage.pipeline,
                stage=stage,
                **form.deal_values(),
            )
        except ValidationError as error:
            put_errors(form, error)
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
            deal_services.update_deal(request.user, deal, **form.deal_values())
        except ValidationError as error:
            put_errors(form, error)
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
    deal_services.delete_deal(request.user, deal)
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
            deal_services.move_deal(
                request.user,
                deal,
                form.cleaned_data["stage"],
                lost_reason=form.cleaned_data["lost_reason"],
            )
            moved = True
        except ValidationError as error:
            put_errors(form, error)
    if on_board:
        owner = request.POST.get("owner", "")
        context = board_context(request, deal.pipeline, owner)
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
                deal_services.add_deal_line(
                    request.user,
                    deal,
                    form.cleaned_data["product"],
                    form.cleaned_data["quantity"],
                    price,
                )
            except ValidationError as error:
                put_errors(form, error)
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
    deal_services.remove_deal_line(request.user, deal, line_id)
    messages.success(request, _("Product removed."))
    return redirect("sales:deal_detail", deal.pk)
