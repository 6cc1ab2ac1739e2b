from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "connexion.documents"
    label = "documents"
    verbose_name = _("Identity documents")

    def ready(self) -> None:
        from connexion.documents import signals  # noqa: F401
