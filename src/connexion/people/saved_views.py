"""Saved views: a user's named filters of a list (people, organizations,
deals). The only writer of SavedView, so that each change is in the audit log
as every other write is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from connexion.audit.services import record_change
from connexion.people.models import SavedView

if TYPE_CHECKING:
    from connexion.accounts.models import User


def saved_views(user: User, list_name: str) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user, list_name=list_name)


@transaction.atomic
def save_view(user: User, list_name: str, name: str, query_string: str) -> SavedView:
    """Saves the user's view under `name`, replacing one of the same name."""
    before = SavedView.objects.filter(user=user, list_name=list_name, name=name).first()
    view, created = SavedView.objects.update_or_create(
        user=user,
        list_name=list_name,
        name=name,
        defaults={"query_string": query_string},
    )
    changes = {"query_string": [None if before is None else before.query_string, query_string]}
    if created:
        changes = {"list_name": [None, list_name], "name": [None, name], **changes}
    record_change(user, "people.save_view", view, changes)
    return view


@transaction.atomic
def delete_view(user: User, view: SavedView) -> None:
    changes = {"list_name": [view.list_name, None], "name": [view.name, None]}
    record_change(user, "people.delete_view", view, changes)
    view.delete()
