"""The permission door of the pages: a view that needs a permission (or a role)
refuses with `MissingPermission`, which names what is missing, so the 403 page
can tell the staff member what they lack and who can give it to them."""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from connexion.accounts.roles import ROLE_LABELS, ROLE_PERMISSIONS, permission_label

R = TypeVar("R", bound=HttpResponseBase)


class MissingPermission(PermissionDenied):
    """Refusal for lack of a permission ("app.codename") or, where only a role
    will do, of a role (one of `roles.ROLE_CODES`)."""

    def __init__(self, permission: str = "", *, role: str = "") -> None:
        super().__init__(permission or role)
        self.permission = permission
        self.role = role

    @property
    def label(self) -> str:
        if self.role:
            return str(ROLE_LABELS[self.role])
        return permission_label(self.permission)

    @property
    def granting_roles(self) -> list[str]:
        """The roles that carry what is missing, in the reader's language."""
        if self.role:
            return [str(ROLE_LABELS[self.role])]
        return [
            str(ROLE_LABELS[role])
            for role, permissions in ROLE_PERMISSIONS.items()
            if self.permission in permissions
        ]


def check_permission(user: object, permission: str) -> None:
    """Raises `MissingPermission` unless `user` holds `permission`."""
    has_perm = getattr(user, "has_perm", None)
    if has_perm is None or not has_perm(permission):
        raise MissingPermission(permission)


def require_permission(
    permission: str,
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """View decorator: the view runs only for a user holding `permission`."""

    def decorate(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        def checked(request: HttpRequest, *args: object, **kwargs: object) -> R:
            check_permission(request.user, permission)
            return view(request, *args, **kwargs)

        return checked

    return decorate
