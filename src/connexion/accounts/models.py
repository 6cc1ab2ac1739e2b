from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of staff. Roles are Django groups (see accounts.roles)."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language the interface uses for this user."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")
        # Access to each area of the application; roles are sets of these.
        permissions = [
            ("access_people", _("Can open people and organizations")),
            ("access_deals", _("Can open leads and deals")),
            ("access_inbox", _("Can open the inbox")),
            ("access_privacy", _("Can open the privacy area")),
            ("access_billing", _("Can open billing")),
            ("manage_staff", _("Can manage staff users and their roles")),
        ]

    def display_name(self) -> str:
        return self.get_full_name() or self.username


class SignInAttempt(models.Model):
    """One try at signing in; the throttle and the sign-in history read these."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        BLOCKED = "blocked", _("blocked by throttling")

    username = models.CharField(_("username"), max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    attempted_at = models.DateTimeField(_("attempted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        ordering = ["-attempted_at"]
        indexes = [models.Index(fields=["ip_address", "attempted_at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.outcome} {self.attempted_at:%Y-%m-%d %H:%M}"
