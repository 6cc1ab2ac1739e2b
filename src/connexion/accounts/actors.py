"""Who does something: the signed-in user of a page or an API call, an
anonymous visitor (the public portal), or nobody (a background task). Services
take any of them as `actor` and record `acting_user(actor)` as the one who acted."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, cast

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from connexion.accounts.models import User

Actor: TypeAlias = "User | AnonymousUser | None"


def acting_user(actor: Actor) -> User | None:
    """The user to record as having acted: None for an anonymous visitor or a task."""
    return cast("User", actor) if getattr(actor, "pk", None) else None
