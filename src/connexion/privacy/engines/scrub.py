"""What identifies a person in free text, and removing it where the person's rows are not the only
place it is: audit entries, import reports and files waiting to be imported."""

from __future__ import annotations

import csv
import io
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.lib.phone import InvalidPhoneNumber, national_format, to_e164
from connexion.people.models import EmailAddress, Person, PhoneNumber
from connexion.privacy.engines.scopes import ID_CHUNK, MASK, Tally, chunks, id_set
from connexion.privacy.models import (
    SubjectRequest,
)

logger = logging.getLogger(__name__)


@dataclass
class Identity:
    """The values that identify one person where they sit in free text: the
    audit entries of other people's rows, import reports, files awaiting import."""

    # Emails, phone numbers in every form, identity numbers: one is enough.
    keys: set[str] = field(default_factory=set)
    # (first name, last name) in either script: both are needed.
    names: set[tuple[str, str]] = field(default_factory=set)
    # Everything to mask where it is found.
    words: set[str] = field(default_factory=set)

    def pattern(self) -> re.Pattern[str] | None:
        words = sorted((w for w in self.words if len(w) >= 2), key=len, reverse=True)
        if not words:
            return None
        return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def _phone_forms(number: str) -> set[str]:
    forms = {number, number.lstrip("+")}
    try:
        national = national_format(number)
    except Exception:  # a stored number phonenumbers no longer parses
        return forms
    return forms | {national, national.replace(" ", ""), national.replace(" ", "-")}


def identities(ids: Sequence[int], root_of: dict[int, int]) -> dict[int, Identity]:
    found: dict[int, Identity] = defaultdict(Identity)
    name_fields = [f"{part}_name_{script}" for script in ("th", "en") for part in ("first", "last")]
    values = ["pk", *name_fields, "middle_name_th", "middle_name_en", "nickname_th"]
    values += ["nickname_en", "national_id", "passport_number"]
    for row in Person._base_manager.filter(pk__in=id_set(ids)).values(*values):
        identity = found[root_of[row["pk"]]]
        for script in ("th", "en"):
            first, last = row[f"first_name_{script}"], row[f"last_name_{script}"]
            if first and last:
                identity.names.add((first.lower(), last.lower()))
            identity.words |= {first, last, row[f"middle_name_{script}"], row[f"nickname_{script}"]}
        for number in (row["national_id"], row["passport_number"]):
            if number:
                identity.keys.add(number.lower())
                identity.words.add(number)
    for person_id, email in EmailAddress.objects.filter(person__in=id_set(ids)).values_list(
        "person_id", "email"
    ):
        found[root_of[person_id]].keys.add(email.lower())
        found[root_of[person_id]].words.add(email)
    for person_id, number in PhoneNumber.objects.filter(person__in=id_set(ids)).values_list(
        "person_id", "number"
    ):
        forms = _phone_forms(number)
        found[root_of[person_id]].keys |= forms
        found[root_of[person_id]].words |= forms
    requests = SubjectRequest.objects.filter(person__in=id_set(ids)).values_list(
        "person_id", "requester_name", "requester_email", "requester_phone"
    )
    for person_id, name, email, phone in requests:
        identity = found[root_of[person_id]]
        identity.words |= {name, email, phone}
        if email:
            identity.keys.add(email.lower())
    for identity in found.values():
        identity.words.discard("")
    return found


def _cell_keys(cell: str) -> set[str]:
    text = cell.strip()
    keys = {text.lower()}
    if sum(char.isdigit() for char in text) >= 9:
        try:
            keys |= _phone_forms(to_e164(text))
        except InvalidPhoneNumber:
            keys.add(re.sub(r"\D", "", text))
    return keys


def _row_owner(cells: Iterable[str], index: dict[str, int], names: dict[tuple[str, str], int]):
    """The person (root id) a row of a file is about, if it is one of those erased."""
    lowered = set()
    for cell in cells:
        if not cell:
            continue
        keys = _cell_keys(str(cell))
        for key in keys:
            if key in index:
                return index[key]
        lowered.add(str(cell).strip().lower())
    for (first, last), root in names.items():
        if first in lowered and last in lowered:
            return root
    return None


def scrub_values(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(MASK, value)
    if isinstance(value, list):
        return [scrub_values(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: scrub_values(item, pattern) for key, item in value.items()}
    return value


# Every value of an entry's details masked, keys kept: {"email:3": [null, "***"]}.
_MASK_JSONB = """CASE WHEN jsonb_typeof(details) = 'object' THEN COALESCE((
    SELECT jsonb_object_agg(entry.key, CASE jsonb_typeof(entry.value)
        WHEN 'null' THEN entry.value
        WHEN 'array' THEN (
            SELECT COALESCE(jsonb_agg(CASE WHEN jsonb_typeof(item) = 'null' THEN item
                                           ELSE '"***"'::jsonb END), '[]'::jsonb)
            FROM jsonb_array_elements(entry.value) AS item)
        ELSE '"***"'::jsonb END)
    FROM jsonb_each(details) AS entry), '{}'::jsonb) ELSE '"***"'::jsonb END"""


def mask_details(details: Any) -> Any:
    """The Python twin of _MASK_JSONB, for the other databases."""
    if not isinstance(details, dict):
        return MASK
    masked: dict[str, Any] = {}
    for key, value in details.items():
        if value is None:
            masked[key] = None
        elif isinstance(value, list):
            masked[key] = [None if item is None else MASK for item in value]
        else:
            masked[key] = MASK
    return masked


def mask_events(events: QuerySet[AuditEvent]) -> list[tuple[Any, str]]:
    """Masks the entries; returns (id, object id) of each. The entries are read
    first and rewritten by primary key: an update joined to the erased rows can
    make PostgreSQL scan the whole log."""
    found = list(events.values_list("pk", "object_id", "actor_id", "ip_address", "user_agent"))
    ids = [pk for pk, *_rest in found]
    # An entry written by nobody on staff came from the person: their address too.
    origin = [pk for pk, _object, actor, ip, agent in found if actor is None and (ip or agent)]
    for chunk in chunks(origin):
        AuditEvent.objects.filter(pk__in=id_set(chunk)).redact(ip_address=None, user_agent="")
    for chunk in chunks(ids):
        # Only entries with values are rewritten (a page view has none).
        chosen = AuditEvent.objects.filter(pk__in=id_set(chunk)).exclude(details={})
        if connection.vendor == "postgresql":
            # A constant expression: no value of anyone is put into the SQL.
            masked = RawSQL(_MASK_JSONB, (), output_field=models.JSONField())  # noqa: S611
            chosen.redact(details=masked)
            continue
        for pk, details in chosen.values_list("pk", "details"):
            masked_details = mask_details(details)
            if masked_details != details:
                AuditEvent.objects.filter(pk=pk).redact(details=masked_details)
    return [(pk, object_id) for pk, object_id, *_rest in found]


def events_of(label: str, pks: Iterable[Any]) -> Iterator[QuerySet[AuditEvent]]:
    keys = [str(pk) for pk in pks]
    for start in range(0, len(keys), ID_CHUNK):
        yield AuditEvent.objects.filter(
            object_type=label, object_id__in=id_set(keys[start : start + ID_CHUNK])
        )


def scrub_events(label: str, pks: Iterable[Any], pattern: re.Pattern[str]) -> int:
    """Masks a person's values where they appear in other people's entries."""
    changed = 0
    for events in events_of(label, pks):
        for pk, details in events.values_list("pk", "details"):
            scrubbed = scrub_values(details, pattern)
            if scrubbed != details:
                AuditEvent.objects.filter(pk=pk).redact(details=scrubbed)
                changed += 1
    return changed


class LazyIdentities:
    """What identifies each person, read when first needed (before anything is
    deleted): most batches have nothing to scrub outside the people's own rows."""

    def __init__(self, ids: Sequence[int], root_of: dict[int, int]) -> None:
        self.ids, self.root_of = ids, root_of
        self.found: dict[int, Identity] | None = None

    def __call__(self) -> dict[int, Identity]:
        if self.found is None:
            self.found = identities(self.ids, self.root_of)
        return self.found


class IdentityPatterns:
    """Each person's values as one regular expression, compiled when first needed."""

    def __init__(self, people: LazyIdentities) -> None:
        self.people = people
        self.compiled: dict[int, re.Pattern[str] | None] = {}

    def get(self, root: int) -> re.Pattern[str] | None:
        if root not in self.compiled:
            identity = self.people().get(root)
            self.compiled[root] = identity.pattern() if identity else None
        return self.compiled[root]


def _import_index(
    people: dict[int, Identity],
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    index: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    for root, identity in people.items():
        for key in identity.keys:
            index[key.lower()] = root
        for pair in identity.names:
            names[pair] = root
    return index, names


def scrub_import_reports(lazy: LazyIdentities, tally: Tally) -> None:
    """An import report keeps the cells of each row it did not import."""
    from connexion.imports.models import ImportIssue

    if not ImportIssue.objects.exists():
        return
    people = lazy()
    index, names = _import_index(people)
    if not index and not names:
        return
    for pk, values, problems in ImportIssue.objects.values_list(
        "pk", "values", "problems"
    ).iterator(chunk_size=2000):
        root = _row_owner(values or [], index, names)
        if root is None:
            continue
        pattern = people[root].pattern()
        ImportIssue.objects.filter(pk=pk).update(
            values=[MASK if cell else cell for cell in values],
            problems=scrub_values(problems, pattern) if pattern else problems,
        )
        tally.add(root, "imports.importissue", "masked")


def matching_leads(people: dict[int, Identity]) -> dict[Any, int]:
    """Leads never linked to a person record but holding one of the people's
    email addresses or phone numbers, or both their names: they are about them
    (export, erasure). Lead id -> root person id."""
    if not apps.is_installed("connexion.sales"):
        return {}
    unlinked = apps.get_model("sales", "Lead")._base_manager.filter(person__isnull=True)
    index, names = _import_index(people)
    if not (index or names) or not unlinked.exists():
        return {}
    found = {}
    for pk, first, last, email, phone in unlinked.values_list(
        "pk", "first_name", "last_name", "email", "phone"
    ).iterator(chunk_size=2000):
        root = _row_owner([first, last, email, phone], index, names)
        if root is not None:
            found[pk] = root
    return found


def remove_matching_leads(lazy: LazyIdentities, tally: Tally) -> None:
    """The matching leads go with the people (the lead's own policy: deleted)."""
    found = matching_leads(lazy())
    for root in found.values():
        tally.add(root, "sales.lead", "deleted")
    if found:
        apps.get_model("sales", "Lead")._base_manager.filter(pk__in=list(found)).delete()


def remove_naming_saved_views(lazy: LazyIdentities, tally: Tally) -> None:
    """A saved list view whose name or filters name one of the people (their
    email, phone, identity number, or both names) goes: it is the user's, but it
    holds the person's data."""
    from urllib.parse import parse_qsl

    from connexion.people.models import SavedView

    if not SavedView.objects.exists():
        return
    index, names = _import_index(lazy())
    if not index and not names:
        return
    doomed = []
    for pk, name, query in SavedView.objects.values_list("pk", "name", "query_string"):
        cells = [name, *(value for _key, value in parse_qsl(query))]
        cells += [word for cell in list(cells) for word in str(cell).split()]
        root = _row_owner(cells, index, names)
        if root is not None:
            doomed.append(pk)
            tally.add(root, "people.savedview", "deleted")
    if doomed:
        SavedView.objects.filter(pk__in=doomed).delete()


def _rewrite_csv(data: bytes, encoding: str, delimiter: str, drop: Callable[[list[str]], Any]):
    from connexion.imports.reading import decode

    text, used = decode(data, encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ","))
    kept = [rows[0], *(row for row in rows[1:] if drop(row) is None)] if rows else []
    dropped = [drop(row) for row in rows[1:] if drop(row) is not None]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter or ",").writerows(kept)
    return out.getvalue().encode(used), dropped


def _rewrite_xlsx(data: bytes, drop: Callable[[list[str]], Any]):
    from openpyxl import load_workbook

    from connexion.imports.reading import cell_text

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    dropped = []
    numbers = []
    for index, row in enumerate(sheet.iter_rows()):
        if index == 0:
            continue  # the column names
        owner = drop([cell_text(cell.value) for cell in row])
        if owner is not None:
            dropped.append(owner)
            numbers.append(row[0].row)
    for number in reversed(numbers):
        sheet.delete_rows(number)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), dropped


def scrub_import_files(
    lazy: LazyIdentities, tally: Tally, actor: Any, old_files: list[str], channel: str
) -> None:
    """A file waiting to be imported (or whose import failed) loses the erased
    people's rows; the import job records how many went."""
    from connexion.imports.models import ImportJob

    if not ImportJob.objects.exclude(file="").exists():
        return
    index, names = _import_index(lazy())
    if not index and not names:
        return

    def owner(cells: list[str]) -> int | None:
        return _row_owner(cells, index, names)

    for job in ImportJob.objects.select_for_update().exclude(file=""):
        try:
            with job.file.open("rb") as stream:
                data = stream.read()
        except OSError:
            continue  # nothing left to scrub
        try:
            if job.file_format == ImportJob.Format.CSV:
                content, dropped = _rewrite_csv(data, job.encoding, job.delimiter, owner)
            else:
                content, dropped = _rewrite_xlsx(data, owner)
        except (ValidationError, ValueError, KeyError, OSError):
            logger.exception("import file of job %s could not be read for an erasure", job.pk)
            continue
        if not dropped:
            continue
        old_name = job.file.name
        extension = old_name.rsplit(".", 1)[-1]
        job.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
        job.total_rows = max(job.total_rows - len(dropped), 0)
        job.save(update_fields=["file", "total_rows"])
        old_files.append(old_name)
        for root in dropped:
            tally.add(root, "imports.importjob", "rows removed")
        record_change(
            actor,
            "privacy.erase_from_import",
            job,
            {"rows_removed": [None, len(dropped)]},
            channel=channel,
        )
