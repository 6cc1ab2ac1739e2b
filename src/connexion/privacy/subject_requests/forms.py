"""Forms of the request queue: they parse what staff type; the request
services (`privacy.subject_requests`) validate the rules and write."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connexion.people.forms import person_lookup
from connexion.privacy.ledger.forms import (
    DATETIME_INPUT,
    EVIDENCE_MAX_BYTES,
    EVIDENCE_SIGNATURES,
    ObjectionForm,
    consent_purpose_choices,
)
from connexion.privacy.models import SubjectRequest
from connexion.privacy.subject_requests import rules, verification
from connexion.privacy.subject_requests.selectors import privacy_staff

LANGUAGE_CHOICES = [("th", "ไทย"), ("en", "English")]
# Staff enter what arrived by email, on paper or by phone; the privacy center
# and the API put their requests in the queue themselves.
STAFF_CHANNELS = [
    (value, label)
    for value, label in SubjectRequest.Channel.choices
    if value
    in {SubjectRequest.Channel.EMAIL, SubjectRequest.Channel.PAPER, SubjectRequest.Channel.PHONE}
]
CHANGE_PREFIX = "change_"


def _looks_like_email_message(head: bytes) -> bool:
    """An .eml file: RFC 5322 headers, with at least a sender or a message id."""
    headers = BytesHeaderParser().parsebytes(head)
    return bool(headers.get("From") or headers.get("Message-ID")) and len(headers.keys()) >= 2


def checked_upload(upload: Any, *, allow_email: bool = False) -> Any:
    """A scan (PDF, JPEG, PNG) or, where allowed, a saved email; judged by its
    content, not its name."""
    if upload is None:
        return None
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(EVIDENCE_SIGNATURES):
        return upload
    if allow_email and _looks_like_email_message(head):
        return upload
    if allow_email:
        raise ValidationError(_("Upload the email as an .eml file, or a PDF, JPEG or PNG file."))
    raise ValidationError(_("Upload a PDF, JPEG or PNG file."))


def assignee_field(**kwargs: Any) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=privacy_staff(), required=False, **kwargs
    )
    field.label_from_instance = lambda user: user.display_name()  # type: ignore[method-assign]
    return field


class QueueFilterForm(forms.Form):
    """The queue's filters; unknown values are ignored by the selector."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("open")), ("all", _("all")), *SubjectRequest.Status.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all")), *SubjectRequest.Kind.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("all")), *SubjectRequest.Channel.choices],
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("anyone")),
            ("none", _("nobody")),
            *((str(user.pk), user.display_name()) for user in privacy_staff()),
        ]


class RequestEntryForm(forms.Form):
    """A request that arrived by email, on paper or by phone."""

    kind = forms.ChoiceField(label=_("Kind of request"), choices=SubjectRequest.Kind.choices)
    channel = forms.ChoiceField(label=_("Arrived by"), choices=STAFF_CHANNELS)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Empty: now. The 30 days run from this time."),
    )
    requester_name = forms.CharField(label=_("Requester's name"), max_length=200)
    requester_email = forms.EmailField(label=_("Requester's email"), required=False)
    requester_phone = forms.CharField(label=_("Requester's phone"), max_length=30, required=False)
    language = forms.ChoiceField(
        label=_("Answer in"), choices=LANGUAGE_CHOICES, help_text=_("The language they wrote in.")
    )
    description = forms.CharField(
        label=_("The request in the person's words"), widget=forms.Textarea(attrs={"rows": 4})
    )
    person = person_lookup()
    attachment = forms.FileField(
        label=_("Email received or scan"),
        required=False,
        help_text=_("Required for email and paper: the .eml file, or a PDF, JPEG or PNG scan."),
    )
    by_representative = forms.BooleanField(label=_("Made by a representative"), required=False)
    representative_name = forms.CharField(
        label=_("Representative's name"), max_length=200, required=False
    )
    authority_document = forms.FileField(
        label=_("Authority document"),
        required=False,
        help_text=_("Power of attorney or guardianship: PDF, JPEG or PNG."),
    )
    recipient_controller = forms.CharField(
        label=_("Other controller (portability)"), max_length=200, required=False
    )
    recipient_email = forms.EmailField(label=_("Other controller's email"), required=False)
    assigned_to = assignee_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label = _("Person concerned")
        self.fields["person"].help_text = _(
            "Empty: matched by the email or phone given, if exactly one person has it."
        )
        for name in rules.RECTIFIABLE_FIELDS:
            self.fields[f"{CHANGE_PREFIX}{name}"] = forms.CharField(
                label=rules.field_label(name), required=False, max_length=200
            )

    @property
    def change_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith(CHANGE_PREFIX)]

    @property
    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith(CHANGE_PREFIX)]

    def clean_attachment(self) -> Any:
        return checked_upload(self.cleaned_data.get("attachment"), allow_email=True)

    def clean_authority_document(self) -> Any:
        return checked_upload(self.cleaned_data.get("authority_document"))

    def clean_received_at(self) -> Any:
        value = self.cleaned_data.get("received_at")
        if value is not None and value > timezone.now():
            raise ValidationError(_("The time cannot be in the future."))
        return value

    def proposed_changes(self) -> dict[str, str]:
        return {
            name[len(CHANGE_PREFIX) :]: value.strip()
            for name, value in self.cleaned_data.items()
            if name.startswith(CHANGE_PREFIX) and value and value.strip()
        }

    def request_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "channel": data["channel"],
            "requester_name": data["requester_name"],
            "description": data["description"],
            "language": data["language"],
            "email": data["requester_email"],
            "phone": data["requester_phone"],
            "person": data["person"],
            "proposed_changes": self.proposed_changes() or None,
            "recipient_controller": data["recipient_controller"],
            "recipient_email": data["recipient_email"],
            "by_representative": data["by_representative"],
            "representative_name": data["representative_name"],
            "authority_document": data["authority_document"],
            "attachment": data["attachment"],
            "received_at": data["received_at"],
            "assigned_to": data["assigned_to"],
        }


# --- the actions on one request ---------------------------------------------------


class AssignForm(forms.Form):
    assigned_to = assignee_field()


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}))


class LinkPersonForm(forms.Form):
    person = person_lookup()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label = _("Person concerned")


class SendCodeForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Send a code by"),
        choices=[("email", _("email")), ("phone", _("text message (SMS)"))],
        widget=forms.RadioSelect,
        initial="email",
    )


class CheckCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code the person received"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class DocumentForm(forms.Form):
    document = forms.ChoiceField(
        label=_("Document checked"), choices=list(verification.IDENTITY_DOCUMENTS.items())
    )
    note = forms.CharField(
        label=_("What was checked"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. name and photo match the person; last 4 digits of the number."),
    )


class RepresentativeForm(forms.Form):
    representative_name = forms.CharField(label=_("Representative's name"), max_length=200)
    authority_document = forms.FileField(
        label=_("Authority document"), help_text=_("PDF, JPEG or PNG.")
    )

    def clean_authority_document(self) -> Any:
        return checked_upload(self.cleaned_data.get("authority_document"))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Lawful reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Sent to the person and kept for the record of processing, e.g. the exception of "
            "PDPA s.30, s.33 or s.34 relied on."
        ),
    )


class NoteOnlyForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the person (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CorrectionDecisionForm(forms.Form):
    field = forms.ChoiceField(label=_("Detail"), choices=[(n, n) for n in rules.RECTIFIABLE_FIELDS])
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason of a rejection"), required=False, max_length=500)


class WithdrawalForm(forms.Form):
    purpose = forms.ModelChoiceField(
        label=_("Purpose whose consent is withdrawn"), queryset=consent_purpose_choices()
    )


class RequestObjectionForm(ObjectionForm):
    """The privacy panel's objection form, for an objection request."""


class EscalationForm(forms.Form):
    regulator_reference = forms.CharField(label=_("PDPC reference"), max_length=100)


class ExportForm(forms.Form):
    to_controller = forms.BooleanField(label=_("Send to the other controller"), required=False)


class ErasureForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Type the request's reference to confirm"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
