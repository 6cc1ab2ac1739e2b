"""Template tags of activities: the timeline panel of a person, organization
or deal, the reminders bell, and notes shown through the sanitizer again."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from connexion.audit.services import record_access
from connexion.sales.activities import dashboards, timeline
from connexion.sales.activities import services as activity_services

register = template.Library()


@register.inclusion_tag("sales/activities/timeline_panel.html", takes_context=True)
def timeline_panel(context: template.Context, subject_type: str, subject: Any) -> dict[str, Any]:
    """`{% timeline_panel "person" person %}`: the first page (access recorded)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    page = timeline.timeline_page(user, subject_type, subject)
    return {
        "page": page,
        "request": request,
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("sales/activities/reminder_badge.html", takes_context=True)
def reminder_badge(context: template.Context) -> dict[str, Any]:
    """The bell in the top bar: the user's unread reminders (one count query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread": dashboards.unread_reminders(user)}


@register.filter
def note_html(value: str) -> SafeString:
    """Notes are sanitized when saved; shown through the same allow-list again,
    so a row written around the service (a bulk load) cannot carry a script."""
    return mark_safe(activity_services.sanitize_note(value or "").html)  # noqa: S308


@register.inclusion_tag("sales/activities/home.html", takes_context=True)
def home_dashboard(context: template.Context) -> dict[str, Any]:
    """The signed-in user's own day: open deals, tasks due, recent activities."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("accounts.access_people"):
        return {"show": False}
    board = dashboards.home_dashboard(user)
    people = {
        str(item.person_id)
        for item in [*board.open_deals, *board.tasks, *board.recent_activities]
        if item.person_id
    }
    if people:
        record_access(user, "sales.home_dashboard", "people.person", sorted(people))
    return {
        "show": True,
        "board": board,
        "can_see_deals": user.has_perm("accounts.access_deals"),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "now": timezone.now(),
    }
