from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "connexion.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from connexion.sales.services.pipelines import seed_default_pipeline

        post_migrate.connect(
            seed_default_pipeline, sender=self, dispatch_uid="connexion.sales.default_pipeline"
        )
