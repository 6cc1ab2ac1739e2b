"""Access and portability (PDPA s.30, s.31; policy 8.5): everything held about
one person, as one bundle: a readable report in their language (Thai with
Buddhist Era dates, or English), the same data as JSON, one CSV file per table,
and the stored files (consent evidence, request attachments).

What goes in is read from the personal-data registry and Django's model meta,
like erasure: every model with an erasure policy contributes the rows that are
the person's, with every field (personal ones and the context that makes them
readable: the purpose of a consent, the recipient of a disclosure, where each
item came from). Hashes of secrets and derived search text are left out. The
access log (who in the company was shown the record, when, how) and the
record's change history come from the audit log.

The bundle reaches the person through an expiring, single-use link whose token
is stored only as its SHA-256, or is sent to another controller by email."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import secrets
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.lib import thai
from connexion.people.models import Person, Source
from connexion.privacy.engines.scopes import Scope, scopes
from connexion.privacy.engines.scrub import identities, matching_leads
from connexion.privacy.ledger import uses
from connexion.privacy.models import DataExport, DataUse, Purpose, SubjectRequest
from connexion.privacy.registry import DERIVED_FIELDS, personal_fields
from connexion.ui.templatetags.connexion import localdatetime

logger = logging.getLogger(__name__)

UI = AuditEvent.Channel.UI
EXPORT_FORMAT = "connexion.subject-data/1"
LANGUAGES = ("th", "en")
# Hashes of tokens and codes: secrets of the system, not data about the person.
HASHED_SUFFIX = "_hash"
# Earlier bundles are listed, not packed again inside the new one.
NOT_PACKED = {"privacy.dataexport"}
# The purpose a hand-over to another controller is recorded under (policy 5.6).
PORTABILITY_PURPOSE_CODE = "legal-contact"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- reading everything held about the person --------------------------------------------


@dataclass
class Table:
    label: str
    name: str
    fields: list[models.Field]
    rows: list[dict[str, Any]] = field(default_factory=list)  # machine-readable
    display: list[list[str]] = field(default_factory=list)  # for the report
    # (storage, stored name, path in the bundle)
    files: list[tuple[Any, str, str]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return ["id", *(f.name for f in self.fields)]

    @property
    def headers(self) -> list[str]:
        return ["#", *(str(f.verbose_name) for f in self.fields)]


@dataclass
class SubjectData:
    person_ref: int
    language: str
    generated_at: datetime
    tables: list[Table]
    access_log: list[dict[str, Any]]
    history: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "generated_at": self.generated_at.isoformat(),
            "language": self.language,
            "record_number": self.person_ref,
            "tables": {
                table.label: {"name": table.name, "rows": table.rows} for table in self.tables
            },
            "access_log": self.access_log,
            "change_history": self.history,
        }


def export_fields(scope: Scope, paths: tuple[str, ...]) -> list[models.Field]:
    """Every field of the model worth giving, in model order: not the link to
    the person themselves, not hashes of secrets, not derived search text."""
    personal = set(personal_fields(scope.model))
    derived = DERIVED_FIELDS.get(scope.label, set())
    skip = {paths[0]} if len(paths) == 1 else set()
    chosen = []
    for f in [*scope.model._meta.concrete_fields, *scope.model._meta.many_to_many]:
        if f.primary_key or f.name in skip or f.name in derived:
            continue
        if f.name.endswith(HASHED_SUFFIX) and f.name not in personal:
            continue
        chosen.append(f)
    return chosen


class _Clock:
    """Dates in the reader's time zone and calendar (Buddhist Era in Thai),
    without Django's per-call look-ups: an export formats tens of thousands."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.zone = timezone.get_current_timezone()

    def local(self, value: datetime) -> datetime:
        return value.astimezone(self.zone) if timezone.is_aware(value) else value

    def json(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return self.local(value).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    def show_datetime(self, value: datetime) -> str:
        return thai.format_datetime(self.local(value), self.language, short=True)

    def show_date(self, value: date) -> str:
        return thai.format_date(value, self.language)


def _source_value(source: Source, clock: _Clock) -> dict[str, Any]:
    """Where an item came from (policy 4.1-4.3): directly, from whom, from which partner."""
    return {
        "kind": source.kind,
        "kind_label": source.get_kind_display(),
        "channel": source.channel,
        "channel_label": source.get_channel_display(),
        "given_by": str(source.related_person) if source.related_person_id else None,
        "partner": str(source.partner) if source.partner_id else None,
        "agreement_reference": source.agreement_reference,
        "note": source.note,
        "collected_at": clock.json(source.collected_at),
    }


def _staff_name(first: str, last: str, username: str) -> str:
    """What User.display_name shows, from the columns."""
    return f"{first} {last}".strip() or username


def _describe(target: models.Model, clock: _Clock) -> Any:
    if isinstance(target, Source):
        return _source_value(target, clock)
    if isinstance(target, get_user_model()):
        return target.display_name()  # type: ignore[attr-defined]
    return str(target)


def _related(f: models.Field, ids: set[Any], clock: _Clock) -> dict[Any, Any]:
    model = f.related_model
    queryset = model._base_manager.all()  # type: ignore[union-attr]
    if model is Source:
        queryset = queryset.select_related("related_person", "partner")
    return {pk: _describe(obj, clock) for pk, obj in queryset.in_bulk(list(ids)).items()}


def _shower(f: models.Field, clock: _Clock) -> Any:
    """How the report shows a value of this field (labels for choices, dates in
    the reader's calendar), made once per field: an export shows many rows."""
    if f.choices:
        choices = {key: str(label) for key, label in f.flatchoices}
        return lambda value: "—" if value in (None, "") else choices.get(value, str(value))
    if isinstance(f, models.BooleanField):
        yes, no = _("yes"), _("no")
        return lambda value: "—" if value is None else (yes if value else no)
    if isinstance(f, models.DateTimeField):
        return lambda value: "—" if value is None else clock.show_datetime(value)
    if isinstance(f, models.DateField):
        return lambda value: "—" if value is None else clock.show_date(value)
    if isinstance(f, models.CharField | models.TextField):
        return lambda value: value or "—"

    def show(value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if isinstance(value, dict) and "kind_label" in value:
            parts = [value["kind_label"], value["channel_label"]]
            extra = ("given_by", "partner", "agreement_reference")
            parts += [value[key] for key in extra if value[key]]
            return " · ".join(str(part) for part in parts)
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    return show


def _jsoner(f: models.Field, clock: _Clock) -> Any:
    if isinstance(f, models.DateTimeField):
        return lambda value: None if value is None else clock.local(value).isoformat()
    if isinstance(f, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    if isinstance(f, models.DecimalField):
        return lambda value: None if value is None else str(value)
    return None  # as read


def _read_table(
    scope: Scope, ids: list[int], clock: _Clock, matched: list[Any] | None = None
) -> Table | None:
    """The scope's rows about the people, and `matched`: rows not linked to
    them that hold their identity (leads never converted)."""
    paths = scope.policy.subject + scope.policy.also_export
    if not paths:
        return None
    fields = export_fields(scope, paths)
    concrete = [f for f in fields if not f.many_to_many]
    columns_read = ("pk", *(f.attname for f in concrete))
    # Path by path: an OR across a many-to-many join would scan the whole table.
    by_path = [scope.rows(ids, (path,)).order_by() for path in paths]
    if matched:
        by_path.append(scope.model._base_manager.filter(pk__in=matched).order_by())
    found: dict[Any, tuple[Any, ...]] = {}
    for rows_qs in by_path:
        for record in rows_qs.values_list(*columns_read):
            found.setdefault(record[0], record)
    records = [found[pk] for pk in sorted(found)]
    if not records:
        return None
    table = Table(scope.label, str(scope.model._meta.verbose_name_plural), fields)
    pks = [record[0] for record in records]
    position = {f.name: index for index, f in enumerate(concrete, start=1)}
    columns: list[tuple[list[Any], list[str]]] = []  # per field: JSON values, shown values
    for f in fields:
        show = _shower(f, clock)
        if f.many_to_many:
            through = f.remote_field.through  # type: ignore[union-attr]
            source, target = f.m2m_field_name(), f.m2m_reverse_field_name()  # type: ignore[attr-defined]
            links = list(
                {
                    link
                    for rows_qs in by_path
                    for link in through._base_manager.filter(
                        **{f"{source}__in": rows_qs.values("pk")}
                    ).values_list(f"{source}_id", f"{target}_id")
                }
            )
            names = _related(f, {target_id for _pk, target_id in links}, clock)
            linked: dict[Any, list[str]] = defaultdict(list)
            for pk, target_id in links:
                linked[pk].append(str(names.get(target_id)))
            values = [sorted(linked.get(pk, [])) for pk in pks]
            columns.append((values, [show(value) for value in values]))
            continue
        raw = [record[position[f.name]] for record in records]
        if f.is_relation:
            wanted = set(raw) - {None}
            found = _related(f, wanted, clock) if wanted else {}
            values = [found.get(value) for value in raw]
            columns.append((values, [show(value) for value in values]))
        elif isinstance(f, models.FileField):
            values = []
            for pk, stored in zip(pks, raw, strict=True):
                path = f"files/{scope.label}/{pk}/{stored.rsplit('/', 1)[-1]}" if stored else None
                if path and scope.label not in NOT_PACKED:
                    table.files.append((f.storage, stored, path))  # type: ignore[attr-defined]
                values.append(path)
            columns.append((values, [show(value) for value in values]))
        else:
            to_json = _jsoner(f, clock)
            values = raw if to_json is None else [to_json(value) for value in raw]
            columns.append((values, [show(value) for value in raw]))
    names = [f.name for f in fields]
    for index, pk in enumerate(pks):
        row = {"id": pk}
        row.update(zip(names, (values[index] for values, _shown in columns), strict=True))
        table.rows.append(row)
        table.display.append([str(pk), *(shown[index] for _values, shown in columns)])
    return table


def _channel_labels() -> dict[str, str]:
    return {value: str(label) for value, label in AuditEvent.Channel.choices}


def _events(person_ids: list[int], kind: str) -> list[tuple[Any, ...]]:
    return list(
        AuditEvent.objects.filter(
            kind=kind, object_type="people.person", object_id__in=[str(pk) for pk in person_ids]
        )
        .order_by("occurred_at", "id")
        .values_list(
            "occurred_at",
            "actor__first_name",
            "actor__last_name",
            "actor__username",
            "channel",
            "action",
            "details",
        )
    )


def _access_log(person_ids: list[int], clock: _Clock) -> list[dict[str, Any]]:
    """Who in the company was shown the person's record, when, and how: each
    page, API answer or export of the record (a list showing the name among
    others is recorded per page, not here)."""
    channels = _channel_labels()
    system = _("system")
    return [
        {
            "at": clock.json(at),
            "by": _staff_name(first, last, username) if username else system,
            "channel": channel,
            "channel_label": channels.get(channel, channel),
            "what": action,
        }
        for at, first, last, username, channel, action, _details in _events(
            person_ids, AuditEvent.Kind.ACCESS
        )
    ]


def _history(person_ids: list[int], clock: _Clock) -> list[dict[str, Any]]:
    system = _("system")
    return [
        {
            "at": clock.json(at),
            "by": _staff_name(first, last, username) if username else system,
            "what": action,
            "changes": details,
        }
        for at, first, last, username, _channel, action, details in _events(
            person_ids, AuditEvent.Kind.CHANGE
        )
    ]


def _person_ids(person: Person) -> list[int]:
    """The person and the records merged into them: one human, one export."""
    ids = [person.pk]
    frontier = [person.pk]
    while frontier:
        frontier = list(
            Person._base_manager.filter(merged_into__in=frontier).values_list("pk", flat=True)
        )
        ids += frontier
    return ids


def subject_data(person: Person, language: str) -> SubjectData:
    """Everything held about the person, read in `language`."""
    ids = _person_ids(person)
    with translation.override(language):
        clock = _Clock(language)
        leads = list(matching_leads(identities(ids, {pk: person.pk for pk in ids})))
        tables = [
            table
            for scope in scopes()
            if (
                table := _read_table(
                    scope, ids, clock, leads if scope.label == "sales.lead" else None
                )
            )
            is not None
        ]
        return SubjectData(
            person_ref=person.pk,
            language=language,
            generated_at=timezone.now(),
            tables=tables,
            access_log=_access_log(ids, clock),
            history=_history(ids, clock),
        )


# --- the bundle ----------------------------------------------------------------------------


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    # With a byte-order mark, so that Excel reads Thai as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _report(data: SubjectData) -> str:
    """The readable report: rows built here, escaped, rather than in the template
    (tens of thousands of cells are rendered in a fraction of the time)."""
    clock = _Clock(data.language)

    def when(iso: str) -> str:
        return escape(clock.show_datetime(datetime.fromisoformat(iso)))

    escaped: dict[str, str] = {}

    def cell(text: str) -> str:
        # Labels, dates and names repeat down a table: each is escaped once.
        found = escaped.get(text)
        if found is None:
            found = escaped[text] = f"<td>{escape(text)}</td>"
        return found

    sections = []
    for table in data.tables:
        head = "".join(f"<th>{escape(header)}</th>" for header in table.headers)
        body = "".join("<tr>" + "".join(map(cell, cells)) + "</tr>" for cells in table.display)
        sections.append((table.name, table.label, len(table.rows), head, body))
    access = "".join(
        f"<tr><td>{when(row['at'])}</td>"
        f"<td>{escape(row['by'])}</td><td>{escape(row['channel_label'])}</td>"
        f"<td>{escape(row['what'])}</td></tr>"
        for row in data.access_log
    )
    history = "".join(
        f"<tr><td>{when(row['at'])}</td>"
        f"<td>{escape(row['by'])}</td><td>{escape(row['what'])}</td>"
        f"<td>{escape(json.dumps(row['changes'], ensure_ascii=False))}</td></tr>"
        for row in data.history
    )
    with translation.override(data.language):
        return render_to_string(
            "privacy/export/report.html",
            {
                "data": data,
                "sections": sections,
                "access_rows": access,
                "access_count": len(data.access_log),
                "history_rows": history,
                "history_count": len(data.history),
                "generated": localdatetime(data.generated_at),
                "language": data.language,
            },
        )


def build_bundle(data: SubjectData) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("report.html", _report(data))
        # Compact: the C encoder (an indented dump goes through pure Python).
        bundle.writestr("data.json", json.dumps(data.as_json(), ensure_ascii=False, default=str))
        for table in data.tables:
            # Lists and objects (many-to-many, JSON, provenance) as JSON in their cell.
            structured = [
                f.many_to_many or isinstance(f, models.JSONField) or f.related_model is Source
                for f in table.fields
            ]
            if any(structured):
                rows = [[_csv_cell(row[column]) for column in table.columns] for row in table.rows]
            else:
                rows = [list(row.values()) for row in table.rows]
            bundle.writestr(f"csv/{table.label}.csv", _csv(table.columns, rows))
            for storage, stored, path in table.files:
                try:
                    with storage.open(stored, "rb") as stream:
                        bundle.writestr(path, stream.read())
                except OSError:
                    logger.warning("stored file %s is missing from the export", stored)
        access_columns = ["at", "by", "channel", "what"]
        bundle.writestr(
            "csv/access_log.csv",
            _csv(access_columns, [[row[c] for c in access_columns] for row in data.access_log]),
        )
        bundle.writestr(
            "csv/change_history.csv",
            _csv(
                ["at", "by", "what", "changes"],
                [
                    [row["at"], row["by"], row["what"], _csv_cell(row["changes"])]
                    for row in data.history
                ],
            ),
        )
    return out.getvalue()


def _check_exportable(person: Person, language: str) -> None:
    errors: dict[str, list[str]] = {}
    if language not in LANGUAGES:
        errors["language"] = [_("Choose Thai or English.")]
    if person.anonymized_at is not None:
        errors["person"] = [_("This person's data was erased: there is nothing to export.")]
    elif person.merged_into_id:
        errors["person"] = [
            _("This record was merged into record #%(id)s: export that record.")
            % {"id": person.merged_into_id}
        ]
    if errors:
        raise ValidationError(errors)


def build_export(
    person: Person,
    *,
    language: str,
    actor: Any,
    request: SubjectRequest | None = None,
    audit_channel: str = UI,
) -> DataExport:
    """Builds the bundle of everything held about the person and stores it
    (under exports/, a name that says nothing about them). The link to it is
    made by `issue_download_link`."""
    _check_exportable(person, language)
    data = subject_data(person, language)
    content = build_bundle(data)
    with transaction.atomic():
        export = DataExport(
            request=request,
            person=person,
            language=language,
            # Unusable until a link is issued: the secret behind this hash is never kept.
            token_hash=token_hash(secrets.token_urlsafe(32)),
            expires_at=timezone.now() + timedelta(hours=DataExport.LINK_LIFETIME_HOURS),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        export.file.save(f"{uuid.uuid4().hex}.zip", ContentFile(content), save=False)
        try:
            export.save()
            record_change(
                actor,
                "privacy.build_export",
                person,
                {
                    "export": [None, f"#{export.pk}"],
                    "tables": [None, len(data.tables)],
                },
                channel=audit_channel,
            )
        except BaseException:
            export.file.delete(save=False)
            raise
    return export


def issue_download_link(export: DataExport, *, actor: Any = None, audit_channel: str = UI) -> str:
    """A new single-use link to the bundle, valid LINK_LIFETIME_HOURS: the path
    /data-protection/exports/<token>/. Only the token's SHA-256 is stored, so the
    link cannot be read back; issuing another one makes the previous one invalid."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().get(pk=export.pk)
        if export.downloaded_at is not None:
            raise ValidationError(
                {"export": [_("This bundle was already downloaded: build a new one.")]}
            )
        if not export.file:
            raise ValidationError({"export": [_("This bundle was deleted: build a new one.")]})
        token = secrets.token_urlsafe(32)
        export.token_hash = token_hash(token)
        export.expires_at = timezone.now() + timedelta(hours=DataExport.LINK_LIFETIME_HOURS)
        export.save(update_fields=["token_hash", "expires_at"])
        record_change(
            actor,
            "privacy.issue_export_link",
            export,
            {"expires_at": [None, export.expires_at.isoformat()]},
            channel=audit_channel,
        )
    return reverse("privacy:export_download", args=[token])


def portability_purpose() -> Purpose:
    """Handing data over at the person's request is the law's (PDPA s.31): the
    legal-contact purpose of clause 5.6, on the privacy officer's path."""
    return Purpose.objects.get(code=PORTABILITY_PURPOSE_CODE)


def send_to_controller(
    export: DataExport,
    email: str,
    actor: Any,
    *,
    base_url: str,
    audit_channel: str = UI,
) -> None:
    """Portability to another controller (PDPA s.31): the other controller gets
    an expiring, single-use download link at the address the person gave, never
    the bundle as an attachment (it may hold identity documents). The hand-over
    passes the use door; the delivery is recorded."""
    address = (email or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            {"email": [_("Enter the other controller's email address.")]}
        ) from None
    if not export.file:
        raise ValidationError({"export": [_("This bundle was deleted: build a new one.")]})
    if export.person is None:
        raise ValidationError({"export": [_("This bundle's person was erased.")]})
    reference = f"PDPA s.31; {export.request.reference}" if export.request else "PDPA s.31"
    try:
        uses.use(
            actor,
            export.person,
            portability_purpose(),
            action=DataUse.Action.PORTABILITY,
            reference=reference,
            audit_channel=audit_channel,
        )
    except uses.UseRefused as refused:
        raise ValidationError({"email": refused.decision.reasons}) from None
    path = issue_download_link(export, actor=actor, audit_channel=audit_channel)
    export.refresh_from_db()
    with translation.override(export.language):
        message = EmailMessage(
            subject=_("Personal data sent at the data subject's request"),
            body=_(
                "At the request of the person it describes, and under section 31 of the "
                "Personal Data Protection Act B.E. 2562, the personal data we keep about them "
                "(a readable report, the data as JSON and one CSV file per table) can be "
                "downloaded once, until %(until)s, from:\n\n%(link)s"
            )
            % {
                "until": thai.format_date(
                    timezone.localtime(export.expires_at).date(), export.language
                ),
                "link": f"{base_url.rstrip('/')}{path}",
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
    message.send()
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(sent_to=address)
        export.sent_to = address
        record_change(
            actor,
            "privacy.send_export",
            export,
            {"sent_to": [None, address]},
            channel=audit_channel,
        )


@dataclass
class Download:
    export: DataExport | None
    status: int  # 200, or 404 / 410 with the reason below
    reason: str = ""


def check_download(token: str) -> Download:
    """What the link leads to, without using it up: the page a mail scanner or
    a preview opens only shows a Download button."""
    export = DataExport.objects.filter(token_hash=token_hash(token)).first()
    if export is None or not export.file:
        return Download(export, 404, "unknown")
    if export.downloaded_at is not None:
        return Download(export, 410, "used")
    if export.expires_at <= timezone.now():
        return Download(export, 410, "expired")
    return Download(export, 200)


def claim_download(token: str, ip_address: str | None) -> Download:
    """The bundle behind a link, once: the first POST of its page takes it; any
    later one, an expired or an unknown token gets the reason and nothing else."""
    checked = check_download(token)
    if checked.status != 200 or checked.export is None:
        return checked
    export = checked.export
    now = timezone.now()
    claimed = DataExport.objects.filter(
        pk=export.pk, downloaded_at__isnull=True, expires_at__gt=now
    ).update(downloaded_at=now, download_ip=ip_address)
    if not claimed:  # another request took it a moment ago
        return Download(export, 410, "used")
    export.downloaded_at, export.download_ip = now, ip_address
    record_change(
        None,
        "privacy.export_downloaded",
        export,
        {"downloaded_at": [None, now.isoformat()]},
        channel=UI,
    )
    return Download(export, 200)
