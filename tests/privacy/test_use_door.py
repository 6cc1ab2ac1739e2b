"""Every use that contacts a person, discloses or hands over their data passes the
use door (`privacy.ledger.uses`). The walk below finds every place the code sends
mail or a text message, calls out over HTTP or writes a downloadable file, and
fails on one that neither asks the door itself nor is only called by functions
that do, unless it is listed below with the reason it is not a use of a person's
data. A new outbound path added without the door fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

import connexion
from connexion.privacy.ledger.services import record_objection
from connexion.privacy.models import DataUse, Purpose
from tests.exports import export_people, export_url
from tests.privacy.engine_data import someone

SOURCE = Path(connexion.__file__).parent
DOOR = {"use", "use_many"}
MAIL_CLASSES = {"EmailMessage", "EmailMultiAlternatives"}
SENDERS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "send_sms"}
HTTP_MODULES = {"urllib.request", "http.client", "requests", "httpx", "urllib3", "smtplib"}

# The modules that talk to outside servers themselves; their callers are walked.
HTTP_CLIENTS = {"lib/sms.py": "the SMS gateway's client"}

# Outbound paths that are not a use of a data subject's data, each with why.
NOT_A_USE = {
    "lib/sms.py:send": "the SMS gateway client itself; its callers are walked",
    "privacy/subject_requests/messages.py:tell": (
        "answers a data-subject request at the address the requester gave (PDPA s.30)"
    ),
    "privacy/subject_requests/verification.py:send_verification_code": (
        "the one-time code a requester asked for, to prove who they are"
    ),
    "privacy/subject_requests/deadlines.py:_warn_staff": "warns staff of a deadline",
    "privacy/ledger/breach_alerts.py:send_breach_alerts": "warns the privacy officers of a breach",
    "sales/activities/services.py:_email_reminder": "a task reminder to the staff member",
    "portal/views.py:_send_follow_link": "the link to follow a request, to the requester",
    "portal/views.py:_send_consents_code": "a code the visitor asked for, to that address",
    "privacy/engines/views.py:export_download": (
        "the person's own bundle behind their single-use link (the hand-over passed the door)"
    ),
    "privacy/processing/views.py:_download": "the record of processing: registers and counts",
    "imports/views.py:job_report": "the uploader's own report of the rows refused",
    "documents/serving.py:stored_file_response": (
        "an identity document shown to staff with its permission, every view logged"
    ),
    "documents/views.py:_file": "the same, as the document's download",
}


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found.append((str(path.relative_to(SOURCE)), ast.parse(path.read_text())))
    return found


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _outbound(function: ast.AST, module_imports_mail: bool) -> list[str]:
    """What in this function leaves the application: mail, SMS, HTTP, files."""
    kinds = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name in SENDERS:
                kinds.append(f"calls {name}")
            elif name == "send" and module_imports_mail and not node.args:
                kinds.append("sends an email")
            elif name in {"urlopen", "HTTPConnection", "HTTPSConnection", "SMTP"}:
                kinds.append(f"calls {name}")
            elif name == "FileResponse":
                kinds.append("answers a file")
        elif isinstance(node, ast.Constant) and node.value == "Content-Disposition":
            kinds.append("answers a download")
    return kinds


def _asks_door(function: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call)
        and _called_name(node) in DOOR
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "uses"
        for node in ast.walk(function)
    )


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_every_outbound_path_passes_the_use_door():
    modules = _modules()
    callers: dict[str, list[tuple[str, ast.AST]]] = {}
    for name, tree in modules:
        for function in _functions(tree):
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    callers.setdefault(_called_name(node), []).append((name, function))
    found, bypasses = [], []
    for name, tree in modules:
        source = ast.unparse(tree)
        imports_mail = any(cls in source for cls in MAIL_CLASSES)
        for imported in (n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)):
            module = getattr(imported, "module", None) or ""
            names = [alias.name for alias in imported.names]
            assert not ({module, *names} & HTTP_MODULES) or name in HTTP_CLIENTS, (
                f"{name} imports an HTTP or mail client: route its calls through the use door"
            )
        for function in _functions(tree):
            kinds = _outbound(function, imports_mail)
            if not kinds:
                continue
            key = f"{name}:{function.name}"
            found.append(key)
            if key in NOT_A_USE or _asks_door(function):
                continue
            # A builder is fine when every function calling it asks the door.
            calling = callers.get(function.name, [])
            if calling and all(_asks_door(caller) for _module, caller in calling):
                continue
            bypasses.append(f"{key} ({', '.join(sorted(set(kinds)))})")
    assert bypasses == [], "these send or hand over data without the use door:\n" + "\n".join(
        bypasses
    )
    # The list of exceptions stays true: each one still exists and still sends.
    assert sorted(set(NOT_A_USE) - set(found)) == []
    print(f"{len(found)} outbound paths: {len(found) - len(NOT_A_USE)} through the door")


@pytest.mark.django_db
def test_the_people_export_leaves_out_whom_the_purpose_may_not_use(make_user):
    purpose = Purpose.objects.get(code="product-contact")
    kept, objecting = someone("Kept", last_name_en="Exportable"), someone("Objecting")
    record_objection(None, objecting, purpose, grounds="no product contact")
    seller = Client()
    seller.force_login(make_user("seller", roles=("sales",), language="en"))

    asked = seller.get(export_url("csv"))
    assert asked.status_code == 200 and 'data-testid="export-purpose"' in asked.content.decode()
    assert not DataUse.objects.exists()  # opening the page exports nothing
    with translation.override("en"):
        preview = seller.get(export_url("csv"), {"purpose": purpose.pk}).content.decode()
    assert "1 is left out" in preview and "Objecting" in preview

    response = export_people(seller, "csv")
    body = response.content.decode("utf-8-sig")
    assert response["X-Left-Out"] == "1"
    assert "Exportable" in body and "Objecting" not in body
    recorded = dict(DataUse.objects.filter(action="export").values_list("person_id", "allowed"))
    assert recorded == {kept.pk: True, objecting.pk: False}
