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
