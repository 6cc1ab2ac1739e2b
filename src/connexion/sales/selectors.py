"""Reads of leads and deals. Each read that shows personal data (who a deal or
lead is with) records what was shown to whom. Lists page by keyset, and the
kanban board costs the same number of queries whatever the number of deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.http import Http404
from django.utils import timezone

from connexion.accounts.models import User
from connexion.accounts.visibility import owned_by_visible
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access
from connexion.lib.cursors import decode_cursor, encode_cursor
from connexion.people.models import Organization, Person
from connexion.sales.models import (
    Deal,
    DealProduct,
    Lead,
    Pipeline,
    ProductInterest,
    Stage,
    StageChange,
    StageTotal,
)

PAGE_SIZE = 50
CARDS_PER_STAGE = 50
UI = AuditEvent.Channel.UI

# sort name -> (model field, descending)
DEAL_SORTS = {
    "updated": ("updated_at", True),
    "newest": ("id", True),
    "close_date": ("expected_close_date", False),
    "amount": ("amount_thb", True),
}
LEAD_SORTS = {
    "newest": ("created_at", True),
    "oldest": ("created_at", False),
}
# What a card on the board or a row of the list shows, and no more: the deal's
# own columns in one query, its people in one query each for the whole page
# (joins would cost PostgreSQL more to plan than to run).
CARD_FIELDS = (
    "id", "title", "status", "amount", "currency", "amount_thb", "expected_close_date",
    "stage_changed_at", "updated_at", "stage_id", "pipeline_id", "person_id",
    "organization_id", "owner_id",
)  # fmt: skip
PERSON_NAME_FIELDS = (
    "first_name_th", "middle_name_th", "last_name_th", "first_name_en", "middle_name_en",
    "last_name_en", "anonymized_at",
)  # fmt: skip
# The columns a page of deals shows, fetched with it.
DEAL_RELATED = ("pipeline", "stage", "person", "organization", "owner")


# --- cursors ----------------------------------------------------------------


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    sort: str = ""


def _keyset_page(
    queryset: QuerySet[Any],
    sorts: dict[str, tuple[str, bool]],
    sort: str,
    cursor: str | None,
    page_size: int,
    nullable: frozenset[str] = frozenset(),
) -> Page:
    """Keyset pagination on (sort field, id), as fast deep in the list as on
    the first page. Empty values of a nullable field come last."""
    sort = sort if sort in sorts else next(iter(sorts))
    name, descending = sorts[sort]
    direction = "-" if descending else ""
    after = "lt" if descending else "gt"
    if name == "id":
        queryset = queryset.order_by(f"{direction}id")
    elif name in nullable:
        order = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        queryset = queryset.order_by(order, f"{direction}id")
    else:
        queryset = queryset.order_by(f"{direction}{name}", f"{direction}id")
    position = decode_cursor(cursor, queryset.model._meta.get_field(name)) if cursor else None
    if position is not None:
        value, pk = position
        if name == "id":
            queryset = queryset.filter(**{f"id__{after}": pk})
        elif value is None:
            # Already among the rows without a value: only they remain.
            queryset = queryset.filter(**{f"{name}__isnull": True, f"id__{after}": pk})
        else:
            condition = Q(**{f"{name}__{after}": value}) | Q(**{name: value, f"id__{after}": pk})
            if name in nullable:
                condition |= Q(**{f"{name}__isnull": True})
            else:
                # Implied by the condition, but an index can start its scan there.
                condition &= Q(**{f"{name}__{after}e": value})
            queryset = queryset.filter(condition)
    items = list(queryset[: page_size + 1])
    next_cursor = None
    if len(items) > page_size:
        items = items[:page_size]
        last = items[-1]
        next_cursor = encode_cursor(getattr(last, name), last.pk)
    return Page(items, next_cursor, sort)


# --- the kanban board -------------------------------------------------------


@dataclass
class Column:
    """One column of the kanban board: a stage, its deal count and sum, and
    its first cards."""

    stage: Stage
    count: int = 0
    total: int = 0  # satang
    cards: list[Deal] = field(default_factory=list)
    next_cursor: str | None = None

    @property
    def weighted(self) -> int:
        return self.total * self.stage.probability // 100

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


@dataclass
class Board:
    """The kanban board of one pipeline: a column per stage."""

    pipeline: Pipeline
    columns: list[Column]

    @property
    def open_count(self) -> int:
        return sum(c.count for c in self.columns if not c.stage.is_closed)

    @property
    def open_total(self) -> int:
        return sum(c.total for c in self.columns if not c.stage.is_closed)

    @property
    def weighted_total(self) -> int:
        return sum(c.weighted for c in self.columns if not c.stage.is_closed)


def default_pipeline() -> Pipeline | None:
    return Pipeline.objects.filter(is_active=True).order_by("-is_default", "order", "id").first()


def _attach_people(deals: list[Deal], stages: dict[int, Stage] | None = None) -> None:
    """Gives a page of deals their person, organization and owner (names only),
    in one query each, and their stage and pipeline from `stages`."""
    people = Person.objects.only(*PERSON_NAME_FIELDS).in_bulk(
        {d.person_id for d in deals if d.person_id}
    )
    organizations = Organization.objects.only("name_th", "name_en").in_bulk(
        {d.organization_id for d in deals if d.organization_id}
    )
    owners = User.objects.only("username", "first_name", "last_name").in_bulk(
        {d.owner_id for d in deals if d.owner_id}
    )
    for deal in deals:
        if deal.person_id:
            deal.person = people[deal.person_id]
        if deal.organization_id:
            deal.organization = organizations[deal.organization_id]
        if deal.owner_id:
            deal.owner = owners[deal.owner_id]
        if stages is not None:
            deal.stage = stages[deal.stage_id]
            deal.pipeline = deal.stage.pipeline


def stage_map() -> dict[int, Stage]:
    """Every stage with its pipeline: a handful of rows, read once per page."""
    return {stage.pk: stage for stage in Stage.objects.select_related("pipeline")}


def _stage_cards(
    deals: QuerySet[Deal], stage: Stage, cursor: str | None, per_stage: int
) -> tuple[list[Deal], str | None]:
    """The first cards of a stage, most recently moved first."""
    cards = deals.filter(stage=stage).only(*CARD_FIELDS).order_by("-stage_changed_at", "-id")
    position = decode_cursor(cursor, Deal._meta.get_field("stage_changed_at")) if cursor else None
    if position is not None:
        value, pk = position
        cards = cards.filter(
            Q(stage_changed_at__lt=value) | Q(stage_changed_at=value, id__lt=pk),
            stage_changed_at__lte=value,
        )
    items = list(cards[: per_stage + 1])
    next_cursor = None
    if len(items) > per_stage:
        items = items[:per_stage]
        next_cursor = encode_cursor(items[-1].stage_changed_at, items[-1].pk)
    return items, next_cursor


def board(
    viewer: Any,
    pipeline: Pipeline,
    *,
    owner: int | None = None,
    per_stage: int = CARDS_PER_STAGE,
    channel: str = UI,
) -> Board:
    """The kanban board of a pipeline: columns per stage with the count and
    sum of all deals in the stage, but only the first `per_stage` cards: one
    query for the stages, one for the sums, one per stage for its cards, one
    each for their people, organizations and owners, one audit insert. The
    number of deals changes none of it."""
    stages = list(pipeline.stages.all())
    visible = owned_by_visible(viewer)
    deals = Deal.objects.filter(visible, pipeline=pipeline)
    if owner or visible:
        chosen = Deal.objects.filter(visible)
        if owner:
            deals = deals.filter(owner_id=owner)
            chosen = chosen.filter(owner_id=owner)
        sums = {
            row["stage"]: row
            # By the pipeline's stages, not its id: the owner's index covers them.
            for row in chosen.filter(stage__in=[s.pk for s in stages])
            .order_by()
            .values("stage")
            .annotate(count=Count("*"), total=Sum("amount_thb"))
        }
    else:
        # All the pipeline's deals, seen by all: the totals the services keep.
        sums = {
            total.stage_id: {"count": total.deal_count, "total": total.amount_thb}
            for total in StageTotal.objects.filter(stage__pipeline=pipeline)
        }
    columns = []
    for stage in stages:
        row = sums.get(stage.pk, {})
        column = Column(stage, row.get("count", 0), row.get("total") or 0)
        if column.count:
            column.cards, column.next_cursor = _stage_cards(deals, stage, None, per_stage)
        columns.append(column)
    _attach_people([card for column in columns for card in column.cards])
    shown = [str(card.pk) for column in columns for card in column.cards]
    record_access(viewer, "sales.board", "sales.deal", shown, channel=channel)
    return Board(pipeline, columns)


def stage_cards(
    viewer: Any,
    stage: Stage,
    cursor: str | None,
    *,
    owner: int | None = None,
    per_stage: int = CARDS_PER_STAGE,
    channel: str = UI,
) -> tuple[list[Deal], str | None]:
    """The next cards of one kanban board column (the board's "more" link)."""
    deals = Deal.objects.filter(owned_by_visible(viewer), pipeline_id=stage.pipeline_id)
    if owner:
        deals = deals.filter(owner_id=owner)
    cards, next_cursor = _stage_cards(deals, stage, cursor, per_stage)
    _attach_people(cards)
    record_access(viewer, "sales.board", "sales.deal", [str(c.pk) for c in cards], channel=channel)
    return cards, next_cursor


# --- the deal list ----------------------------------------------------------


@dataclass
class DealFilters:
    query: str = ""
    pipeline: int | None = None
    stage: int | None = None
    owner: int | None = None
    status: str = ""
    close_from: date | None = None
    close_to: date | None = None
    amount_min: int | None = None  # satang
    amount_max: int | None = None
    closed_from: date | None = None  # won or lost on or after this local date
    closed_to: date | None = None
    person: int | None = None
    organization: int | None = None
    sort: str = "updated"


def _day_start(day: date) -> datetime:
    """Midnight of a local (Bangkok) date, so a range of days uses the index."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_deals(viewer: Any, filters: DealFilters) -> QuerySet[Deal]:
    deals = Deal.objects.filter(owned_by_visible(viewer))
    if filters.query.strip():
        for word in filters.query.split():
            deals = deals.filter(title__icontains=word)
    if filters.pipeline:
        deals = deals.filter(pipeline_id=filters.pipeline)
    if filters.stage:
        deals = deals.filter(stage_id=filters.stage)
    if filters.owner:
        deals = deals.filter(owner_id=filters.owner)
    if filters.status:
        deals = deals.filter(status=filters.status)
    if filters.close_from:
        deals = deals.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to:
        deals = deals.filter(expected_close_date__lte=filters.close_to)
    if filters.amount_min is not None:
        deals = deals.filter(amount_thb__gte=filters.amount_min)
    if filters.amount_max is not None:
        deals = deals.filter(amount_thb__lte=filters.amount_max)
    if filters.closed_from:
        deals = deals.filter(closed_at__gte=_day_start(filters.closed_from))
    if filters.closed_to:
        deals = deals.filter(closed_at__lt=_day_start(filters.closed_to + timedelta(days=1)))
    if filters.person:
        deals = deals.filter(person_id=filters.person)
    if filters.organization:
        deals = deals.filter(organization_id=filters.organization)
    return deals


def deals_page(
    viewer: Any,
    filters: DealFilters,
    cursor: str | None = None,
    *,
    channel: str = UI,
    page_size: int = PAGE_SIZE,
    stages: dict[int, Stage] | None = None,
) -> Page:
    """With `stages` (from `stage_map`), only what the list page shows is
    fetched; without, every field (the API shows them all)."""
    deals = filter_deals(viewer, filters)
    deals = deals.select_related(*DEAL_RELATED) if stages is None else deals.only(*CARD_FIELDS)
    page = _keyset_page(
        deals, DEAL_SORTS, filters.sort, cursor, page_size, frozenset({"expected_close_date"})
    )
    if stages is not None:
        _attach_people(page.items, stages)
    record_access(
        viewer, "sales.deal_list", "sales.deal", [str(d.pk) for d in page.items], channel=channel
    )
    return page


def lines_by_deal(deal_ids: list[int]) -> dict[int, list[DealProduct]]:
    """The products of a page of deals, in one query."""
    lines: dict[int, list[DealProduct]] = {}
    for line in DealProduct.objects.filter(deal_id__in=deal_ids).select_related("product"):
        lines.setdefault(line.deal_id, []).append(line)
    return lines


@dataclass
class StageSum:
    stage: Stage
    count: int
    total: int

    @property
    def weighted(self) -> int:
        return self.total * self.stage.probability // 100


def _by_stage_only(filters: DealFilters) -> bool:
    """Filters that select whole stages: their sums are the kept totals."""
    return not (
        filters.query.strip()
        or filters.owner
        or filters.close_from
        or filters.close_to
        or filters.amount_min is not None
        or filters.amount_max is not None
        or filters.closed_from
        or filters.closed_to
        or filters.person
        or filters.organization
    )


def _status_of(stage: Stage) -> str:
    if stage.is_won:
        return Deal.Status.WON
    return Deal.Status.LOST if stage.is_lost else Deal.Status.OPEN


def stage_sums(
    viewer: Any, filters: DealFilters, stages: dict[int, Stage] | None = None
) -> list[StageSum]:
    """Count and sum of the filtered deals the viewer sees, per stage (amounts
    only: no one's data)."""
    stages = stages if stages is not None else stage_map()
    if _by_stage_only(filters) and not owned_by_visible(viewer):
        rows = [
            {"stage": total.stage_id, "count": total.deal_count, "total": total.amount_thb}
            for total in StageTotal.objects.filter(deal_count__gt=0)
            if (not filters.pipeline or stages[total.stage_id].pipeline_id == filters.pipeline)
            and (not filters.stage or total.stage_id == filters.stage)
            and (not filters.status or _status_of(stages[total.stage_id]) == filters.status)
        ]
    else:
        rows = list(
            filter_deals(viewer, filters)
            .order_by()
            .values("stage")
            .annotate(count=Count("*"), total=Sum("amount_thb"))
        )
    sums = [StageSum(stages[row["stage"]], row["count"], row["total"] or 0) for row in rows]
    return sorted(
        sums, key=lambda s: (s.stage.pipeline.order, s.stage.pipeline_id, s.stage.order, s.stage.pk)
    )


@dataclass
class DealDetail:
    deal: Deal
    lines: list[Any]
    stages: list[Stage]
    history: list[StageChange]
    changes: list[AuditEvent]


def deal_detail(viewer: Any, deal_id: int, *, channel: str = UI) -> DealDetail:
    deal = (
        # The other links load one by one: cheaper than planning a join of eight tables.
        Deal.objects.select_related("pipeline", "stage")
        .filter(owned_by_visible(viewer), pk=deal_id)
        .first()
    )
    if deal is None:
        raise Http404
    detail = DealDetail(
        deal=deal,
        lines=list(deal.lines.select_related("product")),
        stages=list(deal.pipeline.stages.all()),
        history=list(deal.stage_changes.select_related("from_stage", "to_stage", "changed_by")),
        changes=list(
            AuditEvent.objects.filter(
                kind=AuditEvent.Kind.CHANGE, object_type="sales.deal", object_id=str(deal.pk)
            ).select_related("actor")[:100]
        ),
    )
    record_access(viewer, "sales.deal_detail", "sales.deal", [str(deal.pk)], channel=channel)
    return detail


# --- leads ------------------------------------------------------------------


@dataclass
class LeadFilters:
    query: str = ""
    status: str = ""
    source: str = ""
    owner: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "newest"


def filter_leads(viewer: Any, filters: LeadFilters) -> QuerySet[Lead]:
    leads = Lead.objects.filter(owned_by_visible(viewer))
    for word in filters.query.split():
        leads = leads.filter(
            Q(title__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(company_name__icontains=word)
            | Q(email__icontains=word)
        )
    if filters.status:
        leads = leads.filter(status=filters.status)
    if filters.source:
        leads = leads.filter(source=filters.source)
    if filters.owner:
        leads = leads.filter(owner_id=filters.owner)
    if filters.created_from:
        leads = leads.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        leads = leads.filter(created_at__lt=_day_start(filters.created_to + timedelta(days=1)))
    return leads


def leads_page(
    viewer: Any,
    filters: LeadFilters,
    cursor: str | None = None,
    *,
    channel: str = UI,
    page_size: int = PAGE_SIZE,
) -> Page:
    leads = (
        filter_leads(viewer, filters)
        .select_related("person", "organization", "owner", "converted_deal")
        .prefetch_related("products")
    )
    page = _keyset_page(leads, LEAD_SORTS, filters.sort, cursor, page_size)
    record_access(
        viewer, "sales.lead_list", "sales.lead", [str(x.pk) for x in page.items], channel=channel
    )
    return page


def lead_detail(viewer: Any, lead_id: int, *, channel: str = UI) -> Lead:
    lead = (
        Lead.objects.select_related(
            "person",
            "organization",
            "owner",
            "referred_by",
            "partner",
            "converted_deal",
            "converted_by",
            "created_by",
        )
        .prefetch_related("products")
        .filter(owned_by_visible(viewer), pk=lead_id)
        .first()
    )
    if lead is None:
        raise Http404
    lead.changes = list(  # type: ignore[attr-defined]
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.CHANGE, object_type="sales.lead", object_id=str(lead.pk)
        ).select_related("actor")[:100]
    )
    record_access(viewer, "sales.lead_detail", "sales.lead", [str(lead.pk)], channel=channel)
    return lead


# --- a person's sales -------------------------------------------------------


@dataclass
class PersonSales:
    deals: list[Deal]
    leads: list[Lead]
    interests: list[ProductInterest]


def person_sales(viewer: Any, person: Person, *, channel: str = UI) -> PersonSales:
    """The deals and open leads of a person, for the panel on their page."""
    deals = list(
        Deal.objects.filter(owned_by_visible(viewer), person=person)
        .select_related("stage", "pipeline", "owner")
        # Open deals first, then the closed ones, each most recently changed first.
        .order_by(Case(When(status=Deal.Status.OPEN, then=0), default=1), "-updated_at")[:20]
    )
    leads = list(
        Lead.objects.filter(owned_by_visible(viewer), person=person, converted_deal__isnull=True)
        .select_related("owner")
        .order_by("-created_at")[:20]
    )
    interests = list(
        ProductInterest.objects.filter(person=person)
        .select_related("product", "product__partner", "recorded_by")
        .order_by("-since", "-id")
    )
    if deals:
        record_access(
            viewer, "sales.person_deals", "sales.deal", [str(d.pk) for d in deals], channel=channel
        )
    if leads:
        record_access(
            viewer, "sales.person_leads", "sales.lead", [str(x.pk) for x in leads], channel=channel
        )
    return PersonSales(deals, leads, interests)
