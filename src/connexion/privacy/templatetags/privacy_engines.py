"""Template tags of the data-subject rights engines: the legal holds and the
export and erasure actions shown in a person's privacy panel."""

from __future__ import annotations

from typing import Any

from django import template

from connexion.people.models import Person
from connexion.privacy.engines.holds import holds_in_force
from connexion.privacy.models import LegalHold

register = template.Library()


@register.simple_tag(takes_context=True)
def person_holds(context: template.Context, person: Person) -> dict[str, Any]:
    """`{% person_holds person as holds %}`: the holds in force on the person and
    the lifted or ended ones (holds name laws and orders, not the person's data)."""
    in_force = list(holds_in_force().filter(person=person).select_related("placed_by"))
    ended = list(
        LegalHold.objects.filter(person=person)
        .exclude(pk__in=[hold.pk for hold in in_force])
        .order_by("-starts_at")[:10]
    )
    from connexion.privacy.engines.views import is_privacy_officer

    user = getattr(context.get("request"), "user", None)
    officer = user is not None and is_privacy_officer(user)
    return {"in_force": in_force, "ended": ended, "officer": officer}
