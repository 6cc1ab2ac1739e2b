from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "connexion.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from connexion.privacy.seed import seed

        post_migrate.connect(seed, sender=self, dispatch_uid="connexion.privacy.seed")
