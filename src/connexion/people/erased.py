"""A person whose data was erased stays, when the business needs the row (a
deal's value, a legal hold), as "anonymized person #…" holding nothing. Such a
record is read-only: nothing may be written to it or newly linked to it, or the
erasure would quietly be undone."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from connexion.lib.thai import format_date
from connexion.people.models import Person


def refuse_if_erased(person: Any, field: str = "person") -> None:
    """Raises a ValidationError naming `field` when the person was erased."""
    if isinstance(person, Person) and person.anonymized_at is not None:
        raise ValidationError({field: [erased_message(person)]})


def erased_message(person: Person) -> str:
    # Thai readers see the Buddhist Era year, like every date on our pages.
    when = format_date(timezone.localtime(person.anonymized_at).date(), get_language() or "en")
    return _(
        "This person's data was erased on %(date)s: the record is read-only and "
        "nothing can be added to it or linked to it."
    ) % {"date": when}


def erasure_of(person: Person) -> Any:
    """The erasure record of an anonymized person (with its subject request,
    when a request asked for it), or None."""
    if person.anonymized_at is None:
        return None
    # Looked up by name: the privacy app builds on this one, not the reverse.
    record_model = apps.get_model("privacy", "ErasureRecord")
    return (
        record_model.objects.select_related("request")
        .filter(person_ref=person.pk, person_kept=True)
        .order_by("-performed_at")
        .first()
    )
