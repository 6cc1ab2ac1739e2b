"""Pages and htmx fragments for activities, tasks, notes, the timeline, "my
tasks" and reminders. Thin: parse, call `activities.services` or
`activities.timeline`, render. The URL patterns are at the end; sales/urls.py
includes them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connexion.accounts.permissions import check_permission
from connexion.accounts.visibility import visible_or_404
from connexion.lib.forms import put_errors
from connexion.lib.http import parse_id, safe_next
from connexion.sales.activities import services as activity_services
from connexion.sales.activities import timeline
from connexion.sales.activities.dashboards import (
    activities_filtered,
    chart_data,
    dashboard_links,
    sales_dashboard,
    task_buckets,
    tasks_filtered,
)
from connexion.sales.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    NoteForm,
    TaskFilterForm,
    TaskForm,
)
from connexion.sales.models import Activity, Note, Reminder, Task

PEOPLE = "accounts.access_people"
DEALS = "accounts.access_deals"
ITEM_MODELS: dict[str, type[Model]] = {"activity": Activity, "task": Task, "note": Note}
FORMS = {"activity": ActivityForm, "task": TaskForm, "note": NoteForm}


# --- helpers ----------------------------------------------------------------


def _subject(request: HttpRequest, subject_type: str, subject_id: int) -> Any:
    if subject_type not in timeline.SUBJECTS:
        raise Http404
    check_permission(request.user, DEALS if subject_type == "deal" else PEOPLE)
    model = timeline.SUBJECTS[subject_type][0]
    return visible_or_404(request.user, model, subject_id)


def subject_url(subject_type: str, subject: Any) -> str:
    names = {
        "person": "people:person_detail",
        "organization": "people:organization_detail",
        "deal": "sales:deal_detail",
    }
    try:
        return f"{reverse(names[subject_type], args=[subject.pk])}#timeline"
    except NoReverseMatch:
        return reverse("sales:timeline", args=[subject_type, subject.pk])


def _entries_response(
    request: HttpRequest, subject_type: str, subject: Any, done: str = "", removed: list[str] = ()
) -> HttpResponse:
    """After a change: the timeline's first page again, the form slot emptied
    (out of band) with what was done; a plain POST goes back to the page."""
    if not request.htmx:
        if done:
            messages.success(request, done)
        if removed:
            messages.warning(request, _removed_message(removed))
        return redirect(subject_url(subject_type, subject))
    page = timeline.timeline_page(request.user, subject_type, subject)
    context = {
        "page": page,
        "done": done,
        "removed_message": _removed_message(removed) if removed else "",
        "oob": True,
    }
    return render(request, "sales/activities/entries.html", context)


def _removed_message(removed: list[str]) -> str:
    return _(
        "Some formatting was removed to keep the note safe: %(items)s. "
        "Notes keep paragraphs, bold, italics, lists and http/https/mailto links."
    ) % {"items": ", ".join(removed)}


def _form_response(
    request: HttpRequest, template: str, context: dict[str, Any], *, invalid: bool = False
) -> HttpResponse:
    """A form in the timeline's form slot (htmx) or on a page of its own."""
    if request.htmx:
        response = render(request, template, context)
        if invalid:
            # The form answers with errors: put it back where it was.
            response["HX-Retarget"] = "#timeline-form"
            response["HX-Reswap"] = "innerHTML"
        return response
    context["form_template"] = template
    return render(
        request, "sales/activities/form_page.html", context, status=422 if invalid else 200
    )


def _links(subject_type: str, subject: Any) -> dict[str, Any]:
    return {subject_type: subject}


# --- timeline ---------------------------------------------------------------


@require_GET
@login_required
def timeline_view(request: HttpRequest, subject_type: str, subject_id: int) -> HttpResponse:
    subject = _subject(request, subject_type, subject_id)
    cursor = request.GET.get("cursor")
    page = timeline.timeline_page(
        request.user,
        subject_type,
        subject,
        kinds=request.GET.getlist("kind"),
        cursor=cursor,
    )
    context = {"page": page, "subject_url": subject_url(subject_type, subject)}
    if request.htmx:
        template = "sales/activities/more.html" if cursor else "sales/activities/entries.html"
        return render(request, template, context)
    return render(request, "sales/activities/timeline_page.html", context)


# --- activities, tasks and notes ----------------------------------------------


@login_required
def item_new(request: HttpRequest, subject_type: str, subject_id: int, item: str) -> HttpResponse:
    subject = _subject(request, subject_type, subject_id)
    if item not in FORMS:
        raise Http404
    form = _make_form(request, item, subject)
    context = {
        "form": form,
        "item": item,
        "subject_type": subject_type,
        "subject": subject,
        "action": reverse("sales:item_new", args=[subject_type, subject.pk, item]),
    }
    template = f"sales/activities/form_{item}.html"
    if request.method != "POST":
        return _form_response(request, template, context)
    if form.is_valid():
        try:
            done, removed = _create(request, item, form, _links(subject_type, subject))
        except ValidationError as error:
            put_errors(form, error)
        else:
            return _entries_response(request, subject_type, subject, done, removed)
    return _form_response(request, template, context, invalid=True)


def _make_form(request: HttpRequest, item: str, subject: Any, instance: Any = None) -> Any:
    data = request.POST if request.method == "POST" else None
    if item == "activity":
        initial = ActivityForm.initial_for(instance) if instance else None
        kind = request.GET.get("kind")
        if instance is None and kind in Activity.Kind.values:
            initial = {"kind": kind}
        return ActivityForm(data, subject=subject, activity=instance, initial=initial)
    if item == "task":
        initial = TaskForm.initial_for(instance) if instance else {"assignee": request.user}
        return TaskForm(data, task=instance, initial=initial)
    return NoteForm(data, initial=NoteForm.initial_for(instance) if instance else None)


def _create(
    request: HttpRequest, item: str, form: Any, links: dict[str, Any]
) -> tuple[str, list[str]]:
    if item == "activity":
        activity = activity_services.log_activity(
            request.user,
            participants=form.people(),
            staff_participants=form.cleaned_data.get("staff_participants") or [],
            **form.values(),
            **links,
        )
        return _("%(kind)s logged.") % {"kind": activity.get_kind_display().capitalize()}, []
    if item == "task":
        task = activity_services.create_task(request.user, **form.values(), **links)
        return _("Task “%(title)s” added.") % {"title": task.title}, []
    note = activity_services.add_note(
        request.user, body=form.cleaned_data.get("body") or "", **links
    )
    return _("Note added."), note.removed  # type: ignore[attr-defined]


def _item(item: str, pk: int) -> Any:
    model = ITEM_MODELS.get(item)
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=pk)


@login_required
def item_edit(
    request: HttpRequest, subject_type: str, subject_id: int, item: str, pk: int
) -> HttpResponse:
    subject = _subject(request, subject_type, subject_id)
    instance = _item(item, pk)
    form = _make_form(request, item, subject, instance)
    context = {
        "form": form,
        "item": item,
        "instance": instance,
        "subject_type": subject_type,
        "subject": subject,
        "action": reverse("sales:item_edit", args=[subject_type, subject.pk, item, pk]),
    }
    template = f"sales/activities/form_{item}.html"
    if request.method != "POST":
        return _form_response(request, template, context)
    if form.is_valid():
        removed: list[str] = []
        try:
            if item == "activity":
                activity_services.update_activity(
                    request.user,
                    instance,
                    participants=form.people(),
                    staff_participants=form.cleaned_data.get("staff_participants") or [],
                    **form.values(),
                )
            elif item == "task":
                activity_services.update_task(request.user, instance, **form.values())
            else:
                note = activity_services.update_note(
                    request.user, instance, body=form.cleaned_data.get("body") or ""
                )
                removed = note.removed  # type: ignore[attr-defined]
        except ValidationError as error:
            put_errors(form, error)
        else:
            return _entries_response(request, subject_type, subject, _("Changes saved."), removed)
    return _form_response(request, template, context, invalid=True)


@require_POST
@login_required
def item_delete(
    request: HttpRequest, subject_type: str, subject_id: int, item: str, pk: int
) -> HttpResponse:
    subject = _subject(request, subject_type, subject_id)
    instance = _item(item, pk)
    if item == "activity":
        activity_services.delete_activity(request.user, instance)
    elif item == "task":
        activity_services.delete_task(request.user, instance)
    else:
        activity_services.delete_note(request.user, instance)
    return _entries_response(request, subject_type, subject, _("Deleted."))


# --- tasks --------------------------------------------------------------------


def _require_people(request: HttpRequest) -> None:
    check_permission(request.user, PEOPLE)


@require_POST
@login_required
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Ticks a task done or open again; answers with its row for the page it is on."""
    _require_people(request)
    task = get_object_or_404(
        Task.objects.select_related("assignee", "person", "organization", "deal", "lead"), pk=pk
    )
    activity_services.set_task_done(request.user, task, request.POST.get("done") == "1")
    if not request.htmx:
        return redirect(safe_next(request, request.POST.get("next", ""), reverse("sales:my_tasks")))
    if request.POST.get("view") == "timeline":
        subject_type = request.POST.get("subject_type", "")
        subject_id = parse_id(request.POST.get("subject_id"))
        if subject_id is None:
            raise Http404
        subject = _subject(request, subject_type, subject_id)
        entry = timeline.Entry("task", task.created_at, task.pk, task)
        page = {"subject_type": subject_type, "subject": subject}
        return render(request, "sales/activities/entry_task.html", {"entry": entry, "page": page})
    return render(request, "sales/activities/task_row.html", {"task": task, "now": timezone.now()})


def form_closed(request: HttpRequest) -> HttpResponse:
    """The timeline's form slot, emptied (Cancel)."""
    return HttpResponse("")


@require_GET
@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    _require_people(request)
    buckets = task_buckets(request.user)
    groups = [
        (_("Overdue"), buckets.overdue, "overdue"),
        (_("Today"), buckets.today, "today"),
        (_("Upcoming"), buckets.upcoming, "upcoming"),
        (_("No due date"), buckets.undated, "undated"),
        (_("Recently done"), buckets.done, "done"),
    ]
    context = {"groups": groups, "now": timezone.now()}
    return render(request, "sales/activities/my_tasks.html", context)


@require_GET
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """All tasks with filters; the dashboards' numbers link here."""
    _require_people(request)
    form = TaskFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    tasks = tasks_filtered(
        status=data.get("status") or "open",
        assignee=data.get("assignee"),
        priority=data.get("priority") or "",
    )
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "now": timezone.now(),
    }
    return render(request, "sales/activities/task_list.html", context)


@require_GET
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """All activities with filters; the dashboard's per-staff figures link here."""
    _require_people(request)
    form = ActivityFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    found = activities_filtered(
        staff=data.get("staff"),
        kind=data.get("kind") or "",
        since=data.get("since"),
        until=data.get("until"),
    )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    return render(request, "sales/activities/activity_list.html", context)


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    check_permission(request.user, DEALS)
    board = sales_dashboard(request.user)
    dashboard_links(board)
    context = {"board": board, "charts": chart_data(board), "section": "dashboard"}
    return render(request, "sales/activities/dashboard.html", context)


# --- reminders ----------------------------------------------------------------


@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        activity_services.mark_reminders_read(request.user)
        return redirect("sales:reminders")
    reminders = (
        Reminder.objects.filter(user=request.user)
        .select_related("task__person", "task__organization", "task__deal")
        .order_by("-due_at", "-id")[:100]
    )
    return render(request, "sales/activities/reminders.html", {"reminders": reminders})


urlpatterns = [
    path("timeline/<str:subject_type>/<int:subject_id>/", timeline_view, name="timeline"),
    path(
        "timeline/<str:subject_type>/<int:subject_id>/<str:item>/new/",
        item_new,
        name="item_new",
    ),
    path(
        "timeline/<str:subject_type>/<int:subject_id>/<str:item>/<int:pk>/edit/",
        item_edit,
        name="item_edit",
    ),
    path(
        "timeline/<str:subject_type>/<int:subject_id>/<str:item>/<int:pk>/delete/",
        item_delete,
        name="item_delete",
    ),
    path("timeline/close/", form_closed, name="form_closed"),
    path("tasks/", task_list, name="task_list"),
    path("tasks/mine/", my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/done/", task_done, name="task_done"),
    path("activities/", activity_list, name="activity_list"),
    path("dashboard/", dashboard, name="sales_dashboard"),
    path("reminders/", reminder_list, name="reminders"),
]
