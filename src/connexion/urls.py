from django.contrib import admin
from django.urls import include, path

from connexion.api.api import api
from connexion.ops.views import healthz

urlpatterns = [
    # Before any other data-protection route, so that none of them catches it.
    path(
        "data-protection/record-of-processing/",
        include(("connexion.privacy.processing.urls", "processing")),
    ),
    path("data-protection/", include("connexion.privacy.urls")),
    # The public privacy center (no staff sign-in) and its settings under /privacy/manage/.
    path("privacy/", include("connexion.portal.urls")),
    path("", include("connexion.ui.urls")),
    path("people/import/", include("connexion.imports.urls")),
    path("", include("connexion.people.urls")),
    path("account/", include("connexion.accounts.urls")),
    path("settings/", include("connexion.accounts.staff_urls")),
    path("audit/", include("connexion.audit.urls")),
    path("sales/", include("connexion.sales.urls")),
    path("comms/", include("connexion.comms.urls")),
    path("documents/", include("connexion.documents.urls")),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

handler403 = "connexion.ui.views.permission_denied"
handler404 = "connexion.ui.views.page_not_found"
handler500 = "connexion.ui.views.server_error"
