from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connexion.api.scopes import all_scopes


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a hash of the secret is kept; the
    token itself is shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    # The public part of the token, to find the row without scanning hashes.
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    # See api.scopes; tokens made before scopes existed keep their full access.
    scopes = models.JSONField(_("scopes"), default=all_scopes)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired
