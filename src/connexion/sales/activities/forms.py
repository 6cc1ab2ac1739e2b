"""Forms for activities, tasks and notes: they parse what staff type;
`sales.activities.services` validates and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connexion.accounts.visibility import visible
from connexion.audit.context import current_viewer
from connexion.people.forms import person_lookup
from connexion.people.models import Organization, Person
from connexion.sales.models import Activity, Deal, Note, Task

User = get_user_model()

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def active_staff() -> QuerySet[Any]:
    return User.objects.filter(is_active=True).order_by("first_name", "username")


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name()


class StaffChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name()


def related_people(subject: Any) -> QuerySet[Person]:
    """The people who may take part in an activity about `subject`: those
    linked to the person, working at the organization, or on the deal."""
    if isinstance(subject, Person):
        where = Q(relationships__other=subject) | Q(pk__in=subject.relationships.values("other"))
        if subject.employer_id:
            where |= Q(employer_id=subject.employer_id)
        return Person.objects.filter(where).exclude(pk=subject.pk).distinct()[:50]  # type: ignore[return-value]
    if isinstance(subject, Organization):
        where = Q(employer=subject) | Q(organization_roles__organization=subject)
        return Person.objects.filter(where).distinct()[:50]  # type: ignore[return-value]
    if isinstance(subject, Deal):
        where = Q(pk=subject.person_id) if subject.person_id else Q(pk__in=[])
        if subject.organization_id:
            where |= Q(employer_id=subject.organization_id)
        return Person.objects.filter(where).distinct()[:50]  # type: ignore[return-value]
    return Person.objects.none()


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS, required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, widget=forms.NumberInput(attrs={"min": 0})
    )
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Also present"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_participant = person_lookup()
    staff_participants = StaffChoices(
        label=_("Staff present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(
        self, *args: Any, subject: Any = None, activity: Activity | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other_participant"].label = _("Someone else present")
        people = {person.pk for person in related_people(subject)}
        if activity is not None:
            # Editing keeps whoever took part, related to the subject or not.
            people |= set(activity.participants.values_list("pk", flat=True))
        self.fields["participants"].queryset = visible(  # type: ignore[attr-defined]
            current_viewer(), Person.objects.filter(pk__in=people)
        )
        if not people:
            del self.fields["participants"]
        self.fields["staff_participants"].queryset = active_staff()  # type: ignore[attr-defined]
        if not self.is_bound and "occurred_at" not in self.initial:
            self.initial["occurred_at"] = timezone.localtime().replace(second=0, microsecond=0)

    @staticmethod
    def initial_for(activity: Activity) -> dict[str, Any]:
        return {
            "kind": activity.kind,
            "subject": activity.subject,
            "occurred_at": timezone.localtime(activity.occurred_at),
            "duration_minutes": activity.duration_minutes,
            "outcome": activity.outcome,
            "body": activity.body,
            "participants": list(activity.participants.all()),
            "staff_participants": list(activity.staff_participants.all()),
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data.get("kind"),
            "subject": data.get("subject") or "",
            "occurred_at": data.get("occurred_at"),
            "duration_minutes": data.get("duration_minutes"),
            "outcome": data.get("outcome") or "",
            "body": data.get("body") or "",
        }

    def people(self) -> list[Person]:
        people = list(self.cleaned_data.get("participants") or [])
        other = self.cleaned_data.get("other_participant")
        if other is not None and other not in people:
            people.append(other)
        return people


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200, required=False)
    due_at = forms.DateTimeField(
        label=_("Due"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS, required=False
    )
    assignee = StaffChoice(label=_("Assigned to"), queryset=User.objects.none(), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Task.Priority.choices, initial=Task.Priority.NORMAL
    )
    remind_at = forms.DateTimeField(
        label=_("Remind at"),
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        required=False,
        help_text=_("The assignee is reminded in the application and by email."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, task: Task | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True)
        if task is not None and task.assignee_id:
            # The current assignee stays listed even if deactivated since.
            staff = User.objects.filter(Q(is_active=True) | Q(pk=task.assignee_id))
        if self.is_bound:
            # A posted deactivated user reaches the service, which says why it refuses.
            staff = User.objects.all()
        self.fields["assignee"].queryset = staff.order_by("first_name", "username")  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(task: Task) -> dict[str, Any]:
        return {
            "title": task.title,
            "assignee": task.assignee,
            "priority": task.priority,
            "description": task.description,
            "due_at": _local(task.due_at),
            "remind_at": _local(task.remind_at),
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data.get("title") or "",
            "due_at": data.get("due_at"),
            "assignee": data.get("assignee"),
            "priority": data.get("priority"),
            "remind_at": data.get("remind_at"),
            "description": data.get("description") or "",
        }


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Plain text, or simple formatting: <p>, <strong>, <em>, lists and links "
            "(http, https, mailto). Anything else is removed."
        ),
    )

    @staticmethod
    def initial_for(note: Note) -> dict[str, Any]:
        return {"body": note.body_html}


class TaskFilterForm(forms.Form):
    STATUSES = [
        ("open", _("open")),
        ("overdue", _("overdue")),
        ("today", _("due today")),
        ("upcoming", _("upcoming")),
        ("done", _("done")),
        ("all", _("all")),
    ]
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    assignee = StaffChoice(
        label=_("Assigned to"), queryset=User.objects.all(), required=False, empty_label=_("anyone")
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("any")), *Task.Priority.choices], required=False
    )


class ActivityFilterForm(forms.Form):
    staff = StaffChoice(
        label=_("Recorded by"), queryset=User.objects.all(), required=False, empty_label=_("anyone")
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("any kind")), *Activity.Kind.choices], required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
