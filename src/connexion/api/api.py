from django.http import HttpRequest
from ninja import NinjaAPI

from connexion.accounts.models import User
from connexion.accounts.services import update_profile
from connexion.api import errors
from connexion.api.activities import activities_router, notes_router, tasks_router
from connexion.api.auth import BearerToken
from connexion.api.people import organizations_router, persons_router
from connexion.api.privacy import privacy_router
from connexion.api.requests import requests_router
from connexion.api.sales import (
    deals_router,
    interests_router,
    leads_router,
    pipelines_router,
    products_router,
)
from connexion.api.schemas import ErrorOut, MeOut, MeUpdate, ValidationErrorOut

api = NinjaAPI(
    title="Connexion CRM API",
    version="1",
    description=(
        "REST API of Connexion CRM. Authenticate with `Authorization: Bearer <token>`; "
        "create a token on your account page (API tokens) or with `connexion token create "
        "USERNAME [--scope people:read,3.1] [--expires 90d]`. A token reaches only the areas "
        "(read or write) and data categories of its scopes (else 403), never more than its "
        "user may; an expired or revoked token gets 401; over the per-token rate limit, 429 "
        "with Retry-After."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    parser=errors.TextParser(),
)
errors.install(api)
api.add_router("/persons", persons_router)
api.add_router("/organizations", organizations_router)
api.add_router("", privacy_router)
api.add_router("/pipelines", pipelines_router)
api.add_router("/products", products_router)
api.add_router("/leads", leads_router)
api.add_router("/deals", deals_router)
api.add_router("/interests", interests_router)
api.add_router("/requests", requests_router)
api.add_router("/activities", activities_router)
api.add_router("/tasks", tasks_router)
api.add_router("/notes", notes_router)


def _me(user: User) -> MeOut:
    return MeOut(
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        language=user.language,
        roles=sorted(group.name for group in user.groups.all()),
        permissions=sorted(user.get_all_permissions()),
    )


@api.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["account"])
def read_me(request: HttpRequest) -> MeOut:
    """The staff user the token belongs to, with roles and permissions."""
    return _me(request.auth)  # type: ignore[attr-defined]


@api.patch("/me", response={200: MeOut, 401: ErrorOut, 422: ValidationErrorOut}, tags=["account"])
def update_me(request: HttpRequest, payload: MeUpdate) -> MeOut:
    """Changes the user's own name or interface language."""
    user: User = request.auth  # type: ignore[attr-defined]
    update_profile(user, **payload.model_dump(exclude_unset=True, exclude_none=True))
    return _me(user)
