"""The kanban board of deals: one column per stage of a pipeline, cards
loaded a page at a time; dropping a card posts to `deals.deal_move`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from connexion.lib.http import parse_id
from connexion.sales import selectors
from connexion.sales.models import Pipeline, Stage
from connexion.sales.views.access import deals_access


def _stage_options(stages: list[Stage]) -> str:
    """The options of every card's "move to" list, rendered once per board."""
    return format_html_join("", '<option value="{}">{}</option>', ((s.pk, str(s)) for s in stages))


def _card_context() -> dict[str, str]:
    """What every card repeats, worked out once per board (hundreds of cards)."""
    return {
        "deals_url": reverse("sales:deal_detail", args=[0]).removesuffix("0/"),
        "move_label": _("Move"),
    }


def board_context(request: HttpRequest, pipeline: Pipeline, owner: str) -> dict[str, Any]:
    """What the kanban board's template needs, for the page and for the
    board sent back after a card moved."""
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
    """The kanban board of a pipeline (the default one without an id),
    optionally of one owner's deals."""
    if pipeline_id is None:
        pipeline = selectors.default_pipeline()
        if pipeline is None:
            raise Http404
    else:
        pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    context = board_context(request, pipeline, request.GET.get("owner", ""))
    return render(request, "sales/board.html", context)


@login_required
@deals_access
def board_more(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The next cards of one kanban board column (its "more" link)."""
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
