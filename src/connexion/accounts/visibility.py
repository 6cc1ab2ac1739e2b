"""What a member of staff sees: which records (people, deals, leads) and which
data categories.

Each role has a scope (RoleVisibility): all records, their teams' records (owned
by them or by anyone sharing a team with them) or their own. A user with several
roles gets the widest. Records nobody owns are visible to everyone: they are the
shared pool new enquiries land in. Selectors apply `owned_by_visible` to every
read, so lists, search, detail pages, the API, exports and dashboards agree, and
a record out of reach is answered exactly like one that does not exist.
"""

from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from connexion.accounts.models import RoleVisibility, Team
from connexion.accounts.roles import CATEGORY_PERMISSIONS
from connexion.audit.services import record_refusal

Scope = RoleVisibility.Scope
Record = TypeVar("Record", bound=models.Model)
_WIDTH = {Scope.OWN: 0, Scope.TEAM: 1, Scope.ALL: 2}


def record_scope(user: Any) -> str:
    """The widest scope of the user's roles; the system (no user) sees all.
    Kept on the user object for the rest of the request."""
    if user is None or getattr(user, "is_superuser", False):
        return Scope.ALL
    cached = getattr(user, "_record_scope", None)
    if cached is None:
        scopes = list(
            RoleVisibility.objects.filter(role__user=user).values_list("scope", flat=True)
        )
        cached = max(scopes, key=lambda scope: _WIDTH[Scope(scope)], default=Scope.OWN)
        user._record_scope = cached
    return cached


def visible_owner_ids(user: Any) -> set[int] | None:
    """The owners whose records the user sees; None when they see everything."""
    scope = record_scope(user)
    if scope == Scope.ALL:
        return None
    cached = getattr(user, "_visible_owner_ids", None)
    if cached is None:
        cached = {user.pk}
        if scope == Scope.TEAM:
            memberships = Team.members.through.objects
            cached |= set(memberships.filter(team__members=user).values_list("user_id", flat=True))
        user._visible_owner_ids = cached
    return cached


def owned_by_visible(user: Any, owner_field: str = "owner") -> Q:
    """A filter keeping the records (with their owner in `owner_field`) the user sees."""
    owners = visible_owner_ids(user)
    if owners is None:
        return Q()
    return Q(**{f"{owner_field}__isnull": True}) | Q(**{f"{owner_field}__in": sorted(owners)})


def visible(viewer: Any, records: QuerySet[Record] | type[Record]) -> QuerySet[Record]:
    """The records the viewer sees; a kind of record without an owner (an
    organization, say) is shared by everyone."""
    if not isinstance(records, QuerySet):
        records = records._default_manager.all()
    try:
        records.model._meta.get_field("owner")
    except FieldDoesNotExist:
        return records
    return records.filter(owned_by_visible(viewer))


def visible_or_404(viewer: Any, records: QuerySet[Record] | type[Record], pk: Any) -> Record:
    """The record with this key if the viewer sees it; a record out of reach is
    answered exactly like one that does not exist."""
    found = visible(viewer, records).filter(pk=pk).first()
    if found is None:
        if viewer is not None:
            model = records if not isinstance(records, QuerySet) else records.model
            label = model._meta.label_lower
            record_refusal(viewer, f"{label}.not_found", label, pk)
        raise Http404
    return found


def can_see_category(user: Any, category: str) -> bool:
    """Whether the user's roles open this data category (3.1-3.7); the system
    (no user) sees everything."""
    if user is None:
        return True
    return bool(user.has_perm(CATEGORY_PERMISSIONS[str(category)]))
