from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last time a background worker ran a task, per task backend."""

    backend = models.CharField(_("task backend"), max_length=100, unique=True)
    last_seen_at = models.DateTimeField(_("last seen at"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.backend} {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class PeriodicTaskRun(models.Model):
    """When a periodic task was last enqueued (see connexion.ops.schedule)."""

    name = models.CharField(_("task"), max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic task run")
        verbose_name_plural = _("periodic task runs")

    def __str__(self) -> str:
        return self.name
