"""Pages of the data-subject request queue (privacy area): the queue, staff
entry of a request, and one request with its actions. Thin: parse, call
`privacy.subject_requests` or its `selectors`, render. The actions answer
htmx with the request's page body again; a plain POST goes back to the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connexion.accounts.permissions import MissingPermission, require_permission
from connexion.audit.services import record_access
from connexion.documents.serving import stored_file_response
from connexion.lib.forms import put_errors
from connexion.lib.http import parse_id
from connexion.people.models import Person
from connexion.privacy.ledger.forms import RestrictionForm, error_lines
from connexion.privacy.ledger.selectors import person_contact_points
from connexion.privacy.models import SubjectRequest
from connexion.privacy.subject_requests import (
    fulfilment,
    intake,
    rectification,
    rules,
    selectors,
    verification,
    workflow,
)
from connexion.privacy.subject_requests.forms import (
    AssignForm,
    CheckCodeForm,
    CorrectionDecisionForm,
    DocumentForm,
    ErasureForm,
    EscalationForm,
    ExportForm,
    LinkPersonForm,
    NoteForm,
    NoteOnlyForm,
    QueueFilterForm,
    RejectForm,
    RepresentativeForm,
    RequestEntryForm,
    RequestObjectionForm,
    SendCodeForm,
    WithdrawalForm,
)

privacy_access = require_permission("accounts.access_privacy")


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the queue ------------------------------------------------------------------------


@require_GET
@login_required
@privacy_access
def request_queue(request: HttpRequest) -> HttpResponse:
    filters = selectors.QueueFilters.from_query(request.GET)
    page = selectors.queue(request.user, filters, request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "filter_form": QueueFilterForm(
            initial={
                "status": filters.status,
                "kind": filters.kind,
                "channel": filters.channel,
                "assignee": filters.assignee,
                "overdue": filters.overdue,
            }
        ),
        "query_string": _query_string(request),
    }
    if request.htmx and request.htmx.target == "request-rows":
        return render(request, "privacy/requests/_queue_rows.html", context)
    return render(request, "privacy/requests/queue.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@privacy_access
def request_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    person_id = parse_id(request.GET.get("person"))
    if person_id is not None:
        initial["person"] = Person.objects.filter(pk=person_id).first()
    form = RequestEntryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            submitted = intake.open_request(request.user, **form.request_values())
        except ValidationError as error:
            put_errors(form, _rekey_changes(error))
        else:
            messages.success(
                request,
                _("Request %(reference)s entered; the person was sent an acknowledgement.")
                % {"reference": submitted.request.reference},
            )
            return redirect("privacy:request_detail", submitted.request.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "privacy/requests/form.html", {"form": form}, status=status)


def _rekey_changes(error: ValidationError) -> ValidationError:
    """`proposed_changes.first_name_th` is the form's `change_first_name_th`."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {
            (
                f"change_{name.split('.', 1)[1]}" if name.startswith("proposed_changes.") else name
            ): messages
            for name, messages in error.message_dict.items()
        }
    )


# --- one request ----------------------------------------------------------------------


def _forms(detail: selectors.RequestDetail, bound: dict[str, Form]) -> dict[str, Form]:
    """Every action's form: the bound one of a failed submission, else empty."""
    subject = detail.request
    person = subject.person
    empty: dict[str, Callable[[], Form]] = {
        "assign": lambda: AssignForm(initial={"assigned_to": subject.assigned_to_id}),
        "note": NoteForm,
        "link": LinkPersonForm,
        "send_code": SendCodeForm,
        "check_code": CheckCodeForm,
        "document": DocumentForm,
        "representative": RepresentativeForm,
        "reject": RejectForm,
        "withdraw": NoteOnlyForm,
        "complete": NoteOnlyForm,
        "restrict": lambda: RestrictionForm(
            contact_points=person_contact_points(person) if person else [], prefix="restriction"
        ),
        "object": lambda: RequestObjectionForm(prefix="objection"),
        "withdraw_consent": WithdrawalForm,
        "escalate": EscalationForm,
        "export": ExportForm,
        "erase": ErasureForm,
    }
    forms = {name: bound.get(name) or make() for name, make in empty.items()}
    for name, form in forms.items():
        form.auto_id = f"id_{name}_%s"  # several forms on one page share field names
    return forms


def _render_detail(
    request: HttpRequest,
    request_id: int,
    *,
    template: str,
    done: str = "",
    errors: list[str] | None = None,
    bound: dict[str, Form] | None = None,
    link: str = "",
) -> HttpResponse:
    detail = selectors.request_detail(request.user, request_id)
    if detail is None:
        raise Http404
    context = {
        "detail": detail,
        "subject": detail.request,
        "forms": _forms(detail, bound or {}),
        "done": done,
        "errors": errors or [],
        "link": link,
        "may_erase": fulfilment.may_erase(request.user),
        "document_choices": verification.IDENTITY_DOCUMENTS,
    }
    return render(request, template, context)


@require_GET
@login_required
@privacy_access
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _render_detail(request, request_id, template="privacy/requests/detail.html")


class Invalid(Exception):
    """An action's form did not pass: shown again with its errors."""

    def __init__(self, form: Form) -> None:
        super().__init__()
        self.form = form


def _valid(form: Form) -> dict[str, Any]:
    if not form.is_valid():
        raise Invalid(form)
    return form.cleaned_data


def _call(form: Form, service: Callable[[], Any]) -> Any:
    """Runs the service; its errors go next to the form's fields."""
    try:
        return service()
    except ValidationError as error:
        put_errors(form, error)
        raise Invalid(form) from None


Result = tuple[str, str]  # (message, download link shown once)
Handler = Callable[[HttpRequest, SubjectRequest], Result]
ACTIONS: dict[str, Handler] = {}


def action(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ACTIONS[name] = handler
        return handler

    return register


@action("assign")
def _assign(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = AssignForm(request.POST)
    data = _valid(form)
    _call(form, lambda: workflow.assign(request.user, subject, data["assigned_to"]))
    return _("Assignment saved."), ""


@action("note")
def _note(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = NoteForm(request.POST)
    data = _valid(form)
    _call(form, lambda: workflow.add_note(request.user, subject, data["text"]))
    return _("Note added."), ""


@action("link")
def _link(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = LinkPersonForm(request.POST)
    data = _valid(form)
    _call(form, lambda: workflow.link_person(request.user, subject, data["person"]))
    return _("Person concerned saved."), ""


@action("send_code")
def _send_code(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = SendCodeForm(request.POST)
    data = _valid(form)
    _call(
        form,
        lambda: verification.send_verification_code(request.user, subject, channel=data["channel"]),
    )
    return _("Code sent. It works for 10 minutes and 3 tries."), ""


@action("check_code")
def _check_code(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = CheckCodeForm(request.POST)
    data = _valid(form)
    _call(form, lambda: verification.check_verification_code(request.user, subject, data["code"]))
    return _("Identity verified: the request is in progress."), ""


@action("document")
def _document(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = DocumentForm(request.POST)
    data = _valid(form)
    _call(
        form,
        lambda: verification.verify_by_document(
            request.user, subject, document=data["document"], note=data["note"]
        ),
    )
    return _("Identity verified: the request is in progress."), ""


@action("representative")
def _representative(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = RepresentativeForm(request.POST, request.FILES)
    data = _valid(form)
    _call(
        form,
        lambda: verification.record_representative(
            request.user,
            subject,
            name=data["representative_name"],
            authority_document=data["authority_document"],
        ),
    )
    return _("Representative recorded."), ""


@action("start_verification")
def _start_verification(request: HttpRequest, subject: SubjectRequest) -> Result:
    workflow.start_verification(request.user, subject)
    return _("The request is waiting for identity verification."), ""


@action("start_work")
def _start_work(request: HttpRequest, subject: SubjectRequest) -> Result:
    workflow.start_work(request.user, subject)
    return _("The request is in progress."), ""


@action("reject")
def _reject(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = RejectForm(request.POST)
    data = _valid(form)
    _call(form, lambda: workflow.reject_request(request.user, subject, reason=data["reason"]))
    return _("Request rejected; the person was told the reason."), ""


@action("withdraw")
def _withdraw(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = NoteOnlyForm(request.POST)
    data = _valid(form)
    _call(form, lambda: workflow.withdraw_request(request.user, subject, note=data["note"]))
    return _("Request withdrawn."), ""


@action("complete")
def _complete(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = NoteOnlyForm(request.POST)
    data = _valid(form)
    _call(form, lambda: workflow.complete_request(request.user, subject, note=data["note"]))
    return _("Request completed; the person was told."), ""


@action("decide")
def _decide(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = CorrectionDecisionForm(request.POST)
    data = _valid(form)
    accept = data["decision"] == "accept"
    _call(
        form,
        lambda: rectification.decide_correction(
            request.user, subject, data["field"], accept=accept, reason=data["reason"]
        ),
    )
    label = rules.field_label(data["field"])
    if accept:
        return _("Correction of “%(field)s” accepted and applied.") % {"field": label}, ""
    return _("Correction of “%(field)s” rejected.") % {"field": label}, ""


@action("restrict")
def _restrict(request: HttpRequest, subject: SubjectRequest) -> Result:
    person = subject.person
    form = RestrictionForm(
        request.POST,
        contact_points=person_contact_points(person) if person else [],
        prefix="restriction",
    )
    _valid(form)
    _call(
        form,
        lambda: fulfilment.carry_out_restriction(
            request.user, subject, **form.restriction_values()
        ),
    )
    return _("Restriction recorded."), ""


@action("object")
def _object(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = RequestObjectionForm(request.POST, prefix="objection")
    data = _valid(form)
    _call(
        form,
        lambda: fulfilment.carry_out_objection(
            request.user, subject, data["purpose"], grounds=data["grounds"]
        ),
    )
    return _("Objection recorded."), ""


@action("withdraw_consent")
def _withdraw_consent(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = WithdrawalForm(request.POST)
    data = _valid(form)
    _call(form, lambda: fulfilment.carry_out_withdrawal(request.user, subject, data["purpose"]))
    return _("Consent withdrawn."), ""


@action("escalate")
def _escalate(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = EscalationForm(request.POST)
    data = _valid(form)
    _call(
        form,
        lambda: fulfilment.escalate_complaint(
            request.user, subject, regulator_reference=data["regulator_reference"]
        ),
    )
    return _("Escalation to the PDPC recorded."), ""


@action("export")
def _export(request: HttpRequest, subject: SubjectRequest) -> Result:
    form = ExportForm(request.POST)
    data = _valid(form)
    delivery = _call(
        form,
        lambda: fulfilment.deliver_export(
            request.user,
            subject,
            to_controller=data["to_controller"],
            base_url=request.build_absolute_uri("/"),
        ),
    )
    if delivery.link:
        return _("The person was sent a single-use download link."), delivery.link
    return _("The data was sent to the other controller."), ""


@action("erase")
def _erase(request: HttpRequest, subject: SubjectRequest) -> Result:
    if not fulfilment.may_erase(request.user):
        raise MissingPermission("privacy.erase_person")
    form = ErasureForm(request.POST)
    data = _valid(form)
    _call(
        form,
        lambda: fulfilment.carry_out_erasure(
            request.user, subject, confirmation=data["confirmation"]
        ),
    )
    return _("The person's data was erased and the request completed."), ""


@require_POST
@login_required
@privacy_access
def request_action(request: HttpRequest, request_id: int, name: str) -> HttpResponse:
    handler = ACTIONS.get(name)
    if handler is None:
        raise Http404
    subject = get_object_or_404(SubjectRequest, pk=request_id)
    done, link, errors, bound = "", "", [], {}
    try:
        done, link = handler(request, subject)
    except Invalid as invalid:
        errors = error_lines(invalid.form)
        bound[name] = invalid.form
    except ValidationError as error:
        errors = error.messages
    if request.htmx:
        return _render_detail(
            request,
            request_id,
            template="privacy/requests/_detail.html",
            done=done,
            errors=errors,
            bound=bound,
            link=link,
        )
    if done:
        messages.success(request, done)
    if link:
        messages.info(request, _("Download link (shown once): %(link)s") % {"link": link})
    for line in errors:
        messages.error(request, line)
    return redirect("privacy:request_detail", request_id)


FILES = {"attachment": "attachment", "authority": "authority_document"}


@require_GET
@login_required
@privacy_access
def request_file(request: HttpRequest, request_id: int, which: str) -> HttpResponse:
    """The email or scan received, or the authority document: logged, never cached."""
    if which not in FILES:
        raise Http404
    subject = get_object_or_404(SubjectRequest, pk=request_id)
    stored = getattr(subject, FILES[which])
    if not stored:
        raise Http404
    record_access(
        request.user, f"privacy.request_{which}", "privacy.subjectrequest", [str(subject.pk)]
    )
    # Stored encrypted: checked whole before it is sent, never cached.
    return stored_file_response(request, stored, as_attachment=True)
