"""Writes of activities, tasks, notes and reminders. Each function is one
transaction and one audit entry; views, the API, the demo and the reminder
task call these and never save the models themselves.

Errors are Django `ValidationError`s keyed by field name, so forms and the API
show each next to the field it is about; nothing is written when one is raised."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import nh3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.people.erased import erased_message, refuse_if_erased
from connexion.people.models import Organization, Person
from connexion.sales.models import Activity, Deal, Lead, Note, Reminder, Task

logger = logging.getLogger(__name__)

UI = AuditEvent.Channel.UI
User = get_user_model()

# A week: longer is a typing mistake, not a meeting.
MAX_DURATION_MINUTES = 7 * 24 * 60
LINKS = ("person", "organization", "lead", "deal")
NOTE_MAX_LENGTH = 20_000

ACTIVITY_FIELDS = (
    "kind",
    "subject",
    "body",
    "occurred_at",
    "duration_minutes",
    "outcome",
    *LINKS,
)
TASK_FIELDS = (
    "title",
    "description",
    "due_at",
    "assignee",
    "priority",
    "remind_at",
    *LINKS,
)


# --- shared -----------------------------------------------------------------


def _display(value: Any) -> Any:
    """What the audit log keeps of a value."""
    if isinstance(value, models.Model):
        return f"#{value.pk} {value}"
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _fill_links(values: dict[str, Any]) -> None:
    """An item logged on a deal or lead also belongs to its person and
    organization, so that it shows on their timelines too."""
    for parent_name in ("deal", "lead"):
        parent = values.get(parent_name)
        if parent is None:
            continue
        for name in ("person", "organization"):
            if values.get(name) is None and getattr(parent, f"{name}_id", None):
                values[name] = getattr(parent, name)


def _link_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not any(values.get(name) is not None for name in LINKS):
        errors["person"] = [_("Link it to a person, an organization, a lead or a deal.")]
    person = values.get("person")
    if isinstance(person, Person) and person.merged_into_id:
        errors["person"] = [_("This record was merged into another one: use that record.")]
    elif isinstance(person, Person) and person.anonymized_at is not None:
        errors["person"] = [erased_message(person)]
    checks = (
        ("person", Person),
        ("organization", Organization),
        ("lead", Lead),
        ("deal", Deal),
    )
    for name, model in checks:
        value = values.get(name)
        if value is not None and not isinstance(value, model):
            errors[name] = [_("Choose an existing record.")]
    return errors


def _apply(
    instance: models.Model, values: dict[str, Any], names: Iterable[str], creating: bool
) -> dict[str, list[Any]]:
    changes = {}
    for name in names:
        if name not in values:
            continue
        before = None if creating else getattr(instance, name)
        after = values[name]
        # A new record lists what it was given; a change lists what differs.
        if (creating and after not in (None, "")) or (not creating and before != after):
            changes[name] = [_display(before), _display(after)]
        setattr(instance, name, after)
    return changes


def _model_errors(instance: models.Model, errors: dict[str, list[str]]) -> None:
    """The model's own checks (lengths, choices) for fields not already refused."""
    try:
        instance.full_clean(exclude=[*errors, *LINKS, "created_by", "author", "assignee"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)


# --- activities -------------------------------------------------------------


def _activity_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors = _link_errors(values)
    if values.get("kind") not in Activity.Kind.values:
        errors["kind"] = [_("Choose the kind of activity.")]
    if not (values.get("subject") or "").strip():
        errors["subject"] = [_("Say in a few words what it was about.")]
    if values.get("occurred_at") is None:
        errors["occurred_at"] = [_("Give the date and time.")]
    duration = values.get("duration_minutes")
    if duration is not None:
        if not isinstance(duration, int) or isinstance(duration, bool):
            errors["duration_minutes"] = [_("Enter the duration as a whole number of minutes.")]
        elif duration < 0:
            errors["duration_minutes"] = [_("The duration cannot be negative.")]
        elif duration > MAX_DURATION_MINUTES:
            errors["duration_minutes"] = [
                _("The duration cannot be longer than a week (%(max)s minutes).")
                % {"max": MAX_DURATION_MINUTES}
            ]
    return errors


def _set_participants(
    activity: Activity, people: Iterable[Person] | None, staff: Iterable[Any] | None
) -> dict[str, list[Any]]:
    changes = {}
    if people is not None:
        people = list(people)
        merged = [person for person in people if person.merged_into_id]
        if merged:
            raise ValidationError(
                {
                    "participants": [
                        _("%(name)s was merged into another record.") % {"name": merged[0]}
                    ]
                }
            )
        for person in people:
            refuse_if_erased(person, "participants")
        activity.participants.set(people)
        changes["participants"] = [None, ", ".join(f"#{p.pk}" for p in people)]
    if staff is not None:
        staff = list(staff)
        activity.staff_participants.set(staff)
        changes["staff_participants"] = [None, ", ".join(str(user) for user in staff)]
    return changes


@transaction.atomic
def log_activity(
    actor: Actor,
    *,
    participants: Iterable[Person] | None = None,
    staff_participants: Iterable[Any] | None = None,
    audit_channel: str = UI,
    **values: Any,
) -> Activity:
    """Records a call, meeting, email, chat, visit or note with someone."""
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"not activity fields: {sorted(unknown)}")
    values.setdefault("body", "")
    values.setdefault("outcome", "")
    values["subject"] = " ".join((values.get("subject") or "").split())
    _fill_links(values)
    errors = _activity_errors(values)
    activity = Activity(created_by=acting_user(actor))
    changes = _apply(activity, values, ACTIVITY_FIELDS, creating=True)
    _model_errors(activity, errors)
    if errors:
        raise ValidationError(errors)
    activity.save()
    changes.update(_set_participants(activity, participants, staff_participants))
    record_change(actor, "sales.log_activity", activity, changes, channel=audit_channel)
    return activity


@transaction.atomic
def update_activity(
    actor: Actor,
    activity: Activity,
    *,
    participants: Iterable[Person] | None = None,
    staff_participants: Iterable[Any] | None = None,
    audit_channel: str = UI,
    **values: Any,
) -> Activity:
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"not activity fields: {sorted(unknown)}")
    if "subject" in values:
        values["subject"] = " ".join((values["subject"] or "").split())
    merged = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
    merged.update(values)
    errors = _activity_errors(merged)
    # Checked on a copy: a refused change leaves the caller's object as it was.
    candidate = Activity.objects.get(pk=activity.pk)
    changes = _apply(candidate, values, ACTIVITY_FIELDS, creating=False)
    _model_errors(candidate, errors)
    if errors:
        raise ValidationError(errors)
    candidate.save()
    changes.update(_set_participants(candidate, participants, staff_participants))
    if changes:
        record_change(actor, "sales.update_activity", candidate, changes, channel=audit_channel)
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, getattr(candidate, name))
    return activity


@transaction.atomic
def delete_activity(actor: Actor, activity: Activity, *, audit_channel: str = UI) -> None:
    record_change(
        actor,
        "sales.delete_activity",
        activity,
        {"subject": [activity.subject, None], "occurred_at": [str(activity.occurred_at), None]},
        channel=audit_channel,
    )
    activity.delete()


# --- tasks ------------------------------------------------------------------


def _assignee_errors(assignee: Any) -> list[str]:
    if assignee is None:
        return []
    if not isinstance(assignee, User):
        return [_("Choose a member of staff.")]
    if not assignee.is_active:
        return [
            _("%(name)s's account is deactivated: assign the task to an active member of staff.")
            % {"name": assignee.display_name()}
        ]
    return []


def _task_errors(values: dict[str, Any], *, check_reminder: bool) -> dict[str, list[str]]:
    errors = _link_errors(values)
    if not (values.get("title") or "").strip():
        errors["title"] = [_("Say what is to be done.")]
    if values.get("priority") not in Task.Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    assignee_errors = _assignee_errors(values.get("assignee"))
    if assignee_errors:
        errors["assignee"] = assignee_errors
    remind_at = values.get("remind_at")
    due_at = values.get("due_at")
    if remind_at is not None and check_reminder:
        # A minute of grace: the form was filled in a moment ago.
        if remind_at < timezone.now() - timedelta(minutes=1):
            errors["remind_at"] = [_("The reminder time has already passed.")]
        elif due_at is not None and remind_at > due_at:
            errors["remind_at"] = [_("The reminder must come before the task is due.")]
        elif values.get("assignee") is None:
            errors["assignee"] = [_("A reminder needs someone to remind: assign the task.")]
    return errors


@transaction.atomic
def create_task(actor: Actor, *, audit_channel: str = UI, **values: Any) -> Task:
    unknown = set(values) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"not task fields: {sorted(unknown)}")
    values.setdefault("description", "")
    values.setdefault("priority", Task.Priority.NORMAL)
    values["title"] = " ".join((values.get("title") or "").split())
    _fill_links(values)
    errors = _task_errors(values, check_reminder=True)
    task = Task(created_by=acting_user(actor))
    changes = _apply(task, values, TASK_FIELDS, creating=True)
    _model_errors(task, errors)
    if errors:
        raise ValidationError(errors)
    task.save()
    record_change(actor, "sales.create_task", task, changes, channel=audit_channel)
    return task


@transaction.atomic
def update_task(actor: Actor, task: Task, *, audit_channel: str = UI, **values: Any) -> Task:
    unknown = set(values) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"not task fields: {sorted(unknown)}")
    if "title" in values:
        values["title"] = " ".join((values["title"] or "").split())
    merged = {name: getattr(task, name) for name in TASK_FIELDS}
    merged.update(values)
    reminder_changed = "remind_at" in values and values["remind_at"] != task.remind_at
    errors = _task_errors(merged, check_reminder=reminder_changed)
    if "assignee" not in values and not errors.get("assignee"):
        # Keeping a task with a deactivated assignee is allowed; giving it one is not.
        errors.pop("assignee", None)
    candidate = Task.objects.get(pk=task.pk)
    changes = _apply(candidate, values, TASK_FIELDS, creating=False)
    if reminder_changed or ("assignee" in values and values["assignee"] != task.assignee):
        # A new time or a new person: the reminder is to be sent (again).
        candidate.reminder_sent_at = None
    _model_errors(candidate, errors)
    if errors:
        raise ValidationError(errors)
    candidate.save()
    if changes:
        record_change(actor, "sales.update_task", candidate, changes, channel=audit_channel)
    for name in (*TASK_FIELDS, "reminder_sent_at"):
        setattr(task, name, getattr(candidate, name))
    return task


@transaction.atomic
def set_task_done(actor: Actor, task: Task, done: bool, *, audit_channel: str = UI) -> Task:
    if done == (task.done_at is not None):
        return task
    before = task.done_at
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done_at", "updated_at"])
    record_change(
        actor,
        "sales.complete_task" if done else "sales.reopen_task",
        task,
        {"done_at": [_display(before), _display(task.done_at)]},
        channel=audit_channel,
    )
    return task


@transaction.atomic
def delete_task(actor: Actor, task: Task, *, audit_channel: str = UI) -> None:
    record_change(
        actor, "sales.delete_task", task, {"title": [task.title, None]}, channel=audit_channel
    )
    task.delete()


# --- notes ------------------------------------------------------------------

NOTE_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
NOTE_ATTRIBUTES = {"a": {"href"}}
NOTE_URL_SCHEMES = ("http://", "https://", "mailto:")
_MARKUP = re.compile(r"<[a-zA-Z/!]")


def _keep_safe_links(element: str, attribute: str, value: str) -> str | None:
    # Only absolute web and mail links: no javascript:, data: or relative paths.
    if element == "a" and attribute == "href":
        return value if value.strip().lower().startswith(NOTE_URL_SCHEMES) else None
    return value


class _Removed(HTMLParser):
    """Lists what the sanitizer is about to drop, to tell the author."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []

    def _add(self, item: str) -> None:
        if item not in self.items:
            self.items.append(item)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in NOTE_TAGS:
            self._add(f"<{tag}>")
            return
        for name, value in attrs:
            allowed = NOTE_ATTRIBUTES.get(tag, set())
            if name not in allowed:
                self._add(name)
            elif _keep_safe_links(tag, name, value or "") is None:
                self._add(f"{name}={value}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self._add("<!-- -->")


@dataclass
class CleanNote:
    html: str
    removed: list[str] = field(default_factory=list)


def sanitize_note(text: str) -> CleanNote:
    """Plain text becomes paragraphs; markup keeps only p, br, strong, em,
    lists and http/https/mailto links. Nothing else can be stored."""
    if not _MARKUP.search(text):
        return CleanNote(linebreaks(escape(text.strip())))
    finder = _Removed()
    finder.feed(text)
    finder.close()
    cleaned = nh3.clean(
        text,
        tags=NOTE_TAGS,
        attributes=NOTE_ATTRIBUTES,
        attribute_filter=_keep_safe_links,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
    return CleanNote(cleaned, finder.items)


def _note_body(body: str) -> tuple[CleanNote, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if len(body) > NOTE_MAX_LENGTH:
        errors["body"] = [
            _("The note is too long: at most %(max)s characters.") % {"max": NOTE_MAX_LENGTH}
        ]
        return CleanNote(""), errors
    clean = sanitize_note(body or "")
    if not nh3.clean(clean.html, tags=set()).strip():
        errors["body"] = [_("Write the note.")]
    return clean, errors


@transaction.atomic
def add_note(
    actor: Actor,
    *,
    body: str,
    person: Person | None = None,
    organization: Organization | None = None,
    lead: Lead | None = None,
    deal: Deal | None = None,
    audit_channel: str = UI,
) -> Note:
    """Stores a sanitized note; `note.removed` lists what was taken out."""
    links: dict[str, Any] = {
        "person": person,
        "organization": organization,
        "lead": lead,
        "deal": deal,
    }
    _fill_links(links)
    clean, errors = _note_body(body)
    errors = {**_link_errors(links), **errors}
    if errors:
        raise ValidationError(errors)
    note = Note.objects.create(body_html=clean.html, author=acting_user(actor), **links)
    record_change(
        actor,
        "sales.add_note",
        note,
        {
            "body_html": [None, clean.html],
            **{k: [None, _display(v)] for k, v in links.items() if v},
        },
        channel=audit_channel,
    )
    note.removed = clean.removed  # type: ignore[attr-defined]
    return note


@transaction.atomic
def update_note(actor: Actor, note: Note, *, body: str, audit_channel: str = UI) -> Note:
    clean, errors = _note_body(body)
    if errors:
        raise ValidationError(errors)
    before = note.body_html
    if clean.html != before:
        note.body_html = clean.html
        note.save(update_fields=["body_html", "updated_at"])
        record_change(
            actor,
            "sales.update_note",
            note,
            {"body_html": [before, clean.html]},
            channel=audit_channel,
        )
    note.removed = clean.removed  # type: ignore[attr-defined]
    return note


@transaction.atomic
def delete_note(actor: Actor, note: Note, *, audit_channel: str = UI) -> None:
    record_change(
        actor,
        "sales.delete_note",
        note,
        {"body_html": [note.body_html, None]},
        channel=audit_channel,
    )
    note.delete()


# --- reminders --------------------------------------------------------------

REMINDER_BATCH = 200
SMTP_TIMEOUT = 20


def mark_reminders_read(user: Any, reminders: Iterable[Reminder] | None = None) -> int:
    """Marks the user's reminders (all unread ones by default) as read."""
    queryset = Reminder.objects.filter(user=user, read_at__isnull=True)
    if reminders is not None:
        queryset = queryset.filter(pk__in=[reminder.pk for reminder in reminders])
    return queryset.update(read_at=timezone.now())


def _claim_due_reminders(now: datetime) -> list[Reminder]:
    """Marks due tasks as reminded and makes their in-app reminders, in one
    transaction. The rows are locked (PostgreSQL) or the database is (SQLite),
    so two sweeps never claim the same task."""
    with transaction.atomic():
        due = (
            Task.objects.filter(
                remind_at__lte=now,
                reminder_sent_at__isnull=True,
                done_at__isnull=True,
                assignee__isnull=False,
                assignee__is_active=True,
            )
            .order_by("remind_at", "id")
            .select_for_update(skip_locked=True, of=("self",))
        )
        tasks = list(due[:REMINDER_BATCH])
        if not tasks:
            return []
        Task.objects.filter(pk__in=[task.pk for task in tasks]).update(reminder_sent_at=now)
        return Reminder.objects.bulk_create(
            [Reminder(user_id=task.assignee_id, task=task, due_at=task.remind_at) for task in tasks]
        )


def _reminder_message(reminder: Reminder, base_url: str) -> EmailMultiAlternatives:
    """The email, in the assignee's language, dates in their calendar."""
    from connexion.ui.templatetags.connexion import localdatetime

    task = reminder.task
    user = reminder.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Reminder: %(title)s") % {"title": task.title}
        lines = [_("Task: %(title)s") % {"title": task.title}]
        if task.due_at:
            lines.append(_("Due: %(when)s") % {"when": localdatetime(task.due_at)})
        about = task.person or task.organization or task.deal or task.lead
        if about is not None:
            lines.append(_("About: %(name)s") % {"name": about})
        if task.description:
            lines += ["", task.description]
        url = f"{base_url}{reverse('sales:my_tasks')}"
        lines += ["", _("Your tasks: %(url)s") % {"url": url}]
    body = "\n".join(lines)
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
    )
    message.attach_alternative(linebreaks(escape(body)), "text/html")
    return message


def send_due_reminders(now: datetime | None = None, *, base_url: str = "") -> int:
    """Delivers every reminder that has come due: once in the application and
    once by email to the assignee (at most once: a relay failure is recorded
    on the reminder, which the assignee still sees in the application).
    Returns how many were delivered."""
    now = now or timezone.now()
    base_url = base_url or getattr(settings, "CONNEXION_BASE_URL", "")
    delivered = 0
    while reminders := _claim_due_reminders(now):
        delivered += len(reminders)
        batch = Reminder.objects.filter(pk__in=[r.pk for r in reminders]).select_related(
            "user", "task__person", "task__organization", "task__deal", "task__lead"
        )
        connection = get_connection(fail_silently=False, timeout=SMTP_TIMEOUT)
        try:
            for reminder in batch:
                _email_reminder(reminder, base_url, connection)
        finally:
            connection.close()
    return delivered


def _email_reminder(reminder: Reminder, base_url: str, connection: Any) -> None:
    if not reminder.user.email:
        reminder.email_error = _("No email address on the staff account.")
    else:
        message = _reminder_message(reminder, base_url)
        message.connection = connection
        try:
            message.send()
        except Exception as exc:  # the relay failed: recorded, shown in the app
            logger.warning("reminder %s: email failed: %s", reminder.pk, exc)
            reminder.email_error = f"{exc.__class__.__name__}: {exc}"[:500]
        else:
            reminder.emailed_at = timezone.now()
    reminder.save(update_fields=["emailed_at", "email_error"])
