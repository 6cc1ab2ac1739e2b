from django.http import HttpRequest
from ninja import NinjaAPI

from connexion.accounts.models import User
from connexion.accounts.services import update_profile
from connexion.api import errors
from connexion.api.auth import BearerToken
from connexion.api.people import organizations_router, persons_router
from connexion.api.privacy import privacy_router
from connexion.api.schemas import ErrorOut, MeOut, MeUpdate, ValidationErrorOut

api = NinjaAPI(
    title="Connexion CRM API",
    version="1",
    description=(
        "REST API of Connexion CRM. Authenticate with `Authorization: Bearer <token>`; "
        "create a token with `connexion token create USERNAME`."
    ),
    auth=BearerToken(),
    urls_namespace="api",
)
errors.install(api)
api.add_router("/persons", persons_router)
api.add_router("/organizations", organizations_router)
api.add_router("", privacy_router)


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
