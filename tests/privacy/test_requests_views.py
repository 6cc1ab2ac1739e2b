"""The request queue's pages: the queue (sort, filters, colours), staff entry,
the request page's htmx actions, the dashboard figures and the person's panel."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.privacy.models import SubjectRequest
from connexion.privacy.subject_requests import intake, verification, workflow
from tests.privacy.request_support import email_file, open_by_api, scan

pytestmark = pytest.mark.django_db
QUEUE = "/data-protection/requests/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(client: Client, make_user) -> Client:
    user = make_user("dpo", roles=("privacy_officer",), language="en")
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def admin(make_user):
    return make_user("admin", roles=("admin",), language="en")


def rows(body: str) -> list[str]:
    """The references of the queue's rows, in order."""
    table = body.split('data-testid="request-queue"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"DSR-\d{4}-\d{5}", table)


def detail_url(request: SubjectRequest, action: str = "") -> str:
    return f"{QUEUE}{request.pk}/{action + '/' if action else ''}"


# --- the queue -------------------------------------------------------------------------


def test_the_queue_is_for_the_privacy_area(client, make_user):
    client.force_login(make_user("sales1", roles=("sales",)))
    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}new/").status_code == 403


def test_the_queue_sorts_by_days_left_overdue_first_in_red(officer, person):
    now = timezone.now()
    user = officer.user
    later = open_by_api(user, received_at=now - timedelta(days=1))
    overdue = open_by_api(user, received_at=now - timedelta(days=33))
    soon = open_by_api(user, received_at=now - timedelta(days=26))
    done = open_by_api(user, kind="complaint", received_at=now - timedelta(days=40))
    workflow.start_work(user, done)
    workflow.complete_request(user, done)

    response = officer.get(QUEUE)
    body = response.content.decode()
    assert rows(body) == [overdue.reference, soon.reference, later.reference]
    overdue_row = body.split(overdue.reference, 1)[0].rsplit("<tr", 1)[1]
    assert 'class="overdue-row"' in overdue_row
    assert "Overdue by 3 days" in body
    assert 'class="badge warn-badge" data-testid="request-clock">4 days left' in body
    assert 'class="clock running" data-testid="request-clock">29 days left' in body
    # The closed ones come after the open ones when asked for.
    assert rows(officer.get(QUEUE, {"status": "all"}).content.decode())[-1] == done.reference
    assert rows(officer.get(QUEUE, {"status": "completed"}).content.decode()) == [done.reference]
    shown = AuditEvent.objects.filter(action="privacy.request_queue").order_by("id").first()
    assert shown.details == {"ids": [str(overdue.pk), str(soon.pk), str(later.pk)]}


def test_the_queue_filters_by_kind_channel_assignee_and_overdue(officer, person, admin):
    user = officer.user
    now = timezone.now()
    access = open_by_api(user, received_at=now - timedelta(days=31), assigned_to=admin)
    erasure = open_by_api(user, kind="erasure")
    phoned = intake.open_request(
        user,
        kind="objection",
        channel="phone",
        requester_name="Somsri",
        description="stop calling",
        language="th",
        phone="0812345678",
    ).request

    def listed(**query):
        return rows(officer.get(QUEUE, query).content.decode())

    assert listed(kind="erasure") == [erasure.reference]
    assert listed(channel="phone") == [phoned.reference]
    assert listed(assignee=str(admin.pk)) == [access.reference]
    assert sorted(listed(assignee="none")) == sorted([erasure.reference, phoned.reference])
    assert listed(overdue="1") == [access.reference]
    # Unknown values are no filter at all, not an error.
    assert len(listed(kind="everything", status="bogus")) == 3
    # htmx asks for the rows only.
    partial = officer.get(QUEUE, {"kind": "erasure"}, HTTP_HX_TARGET="request-rows", **HTMX)
    assert "<html" not in partial.content.decode()
    assert rows(partial.content.decode()) == [erasure.reference]


# --- staff entry --------------------------------------------------------------------------


def test_staff_enter_a_paper_request_with_its_scan(officer, person):
    response = officer.post(
        f"{QUEUE}new/",
        {
            "kind": "rectification",
            "channel": "paper",
            "requester_name": "สมศรี ใจดี",
            "requester_email": "somsri@example.co.th",
            "language": "th",
            "description": "ขอแก้ชื่อ",
            "attachment": scan(),
            "change_first_name_th": "สมศรีย์",
        },
    )
    request = SubjectRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(request)
    assert request.person == person
    assert request.proposed_changes == {"first_name_th": "สมศรีย์"}
    assert request.created_by == officer.user
    assert mail.outbox[0].to == ["somsri@example.co.th"]


def test_the_entry_form_names_each_field_at_fault(officer):
    response = officer.post(
        f"{QUEUE}new/",
        {
            "kind": "rectification",
            "channel": "email",
            "requester_name": "Somsri",
            "requester_phone": "12",
            "language": "en",
            "description": "fix my birthday",
            "attachment": SimpleUploadedFile("note.txt", b"plain text"),
            "change_date_of_birth": "31/12/2530",
        },
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["attachment"] == [
        "Upload the email as an .eml file, or a PDF, JPEG or PNG file."
    ]
    response = officer.post(
        f"{QUEUE}new/",
        {
            "kind": "rectification",
            "channel": "email",
            "requester_name": "Somsri",
            "requester_phone": "12",
            "language": "en",
            "description": "fix my birthday",
            "attachment": email_file(),
            "change_date_of_birth": "31/12/2530",
        },
    )
    form = response.context["form"]
    assert response.status_code == 422
    assert form.errors["requester_phone"] == ["“12” is not a valid phone number."]
    assert form.errors["change_date_of_birth"] == ["Enter the date as YYYY-MM-DD."]
    assert SubjectRequest.objects.count() == 0


# --- the request page ---------------------------------------------------------------------


def test_the_request_page_verifies_by_document_and_completes_with_htmx(officer, person):
    request = open_by_api(officer.user, kind="complaint", language="en")
    page = officer.get(detail_url(request))
    assert page.status_code == 200
    assert "Start work" in page.content.decode()

    refused = officer.post(detail_url(request, "complete"), {}, **HTMX)
    body = refused.content.decode()
    assert body.startswith('<div id="request-detail"')
    assert "Start work on the request" in body

    officer.post(detail_url(request, "start_work"), {}, **HTMX)
    escalated = officer.post(
        detail_url(request, "escalate"), {"regulator_reference": "PDPC-1"}, **HTMX
    ).content.decode()
    assert "Escalation to the PDPC recorded." in escalated
    done = officer.post(detail_url(request, "complete"), {"note": "Thank you"}, **HTMX)
    assert 'data-status="completed"' in done.content.decode()
    request.refresh_from_db()
    assert request.status == "completed"


def test_completing_an_unverified_request_is_refused_with_a_clear_message(officer, person):
    request = open_by_api(officer.user, language="en")
    response = officer.post(detail_url(request, "complete"), {}, **HTMX)
    assert "The requester&#x27;s identity is not verified" in response.content.decode()
    verified = officer.post(
        detail_url(request, "document"),
        {"document": "passport", "note": "Passport AA123 matches"},
        **HTMX,
    ).content.decode()
    assert 'data-testid="request-verification">verified' in verified
    assert "passport: Passport AA123 matches" in verified
    request.refresh_from_db()
    assert (request.status, request.verified_by) == ("in_progress", officer.user)
    # Without JavaScript: back to the page, with the message.
    plain = officer.post(detail_url(request, "note"), {"text": ""})
    assert plain.status_code == 302


def test_rectification_is_decided_field_by_field_on_the_page(officer, person):
    request = open_by_api(
        officer.user,
        kind="rectification",
        proposed_changes={"first_name_th": "สมศรีย์", "occupation": "นักบิน"},
    )
    verification.verify_by_document(officer.user, request, document="id_card", note="ok")
    page = officer.get(detail_url(request)).content.decode()
    row = page.split('data-testid="correction-first_name_th"', 1)[1].split("</tr>", 1)[0]
    assert "สมศรี" in row and "สมศรีย์" in row
    refused = officer.post(
        detail_url(request, "decide"),
        {"field": "occupation", "decision": "reject", "reason": ""},
        **HTMX,
    ).content.decode()
    assert "Say why the correction is rejected." in refused
    officer.post(
        detail_url(request, "decide"), {"field": "first_name_th", "decision": "accept"}, **HTMX
    )
    officer.post(
        detail_url(request, "decide"),
        {"field": "occupation", "decision": "reject", "reason": "No evidence"},
        **HTMX,
    )
    person.refresh_from_db()
    assert (person.first_name_th, person.occupation) == ("สมศรีย์", "")
    done = officer.post(detail_url(request, "complete"), {}, **HTMX).content.decode()
    assert 'data-status="completed"' in done


def test_erasure_is_offered_to_the_privacy_officer_only(client, officer, person, admin):
    request = open_by_api(officer.user, kind="erasure", language="en")
    verification.verify_by_document(officer.user, request, document="id_card", note="ok")
    officer_page = officer.get(detail_url(request)).content.decode()
    assert 'data-testid="action-erase"' in officer_page
    wrong = officer.post(detail_url(request, "erase"), {"confirmation": "yes"}, **HTMX)
    assert f"Type the request&#x27;s reference, {request.reference}" in wrong.content.decode()

    other = Client()
    other.force_login(admin)
    assert 'data-testid="action-erase"' not in other.get(detail_url(request)).content.decode()
    response = other.post(detail_url(request, "erase"), {"confirmation": request.reference})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "in_progress"


def test_the_received_scan_is_downloaded_with_the_access_logged(officer, person):
    request = intake.open_request(
        officer.user,
        kind="access",
        channel="paper",
        requester_name="Somsri",
        description="copy",
        language="th",
        email="somsri@example.co.th",
        attachment=scan(),
    ).request
    response = officer.get(f"{detail_url(request)}files/attachment/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(
        action="privacy.request_attachment", object_id=str(request.pk)
    ).exists()
    assert officer.get(f"{detail_url(request)}files/authority/").status_code == 404


# --- the dashboard and the person's page ------------------------------------------------------


def test_the_dashboard_shows_open_overdue_and_the_median_time_to_complete(officer, person):
    user = officer.user
    now = timezone.now()
    open_by_api(user, received_at=now - timedelta(days=31))
    open_by_api(user, received_at=now - timedelta(days=2))
    for days in (4, 10, 12):
        done = open_by_api(user, kind="complaint", received_at=now - timedelta(days=days))
        workflow.start_work(user, done)
        workflow.complete_request(user, done)
    body = officer.get("/data-protection/").content.decode()
    figures = body.split('data-testid="request-figures"', 1)[1].split("</section>", 1)[0]
    opened = 'data-testid="open-requests"><span class="figure">2</span> open requests'
    assert f'href="/data-protection/requests/?status=open" {opened}' in figures
    assert re.search(
        r'class="card attention" href="/data-protection/requests/\?status=open&amp;overdue=1" '
        r'data-testid="overdue-requests"><span class="figure clock overdue">1</span>',
        figures,
    )
    assert '<span class="figure">10.0</span> median days to complete (3 requests' in figures
    nearest = body.split('data-testid="nearest-requests"', 1)[1].split("</table>", 1)[0]
    assert nearest.count('class="overdue-row"') == 1


def test_the_persons_privacy_panel_lists_their_requests(officer, person):
    request = open_by_api(officer.user)
    body = officer.get(f"/people/{person.pk}/").content.decode()
    listed = body.split('data-testid="person-requests"', 1)[1].split("</ul>", 1)[0]
    assert f'href="/data-protection/requests/{request.pk}/">{request.reference}</a>' in listed
    assert f'href="/data-protection/requests/new/?person={person.pk}"' in body
    entry = officer.get(f"{QUEUE}new/", {"person": person.pk}).content.decode()
    assert f'value="#{person.pk} ' in entry
