"""What the dashboards and task lists show: each figure is one aggregate
query, whatever the number of deals, tasks or activities behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.visibility import owned_by_visible
from connexion.sales.models import Activity, Deal, Lead, Pipeline, Reminder, Task

HOME_LIST_SIZE = 8


def unread_reminders(user: Any) -> int:
    """How many of the user's reminders are unread: the bell in the top bar."""
    return Reminder.objects.filter(user=user, read_at__isnull=True).count()


# --- periods ----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = day.replace(month=first_month, day=1)
    last_month = month_of(first.replace(month=first_month + 2))
    return Period(first, last_month.last)


def activities_filtered(
    *, staff: Any = None, kind: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[Activity]:
    """The activity list's filters (the dashboard's per-staff figures link here)."""
    activities = Activity.objects.select_related("created_by", "person", "organization", "deal")
    if staff is not None:
        activities = activities.filter(created_by=staff)
    if kind:
        activities = activities.filter(kind=kind)
    if since:
        activities = activities.filter(occurred_at__gte=Period(since, since).start)
    if until:
        activities = activities.filter(occurred_at__lt=Period(until, until).end)
    return activities.order_by("-occurred_at", "-id")


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


# --- tasks ------------------------------------------------------------------

TASK_RELATED = ("assignee", "person", "organization", "deal", "lead")


def tasks_filtered(
    *, status: str = "open", assignee: Any = None, priority: str = "", now: datetime | None = None
) -> QuerySet[Task]:
    """The task list's filters; the dashboards link here with the same names."""
    now = now or timezone.now()
    start, end = _day_bounds(timezone.localdate(now))
    tasks = Task.objects.select_related(*TASK_RELATED)
    open_tasks = Q(done_at__isnull=True)
    where = {
        "open": open_tasks,
        "overdue": open_tasks & Q(due_at__lt=now),
        "today": open_tasks & Q(due_at__gte=start, due_at__lt=end),
        "upcoming": open_tasks & Q(due_at__gte=end),
        "done": Q(done_at__isnull=False),
        "all": Q(),
    }.get(status, open_tasks)
    tasks = tasks.filter(where)
    if assignee is not None:
        tasks = tasks.filter(assignee=assignee)
    if priority:
        tasks = tasks.filter(priority=priority)
    if status == "done":
        return tasks.order_by("-done_at", "-id")
    return tasks.order_by(F("due_at").asc(nulls_last=True), "id")


@dataclass
class TaskBuckets:
    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)
    undated: list[Task] = field(default_factory=list)
    done: list[Task] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming) + len(self.undated)


def task_buckets(user: Any, now: datetime | None = None, *, limit: int = 200) -> TaskBuckets:
    """ "My tasks": the user's open tasks by when they are due, and the last done."""
    now = now or timezone.now()
    _start, end = _day_bounds(timezone.localdate(now))
    buckets = TaskBuckets()
    for task in tasks_filtered(status="open", assignee=user, now=now)[:limit]:
        if task.due_at is None:
            buckets.undated.append(task)
        elif task.due_at < now:
            buckets.overdue.append(task)
        elif task.due_at < end:
            buckets.today.append(task)
        else:
            buckets.upcoming.append(task)
    buckets.done = list(tasks_filtered(status="done", assignee=user, now=now)[:10])
    return buckets


# --- home -------------------------------------------------------------------


@dataclass
class HomeDashboard:
    today: date
    open_deals: list[Deal]
    open_deal_count: int
    open_deal_total: int
    overdue_count: int
    today_count: int
    tasks: list[Task]
    recent_activities: list[Activity]
    unread_reminders: int


def home_dashboard(user: Any, now: datetime | None = None) -> HomeDashboard:
    now = now or timezone.now()
    today = timezone.localdate(now)
    _start, end = _day_bounds(today)
    mine = Deal.objects.filter(owner=user, status=Deal.Status.OPEN)
    deal_totals = mine.aggregate(count=Count("id"), total=Sum("amount_thb"))
    deals = list(
        mine.select_related("stage", "person", "organization").order_by(
            F("expected_close_date").asc(nulls_last=True), "id"
        )[:HOME_LIST_SIZE]
    )
    open_tasks = Task.objects.filter(assignee=user, done_at__isnull=True)
    task_counts = open_tasks.aggregate(
        overdue=Count("id", filter=Q(due_at__lt=now)),
        today=Count("id", filter=Q(due_at__gte=now, due_at__lt=end)),
    )
    tasks = list(
        open_tasks.filter(due_at__lt=end)
        .select_related(*TASK_RELATED)
        .order_by("due_at", "id")[:HOME_LIST_SIZE]
    )
    activities = list(
        Activity.objects.filter(created_by=user, occurred_at__lte=now)
        .select_related("person", "organization", "deal")
        .order_by("-occurred_at", "-id")[:HOME_LIST_SIZE]
    )
    unread = user.sales_reminders.filter(read_at__isnull=True).count()
    return HomeDashboard(
        today=today,
        open_deals=deals,
        open_deal_count=deal_totals["count"] or 0,
        open_deal_total=deal_totals["total"] or 0,
        overdue_count=task_counts["overdue"] or 0,
        today_count=task_counts["today"] or 0,
        tasks=tasks,
        recent_activities=activities,
        unread_reminders=unread,
    )


# --- the sales dashboard ----------------------------------------------------


@dataclass
class StageRow:
    stage: Any
    count: int
    total: int  # satang
    weighted: int  # satang, total x probability


@dataclass
class PipelineBlock:
    pipeline: Pipeline
    stages: list[StageRow]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.stages)

    @property
    def weighted(self) -> int:
        return sum(row.weighted for row in self.stages)

    @property
    def count(self) -> int:
        return sum(row.count for row in self.stages)


@dataclass
class Outcomes:
    period: Period
    won_count: int
    won_total: int
    lost_count: int
    lost_total: int


@dataclass
class SalesDashboard:
    today: date
    month: Period
    quarter: Period
    pipelines: list[PipelineBlock]
    outcomes: list[tuple[str, Outcomes]]
    activities_by_staff: list[dict[str, Any]]
    overdue_by_assignee: list[dict[str, Any]]
    overdue_total: int
    leads_by_source: list[dict[str, Any]]


def _pipelines(visible: Q) -> list[PipelineBlock]:
    sums = {
        row["stage"]: row
        for row in Deal.objects.filter(visible, status=Deal.Status.OPEN)
        .values("stage")
        .annotate(
            count=Count("id"),
            total=Sum("amount_thb"),
            weighted=Sum(F("amount_thb") * F("stage__probability")),
        )
    }
    blocks = []
    for pipeline in Pipeline.objects.filter(is_active=True).prefetch_related("stages"):
        rows = []
        for stage in pipeline.stages.all():
            if stage.is_won or stage.is_lost:
                continue
            row = sums.get(stage.pk, {})
            rows.append(
                StageRow(
                    stage,
                    row.get("count") or 0,
                    row.get("total") or 0,
                    # Whole satang, rounded half up, from the integer product.
                    ((row.get("weighted") or 0) + 50) // 100,
                )
            )
        blocks.append(PipelineBlock(pipeline, rows))
    return blocks


def _outcomes(periods: dict[str, Period], visible: Q) -> list[tuple[str, Outcomes]]:
    """Won and lost, count and value, for each period, in one pass over the
    deals closed in the widest of them."""
    first = min(period.start for period in periods.values())
    last = max(period.end for period in periods.values())
    figures: dict[str, Any] = {}
    for name, period in periods.items():
        within = Q(closed_at__gte=period.start, closed_at__lt=period.end)
        for status in (Deal.Status.WON, Deal.Status.LOST):
            where = within & Q(status=status)
            figures[f"{name}_{status}_count"] = Count("id", filter=where)
            figures[f"{name}_{status}_total"] = Sum("amount_thb", filter=where)
    closed = Deal.objects.filter(visible, closed_at__gte=first, closed_at__lt=last)
    totals = closed.aggregate(**figures)
    return [
        (
            name,
            Outcomes(
                period,
                won_count=totals[f"{name}_won_count"] or 0,
                won_total=totals[f"{name}_won_total"] or 0,
                lost_count=totals[f"{name}_lost_count"] or 0,
                lost_total=totals[f"{name}_lost_total"] or 0,
            ),
        )
        for name, period in periods.items()
    ]


def sales_dashboard(viewer: Any, now: datetime | None = None) -> SalesDashboard:
    """The figures of the deals, leads, activities and tasks the viewer sees: a
    team sees its own (accounts.visibility)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month, quarter = month_of(today), quarter_of(today)
    # Counted per user id from the covering index; the few names read after.
    activities = list(
        Activity.objects.filter(
            owned_by_visible(viewer, "created_by"),
            occurred_at__gte=month.start,
            occurred_at__lte=now,
        )
        .values("created_by")
        # count(*): the id is not in the index, so count("id") would read the table.
        .annotate(count=Count("*"))
        .order_by("-count", "created_by")
    )
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in=[row["created_by"] for row in activities if row["created_by"]]
        )
    }
    for row in activities:
        user = users.get(row["created_by"])
        row["created_by__username"] = user.username if user else ""
        row["created_by__first_name"] = user.first_name if user else ""
        row["created_by__last_name"] = user.last_name if user else ""
    overdue = list(
        Task.objects.filter(
            owned_by_visible(viewer, "assignee"), done_at__isnull=True, due_at__lt=now
        )
        .values("assignee", "assignee__username", "assignee__first_name", "assignee__last_name")
        .annotate(count=Count("id"))
        .order_by("-count", "assignee__username")
    )
    labels = dict(Lead.SourceKind.choices)
    leads = [
        {**row, "label": labels.get(row["source"], row["source"])}
        for row in Lead.objects.filter(
            owned_by_visible(viewer), created_at__gte=month.start, created_at__lt=month.end
        )
        .values("source")
        .annotate(count=Count("id"))
        .order_by("-count", "source")
    ]
    for rows, prefix in ((activities, "created_by"), (overdue, "assignee")):
        for row in rows:
            full = f"{row[f'{prefix}__first_name'] or ''} {row[f'{prefix}__last_name'] or ''}"
            row["name"] = full.strip() or row[f"{prefix}__username"] or ""
            row["user_id"] = row[prefix]
    return SalesDashboard(
        today=today,
        month=month,
        quarter=quarter,
        pipelines=_pipelines(owned_by_visible(viewer)),
        outcomes=_outcomes({"month": month, "quarter": quarter}, owned_by_visible(viewer)),
        activities_by_staff=activities,
        overdue_by_assignee=overdue,
        overdue_total=sum(row["count"] for row in overdue),
        leads_by_source=leads,
    )


# --- links and chart data -----------------------------------------------------


def _url(name: str, **params: Any) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def deal_list_url(**params: Any) -> str:
    return _url("sales:deal_list", **params)


def dashboard_links(board: SalesDashboard) -> None:
    """Gives every figure of the dashboard the URL of the list it counts."""
    for block in board.pipelines:
        block.url = deal_list_url(pipeline=block.pipeline.pk, status="open")  # type: ignore[attr-defined]
        for row in block.stages:
            row.url = deal_list_url(  # type: ignore[attr-defined]
                pipeline=block.pipeline.pk, stage=row.stage.pk, status="open"
            )
    for _name, outcome in board.outcomes:
        period = {"closed_from": outcome.period.first, "closed_to": outcome.period.last}
        outcome.won_url = deal_list_url(status="won", **period)  # type: ignore[attr-defined]
        outcome.lost_url = deal_list_url(status="lost", **period)  # type: ignore[attr-defined]
    for row in board.activities_by_staff:
        row["url"] = _url(
            "sales:activity_list",
            staff=row["user_id"],
            since=board.month.first,
            until=board.today,
        )
    for row in board.overdue_by_assignee:
        row["url"] = _url("sales:task_list", status="overdue", assignee=row["user_id"])
    board.overdue_url = _url("sales:task_list", status="overdue")  # type: ignore[attr-defined]
    for row in board.leads_by_source:
        row["url"] = _url(
            "sales:lead_list",
            source=row["source"],
            created_from=board.month.first,
            created_to=board.month.last,
        )


def _baht(satang: int) -> float:
    # For drawing only: the figures shown as text come from the integers.
    return round(satang / 100, 2)


def chart_data(board: SalesDashboard) -> dict[str, Any]:
    """What static/sales/dashboard.js draws; each bar links to its list."""
    charts = []
    for block in board.pipelines:
        charts.append(
            {
                "id": f"pipeline-{block.pipeline.pk}",
                "type": "bar",
                "labels": [str(row.stage) for row in block.stages],
                "datasets": [
                    {
                        "label": str(_("Value (THB)")),
                        "data": [_baht(r.total) for r in block.stages],
                    },
                    {
                        "label": str(_("Weighted by probability (THB)")),
                        "data": [_baht(r.weighted) for r in block.stages],
                    },
                ],
                "links": [row.url for row in block.stages],  # type: ignore[attr-defined]
            }
        )
    charts.append(
        {
            "id": "activities-by-staff",
            "type": "bar",
            "labels": [row["name"] for row in board.activities_by_staff],
            "datasets": [
                {
                    "label": str(_("Activities")),
                    "data": [r["count"] for r in board.activities_by_staff],
                }
            ],
            "links": [row["url"] for row in board.activities_by_staff],
        }
    )
    charts.append(
        {
            "id": "leads-by-source",
            "type": "doughnut",
            "labels": [str(row["label"]) for row in board.leads_by_source],
            "datasets": [
                {"label": str(_("Leads")), "data": [r["count"] for r in board.leads_by_source]}
            ],
            "links": [row["url"] for row in board.leads_by_source],
        }
    )
    return {"charts": charts}
