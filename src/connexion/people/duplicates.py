"""Finding people who are probably recorded twice.

Exact matches (national ID, passport, email, phone) come from GROUP BY ...
HAVING queries, so the database does the work in one pass each. Names are
compared only among people born on the same day (the database returns only
those, ordered by birth date, so one bucket is in memory at a time). Length
and character-count bounds of the difflib ratio are tried before the ratio
itself, and a very large bucket (a default date used by an import, say) is
compared by sorted neighbourhood instead of every pair. The list is capped at
MAX_PAIRS. Records merged into another (`merged_into` set) are never proposed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations, groupby
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, QuerySet, Value, Window
from django.db.models.functions import Concat, Lower, Trim, Upper
from django.utils.translation import gettext_lazy as _

from connexion.accounts.visibility import owned_by_visible, visible_owner_ids
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access
from connexion.people.models import EmailAddress, Person, PhoneNumber
from connexion.people.selectors import can_see_identity_numbers, mask_passport, mask_thai_id

MAX_PAIRS = 200
PAGE_SIZE = 50
SIMILARITY = 0.85
# Above this many people born the same day, each name is compared with its
# WINDOW nearest neighbours in sorted order rather than with everyone.
FULL_COMPARISON_LIMIT = 300
WINDOW = 10

REASONS = {
    "national_id": _("same national ID"),
    "passport": _("same passport number"),
    "email": _("same email"),
    "phone": _("same phone number"),
    "name": _("similar name and same date of birth"),
}

# Longest first, so that นางสาว is not read as นาง + สาว.
THAI_TITLES = sorted(
    ["นาย", "นาง", "นางสาว", "น.ส.", "เด็กชาย", "เด็กหญิง", "ด.ช.", "ด.ญ.", "ดร.", "คุณ"],
    key=len,
    reverse=True,
)
# Titles that may also begin a given name are removed only before a space.
THAI_TITLES_NEEDING_SPACE = {"คุณ"}
LATIN_TITLES = {"mr", "mrs", "ms", "miss", "mister", "dr", "khun"}
_NOT_LETTERS = re.compile(r"[\s.,'’\-_()]+")


@dataclass
class CandidatePair:
    """Two people who may be the same; `keep_id` is the older record."""

    keep_id: int
    other_id: int
    reasons: list[str] = field(default_factory=list)
    keep: Person | None = None
    other: Person | None = None

    @property
    def people(self) -> tuple[Person | None, Person | None]:
        return self.keep, self.other

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[reason]) for reason in self.reasons]


# --- names ------------------------------------------------------------------


def normalize_name(*parts: str) -> str:
    """Lower case, without a leading title, spaces or punctuation:
    `นาย สมชาย  ใจดี` and `สมชาย ใจดี` both give `สมชายใจดี`."""
    text = " ".join(part.strip() for part in parts if part and part.strip()).lower()
    stripped = True
    while stripped and text:
        stripped = False
        first, _space, rest = text.partition(" ")
        if first.rstrip(".") in LATIN_TITLES and rest:
            text, stripped = rest.strip(), True
            continue
        for title in THAI_TITLES:
            if not text.startswith(title):
                continue
            remainder = text[len(title) :]
            if title in THAI_TITLES_NEEDING_SPACE and not remainder.startswith(" "):
                continue
            if len(remainder.strip()) >= 2:
                text, stripped = remainder.strip(), True
                break
    return _NOT_LETTERS.sub("", text)


def _could_reach(first: str, second: str, threshold: float) -> bool:
    """The best ratio two strings of these lengths could have (difflib's
    `real_quick_ratio`), without building a matcher."""
    return 2 * min(len(first), len(second)) >= threshold * (len(first) + len(second))


def names_similar(first: str, second: str, threshold: float = SIMILARITY) -> bool:
    """Equal, or a difflib ratio of at least `threshold`."""
    if not first or not second:
        return False
    if first == second:
        return True
    if not _could_reach(first, second, threshold):
        return False
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


# --- finding pairs ----------------------------------------------------------


class _Pairs:
    """Pairs found so far, in the order found, each with all its reasons."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.found: dict[tuple[int, int], CandidatePair] = {}

    @property
    def full(self) -> bool:
        return len(self.found) >= self.limit

    def add(self, first: int, second: int, reason: str) -> None:
        if first == second:
            return
        key = (min(first, second), max(first, second))
        pair = self.found.get(key)
        if pair is None:
            if self.full:
                return
            pair = self.found[key] = CandidatePair(*key)
        if reason not in pair.reasons:
            pair.reasons.append(reason)

    def add_group(self, person_ids: Iterable[int], reason: str) -> None:
        for first, second in combinations(sorted(set(person_ids)), 2):
            self.add(first, second, reason)


def _live_people() -> QuerySet[Person]:
    return Person.objects.filter(merged_into__isnull=True, anonymized_at__isnull=True)


def _shared(queryset: QuerySet[Any], key: str, person: str, limit: int) -> Iterator[list[int]]:
    """The person ids sharing each value of `key` held by more than one person:
    one GROUP BY ... HAVING query for the values, one query for their holders."""
    values = list(
        queryset.values(key)
        .annotate(holders=Count(person, distinct=True))
        .filter(holders__gt=1)
        .order_by(key)
        .values_list(key, flat=True)[:limit]
    )
    if not values:
        return
    rows = (
        queryset.filter(**{f"{key}__in": values})
        .order_by(key, person)
        .values_list(key, person)
        .distinct()
    )
    for _value, group in groupby(rows, key=lambda row: row[0]):
        yield [person_id for _key, person_id in group]


def _exact_matches(pairs: _Pairs) -> None:
    live = _live_people()
    sources: list[tuple[str, QuerySet[Any], str, str]] = [
        ("national_id", live.exclude(national_id=""), "national_id", "id"),
        (
            "passport",
            live.exclude(passport_number="").annotate(
                passport=Concat(Upper(Trim("passport_number")), Value(" "), "passport_country")
            ),
            "passport",
            "id",
        ),
        (
            "email",
            EmailAddress.objects.filter(person__isnull=False, person__merged_into__isnull=True)
            .exclude(email="")
            .annotate(normalized=Lower(Trim("email"))),
            "normalized",
            "person_id",
        ),
        (
            "phone",
            PhoneNumber.objects.filter(person__isnull=False, person__merged_into__isnull=True),
            "number",
            "person_id",
        ),
    ]
    for reason, queryset, key, person in sources:
        if pairs.full:
            return
        for group in _shared(queryset, key, person, pairs.limit):
            pairs.add_group(group, reason)


def _same_birth_date_buckets() -> Iterator[list[tuple[int, str, str]]]:
    """(id, Thai name, Latin name), normalized, of people sharing a birth date."""
    rows = (
        _live_people()
        .exclude(date_of_birth=None)
        .annotate(born_that_day=Window(Count("id"), partition_by=F("date_of_birth")))
        .filter(born_that_day__gt=1)
        .order_by("date_of_birth", "id")
        .values_list(
            "date_of_birth",
            "id",
            "first_name_th",
            "middle_name_th",
            "last_name_th",
            "first_name_en",
            "middle_name_en",
            "last_name_en",
        )
        .iterator(chunk_size=2000)
    )
    for _born, bucket in groupby(rows, key=lambda row: row[0]):
        yield [(row[1], normalize_name(*row[2:5]), normalize_name(*row[5:8])) for row in bucket]


def _similar_index_pairs(names: list[str]) -> Iterator[tuple[int, int]]:
    """Index pairs of similar names: every pair in a small bucket, near
    neighbours in sorted order (and all exact equals) in a large one. One
    matcher per name, reused across its candidates: difflib indexes the
    second sequence once."""
    present = [index for index, name in enumerate(names) if name]
    large = len(present) > FULL_COMPARISON_LIMIT
    if large:
        present.sort(key=lambda index: names[index])
        equals: dict[str, list[int]] = {}
        for index in present:
            equals.setdefault(names[index], []).append(index)
        for group in equals.values():
            yield from combinations(group, 2)
    for position, index in enumerate(present):
        name = names[index]
        end = position + 1 + WINDOW if large else len(present)
        matcher: SequenceMatcher[str] | None = None
        for candidate in present[position + 1 : end]:
            other = names[candidate]
            if other == name:
                if not large:
                    yield index, candidate
                continue
            if not _could_reach(name, other, SIMILARITY):
                continue
            if matcher is None:
                matcher = SequenceMatcher(None, "", name, autojunk=False)
            matcher.set_seq1(other)
            if matcher.quick_ratio() >= SIMILARITY and matcher.ratio() >= SIMILARITY:
                yield index, candidate


def _similar_names(pairs: _Pairs) -> None:
    for bucket in _same_birth_date_buckets():
        if pairs.full:
            return
        for script in (1, 2):  # Thai with Thai, Latin with Latin
            names = [entry[script] for entry in bucket]
            for first, second in _similar_index_pairs(names):
                pairs.add(bucket[first][0], bucket[second][0], "name")


def find_duplicate_pairs(limit: int | None = None) -> list[CandidatePair]:
    """At most `limit` (by default MAX_PAIRS) pairs of live people who are
    probably the same person, the strongest reasons first."""
    pairs = _Pairs(MAX_PAIRS if limit is None else limit)
    _exact_matches(pairs)
    _similar_names(pairs)
    return list(pairs.found.values())


# --- the page ---------------------------------------------------------------


@dataclass
class DuplicatesPage:
    page: Page
    # True when there may be more pairs than the `limit` listed.
    capped: bool
    limit: int


def _mask(person: Person, viewer: Any) -> None:
    if can_see_identity_numbers(viewer):
        return
    if person.national_id:
        person.national_id = mask_thai_id(person.national_id)
    if person.passport_number:
        person.passport_number = mask_passport(person.passport_number)


def duplicates_page(
    viewer: Any,
    page_number: Any = 1,
    *,
    limit: int | None = None,
    channel: str = AuditEvent.Channel.UI,
) -> DuplicatesPage:
    """One page of candidate pairs with both people loaded (identity numbers
    masked for viewers without the permission); records who was shown."""
    limit = MAX_PAIRS if limit is None else limit
    pairs = find_duplicate_pairs(limit)
    if visible_owner_ids(viewer) is not None:
        # Only pairs of people the viewer sees (accounts.visibility).
        involved = {person_id for pair in pairs for person_id in (pair.keep_id, pair.other_id)}
        seen = set(
            Person.objects.filter(owned_by_visible(viewer), pk__in=involved).values_list(
                "pk", flat=True
            )
        )
        pairs = [pair for pair in pairs if pair.keep_id in seen and pair.other_id in seen]
    page = Paginator(pairs, PAGE_SIZE).get_page(page_number)
    ids = {person_id for pair in page.object_list for person_id in (pair.keep_id, pair.other_id)}
    people = {
        person.pk: person
        for person in Person.objects.filter(pk__in=ids)
        .select_related("employer")
        .prefetch_related(
            Prefetch("emailaddresss", queryset=EmailAddress.objects.order_by("-is_primary", "id")),
            Prefetch("phonenumbers", queryset=PhoneNumber.objects.order_by("-is_primary", "id")),
        )
    }
    for person in people.values():
        _mask(person, viewer)
    for pair in page.object_list:
        pair.keep, pair.other = people.get(pair.keep_id), people.get(pair.other_id)
    record_access(
        viewer,
        "people.duplicates",
        "people.person",
        [str(pk) for pk in sorted(ids)],
        channel=channel,
    )
    return DuplicatesPage(page=page, capped=len(pairs) >= limit, limit=limit)
