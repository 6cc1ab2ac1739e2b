"""Importing people from a file: the job from upload to report.

Every person and contact point is written through `connexion.people.services`
(one door for personal data), on the `task` audit channel, with the one
`Source` of the whole file. The run is one database transaction: an unexpected
error leaves nothing of the file behind. A row that fails validation is not an
error of the run: it is reported with its reasons and the other rows go in."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.imports import reading
from connexion.imports.models import ImportIssue, ImportJob, SavedMapping
from connexion.imports.rows import Row, label, mapping_problems, normalize_header, parse_row
from connexion.people import services as people
from connexion.people.models import EmailAddress, Organization, Person, PhoneNumber, Source
from connexion.people.selectors import can_see_identity_numbers

TASK = AuditEvent.Channel.TASK
# The progress bar moves every this many rows (and at least every second).
PROGRESS_EVERY = 250
ISSUE_BATCH = 1000


# --- upload and mapping ---------------------------------------------------------


def create_job(actor: Actor, upload: IO[bytes], file_name: str, table: reading.Table) -> ImportJob:
    """Keeps an upload that `reading.inspect` accepted, until its rows are imported."""
    job = ImportJob(
        created_by=actor,
        file_name=file_name[-200:],
        file_format=table.file_format,
        file_size=getattr(upload, "size", 0) or 0,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=table.headers,
        total_rows=table.total_rows,
    )
    upload.seek(0)
    job.file.save(file_name, upload, save=False)  # type: ignore[arg-type]
    job.save()
    return job


def remembered_mapping(user: Any) -> dict[str, str]:
    saved = SavedMapping.objects.filter(user=user).first()
    return dict(saved.columns) if saved else {}


def remember_mapping(user: Any, headers: list[str], mapping: list[str]) -> None:
    """Each user's last choice per column name; names from other files are kept."""
    columns = remembered_mapping(user)
    for header, name in zip(headers, mapping, strict=False):
        if header.strip():
            columns[normalize_header(header)] = name
    SavedMapping.objects.update_or_create(user=user, defaults={"columns": columns})


class _KeepNothing(Exception):
    pass


def check_provenance(
    kind: str, related_person: Person | None, partner: Organization | None, reference: str
) -> None:
    """Raises the errors `create_source` would raise, without keeping a source:
    the source of an import is made in the import's own transaction."""
    try:
        with transaction.atomic():
            people.create_source(
                None, kind=kind, channel=Source.Channel.IMPORT, related_person=related_person,
                partner=partner, agreement_reference=reference,
            )  # fmt: skip
            raise _KeepNothing
    except _KeepNothing:
        pass


def configure_job(
    actor: Actor,
    job: ImportJob,
    *,
    mapping: list[str],
    source_kind: str,
    related_person: Person | None = None,
    partner: Organization | None = None,
    agreement_reference: str = "",
    on_duplicate: str = ImportJob.OnDuplicate.SKIP,
) -> ImportJob:
    """Sets the column mapping, the provenance and the duplicate rule, and
    remembers the mapping for the user's next file."""
    problems = mapping_problems(mapping)
    if len(mapping) != len(job.headers):
        problems.append(_("Choose a field (or none) for each column."))
    if problems:
        raise ValidationError({"mapping": problems})
    check_provenance(source_kind, related_person, partner, agreement_reference)
    job.mapping = mapping
    job.source_kind = source_kind
    job.related_person = related_person if source_kind == Source.Kind.RELATED_PERSON else None
    job.partner = partner if source_kind == Source.Kind.PARTNER else None
    job.agreement_reference = agreement_reference.strip()
    job.on_duplicate = on_duplicate
    job.save()
    remember_mapping(actor, job.headers, mapping)
    return job


def start_job(actor: Actor, job: ImportJob) -> ImportJob:
    """Hands the job to the background worker."""
    from connexion.imports.tasks import import_people

    if mapping_problems(job.mapping):
        raise ValidationError(mapping_problems(job.mapping))
    previous = job.status
    # Conditional, so that a double click queues the file once.
    queued = (
        ImportJob.objects.filter(pk=job.pk, status__in=[ImportJob.Status.UPLOADED,
                                                        ImportJob.Status.FAILED])
        .exclude(file="")
        .update(status=ImportJob.Status.QUEUED, queued_at=timezone.now(), error="")
    )  # fmt: skip
    if not queued:
        raise ValidationError(_("This import cannot be started again."))
    try:
        result = import_people.enqueue(job.pk)
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(status=previous)
        raise
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def sample_rows(job: ImportJob, limit: int = reading.PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
    return list(islice(reading.read_rows(job), limit))


# --- duplicates -------------------------------------------------------------------


# The id a row's keys point to while the row waits in the batch to be created.
PENDING = 0
# Rows created together by one call of the batch service.
CREATE_BATCH = 500


class Duplicates:
    """Existing people by national ID, email and phone, held in memory: one query
    each for the whole file, then a dictionary look-up per row."""

    def __init__(self, national_ids: dict[str, int], emails: dict[str, int],
                 phones: dict[str, int]) -> None:  # fmt: skip
        self.national_ids = national_ids
        self.emails = emails
        self.phones = phones

    @classmethod
    def load(cls, viewer: Any, rows: list[Row] | None = None) -> Duplicates:
        """Every live person's keys, or only those the given rows hold. National
        IDs only for a viewer who may see them: a match would tell whose they are."""
        people_ = Person.objects.filter(merged_into__isnull=True).exclude(national_id="")
        if not can_see_identity_numbers(viewer):
            people_ = people_.none()
        emails = EmailAddress.objects.filter(person__isnull=False,
                                             person__merged_into__isnull=True)  # fmt: skip
        phones = PhoneNumber.objects.filter(person__isnull=False,
                                            person__merged_into__isnull=True)  # fmt: skip
        if rows is not None:
            people_ = people_.filter(national_id__in={r.national_id for r in rows if r.national_id})
            emails = emails.filter(email__in={r.email for r in rows if r.email})
            phones = phones.filter(number__in={n for r in rows for n in r.phone_numbers})
        return cls(
            {number: pk for number, pk in people_.values_list("national_id", "pk")},
            {email.lower(): pk for email, pk in emails.values_list("email", "person_id")},
            {number: pk for number, pk in phones.values_list("number", "person_id")},
        )

    def find(self, row: Row) -> tuple[int, str] | None:
        """The person this row most likely is, and why."""
        if row.national_id and row.national_id in self.national_ids:
            pk = self.national_ids[row.national_id]
            return pk, _("Same national ID as person #%(id)s.") % {"id": pk}
        if row.email and row.email in self.emails:
            pk = self.emails[row.email]
            return pk, _("Same email as person #%(id)s.") % {"id": pk}
        for number in row.phone_numbers:
            if number in self.phones:
                pk = self.phones[number]
                return pk, _("Same phone number as person #%(id)s.") % {"id": pk}
        return None

    def add(self, row: Row, person_id: int) -> None:
        """Later rows of the same file are compared with this one too."""
        for keys, key in self._keys(row):
            keys.setdefault(key, person_id)

    def settle(self, row: Row, person_id: int | None) -> None:
        """A row added as pending (id 0) was created with this id, or refused (None)."""
        for keys, key in self._keys(row):
            if keys.get(key) == PENDING:
                if person_id is None:
                    del keys[key]
                else:
                    keys[key] = person_id

    def _keys(self, row: Row) -> list[tuple[dict[str, int], str]]:
        keys = [(self.phones, number) for number in row.phone_numbers]
        if row.email:
            keys.insert(0, (self.emails, row.email))
        if row.national_id:
            keys.insert(0, (self.national_ids, row.national_id))
        return keys


# --- preview --------------------------------------------------------------------


@dataclass
class PreviewRow:
    row: Row
    values: list[tuple[str, str]]  # (field, cell) for the mapped columns
    duplicate: str = ""

    @property
    def problems(self) -> list[tuple[str, str]]:
        return [(label(name), message) for name, message in self.row.problems]


def preview(job: ImportJob, limit: int = reading.PREVIEW_ROWS) -> list[PreviewRow]:
    """The first rows as the import will read them, with each row's problems
    and whether it looks like someone already in the CRM."""
    rows = [parse_row(number, cells, job.mapping) for number, cells in sample_rows(job, limit)]
    duplicates = Duplicates.load(job.created_by, rows)
    result = []
    for row in rows:
        match = duplicates.find(row)
        if row.is_valid and match is None:
            duplicates.add(row, 0)  # a later row of the file matching this one
        values = [
            (name, row.cells[index] if index < len(row.cells) else "")
            for index, name in enumerate(job.mapping)
            if name
        ]
        reason = match[1] if match and match[0] else ""
        if match and not match[0]:
            reason = _("Same details as an earlier row of this file.")
        result.append(PreviewRow(row, values, reason))
    return result


# --- progress ---------------------------------------------------------------------
# The run is one transaction, so what it writes in the database is invisible
# until the end: the progress goes to a small file beside the uploads instead.


def _progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.json"


def write_progress(job_id: int, processed: int) -> None:
    path = _progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"processed": processed}))
    os.replace(temporary, path)


def clear_progress(job_id: int) -> None:
    _progress_path(job_id).unlink(missing_ok=True)


def progress(job: ImportJob) -> tuple[int, int]:
    """(rows read, percent) for the progress bar."""
    if job.status == ImportJob.Status.DONE:
        return job.processed_rows, 100
    processed = 0
    if job.status == ImportJob.Status.RUNNING:
        try:
            processed = int(json.loads(_progress_path(job.pk).read_text())["processed"])
        except (OSError, ValueError, KeyError, TypeError):
            processed = 0
    percent = min(99, processed * 100 // job.total_rows) if job.total_rows else 0
    return processed, percent


# --- the run --------------------------------------------------------------------


def run_import(job_id: int) -> dict[str, int]:
    """Imports the rows of a queued job, all in one transaction."""
    job = ImportJob.objects.select_related("created_by", "related_person", "partner").get(pk=job_id)
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not started:  # run already, or being run by another worker
        return {}
    job.refresh_from_db(fields=["status", "started_at"])
    write_progress(job.pk, 0)
    language = getattr(job.created_by, "language", "") or settings.LANGUAGE_CODE
    try:
        with translation.override(language), transaction.atomic():
            counts = _import_rows(job)
    except BaseException as exc:
        # The transaction is rolled back: nothing of the file remains.
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
            processed_rows=0,
            created_count=0,
            updated_count=0,
            skipped_count=0,
            rejected_count=0,
        )
        clear_progress(job.pk)
        raise
    clear_progress(job.pk)
    # Imported: the uploaded copy of the personal data is not kept.
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")
    return counts


class _Run:
    def __init__(self, job: ImportJob, source: Source) -> None:
        self.job = job
        self.actor = job.created_by
        self.source = source
        self.duplicates = Duplicates.load(self.actor)
        self.sees_identity = can_see_identity_numbers(self.actor)
        self.issues: list[ImportIssue] = []
        self.pending: list[Row] = []
        self.counts = {"processed": 0, "created": 0, "updated": 0, "skipped": 0, "rejected": 0}

    def issue(self, row: Row, outcome: str, problems: list[tuple[str, str]]) -> None:
        self.issues.append(
            ImportIssue(
                job=self.job, row_number=row.number, outcome=outcome,
                problems=[list(problem) for problem in problems], values=row.cells,
            )
        )  # fmt: skip
        self.counts["rejected" if outcome == ImportIssue.Outcome.REJECTED else "skipped"] += 1
        if len(self.issues) >= ISSUE_BATCH:
            self.flush()

    def flush(self) -> None:
        ImportIssue.objects.bulk_create(self.issues, batch_size=ISSUE_BATCH)
        self.issues = []

    def contacts(self, row: Row) -> people.ContactDetails:
        return people.ContactDetails(
            emails=row.emails,
            phones=row.phones,
            addresses=[row.address] if row.address else [],
        )

    def row(self, row: Row) -> None:
        if not row.is_valid:
            self.issue(row, ImportIssue.Outcome.REJECTED, row.problems)
            return
        match = self.duplicates.find(row)
        if match and match[0] == PENDING:
            # It matches a row still waiting in the batch: create those first.
            self.create_pending()
            match = self.duplicates.find(row)
        on_duplicate = self.job.on_duplicate
        if match and on_duplicate == ImportJob.OnDuplicate.SKIP:
            self.issue(row, ImportIssue.Outcome.SKIPPED, [("", match[1])])
            return
        if match and on_duplicate == ImportJob.OnDuplicate.UPDATE:
            try:
                person = self.update(match[0], row)
            except ValidationError as exc:
                self.issue(row, ImportIssue.Outcome.REJECTED, _problems(exc))
                return
            self.counts["updated"] += 1
            self.duplicates.add(row, person.pk)
            return
        self.pending.append(row)
        self.duplicates.add(row, PENDING)
        if len(self.pending) >= CREATE_BATCH:
            self.create_pending()

    def create_pending(self) -> None:
        """Creates the waiting rows in one call of the batch service."""
        drafts = [
            people.PersonDraft(fields=row.person, contacts=self.contacts(row), tags=row.tags)
            for row in self.pending
        ]
        results = people.create_people(self.actor, drafts, source=self.source, channel=TASK)
        for row, result in zip(self.pending, results, strict=True):
            if isinstance(result, ValidationError):
                self.duplicates.settle(row, None)
                self.issue(row, ImportIssue.Outcome.REJECTED, _problems(result))
            else:
                self.duplicates.settle(row, result.pk)
                self.counts["created"] += 1
        self.pending = []

    @transaction.atomic
    def update(self, person_id: int, row: Row) -> Person:
        """The row's values over the existing person's; new contact points added
        with this file's source."""
        person = Person.objects.get(pk=person_id)
        changes = dict(row.person)
        if not self.sees_identity:
            # As on the edit page: who may not see identity numbers does not change them.
            changes.pop("national_id", None)
        elif row.national_id and person.national_id and row.national_id != person.national_id:
            raise ValidationError(
                {
                    "national_id": _(
                        "Looks like person #%(id)s, whose national ID is different: not "
                        "updated. Check which one is right."
                    )
                    % {"id": person.pk}
                }
            )
        tags = None
        if row.tags:
            tags = list(person.tags.values_list("name", flat=True))
            tags += [tag for tag in row.tags if tag not in tags]
        people.update_person(self.actor, person, tags=tags, channel=TASK, **changes)
        add = {"source": self.source, "channel": TASK}
        for email in row.emails:
            if not person.emailaddresss.filter(email=email).exists():
                people.add_contact_point(self.actor, person, "email", {"email": email}, **add)
        for kind, number in row.phones:
            if not person.phonenumbers.filter(number=number).exists():
                people.add_contact_point(
                    self.actor, person, "phone", {"kind": kind, "number": number}, **add
                )
        if row.address and not person.postaladdresss.filter(**row.address).exists():
            people.add_contact_point(self.actor, person, "address", row.address, **add)
        return person


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            ("" if name in {"__all__", "number"} else name, str(message))
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [("", str(message)) for message in error.messages]


def _import_rows(job: ImportJob) -> dict[str, int]:
    source = people.create_source(
        job.created_by,
        kind=job.source_kind,
        channel=Source.Channel.IMPORT,
        related_person=job.related_person,
        partner=job.partner,
        agreement_reference=job.agreement_reference,
        note=job.file_name[:200],
    )
    problems = mapping_problems(job.mapping)
    if problems:
        raise ValueError(" ".join(problems))
    run = _Run(job, source)
    last_report = time.monotonic()
    for number, cells in reading.read_rows(job):
        run.row(parse_row(number, cells, job.mapping))
        run.counts["processed"] += 1
        processed = run.counts["processed"]
        if processed % PROGRESS_EVERY == 0 or time.monotonic() - last_report > 1:
            write_progress(job.pk, processed)
            last_report = time.monotonic()
    run.create_pending()
    run.flush()
    counts = run.counts
    job.source = source
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.processed_rows = counts["processed"]
    job.total_rows = counts["processed"]
    job.created_count = counts["created"]
    job.updated_count = counts["updated"]
    job.skipped_count = counts["skipped"]
    job.rejected_count = counts["rejected"]
    job.save()
    record_change(
        job.created_by,
        "imports.import_people",
        job,
        {
            "file": [None, job.file_name],
            "source": [None, str(source.pk)],
            **{name: [None, value] for name, value in counts.items()},
        },
        channel=TASK,
    )
    return counts
