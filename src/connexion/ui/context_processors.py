from typing import Any

from django.http import HttpRequest

from connexion.ui.navigation import AREAS


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    return {"navigation": [area for area in AREAS if user.has_perm(area.permission)]}
