from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "connexion.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from connexion.accounts import signals  # noqa: F401  (connects sign-in recording)
        from connexion.accounts.roles import sync_roles

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="connexion.sync_roles")


class AdminSiteConfig(admin_apps.AdminConfig):
    """Django's admin app with our admin site (accounts.admin_site): no sign-in
    of its own, open only to sessions that passed the second step."""

    default = False  # named in INSTALLED_APPS by its path, not found for "accounts"
    default_site = "connexion.accounts.admin_site.ConnexionAdminSite"
