from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "connexion.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from connexion.accounts import signals  # noqa: F401  (connects sign-in recording)
        from connexion.accounts.roles import sync_roles

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="connexion.sync_roles")
