from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from connexion.lib import crypto
from connexion.lib.storage import configured_keyring


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
            # Data categories beyond a person's record (accounts.roles.CATEGORY_PERMISSIONS).
            ("view_service_usage", _("Can see service-usage data (3.5)")),
            ("view_payment_data", _("Can see payment data (3.6)")),
            ("view_communications", _("Can see communications (3.7)")),
        ]

    # Permissions this request may not use although the user holds them: an API
    # token narrower than its user sets these (api.auth). Never stored.
    withheld_permissions: frozenset[str] = frozenset()

    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_perm(self, perm: str, obj: object = None) -> bool:
        if perm in self.withheld_permissions:
            return False
        return super().has_perm(perm, obj)

    def get_all_permissions(self, obj: object = None) -> set[str]:
        return super().get_all_permissions(obj) - self.withheld_permissions


class Team(models.Model):
    """A group of staff who share records (record-level visibility by team is
    built on this). A user may be in several teams."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleVisibility(models.Model):
    """Which people, deals and leads the members of a role see (accounts.visibility).
    A user with several roles sees what the widest of them allows."""

    class Scope(models.TextChoices):
        ALL = "all", _("All records")
        TEAM = "team", _("Their teams' records")
        OWN = "own", _("Their own records")

    role = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="visibility", verbose_name=_("role")
    )
    scope = models.CharField(
        _("records seen"), max_length=4, choices=Scope.choices, default=Scope.ALL
    )

    class Meta:
        verbose_name = _("role visibility")
        verbose_name_plural = _("role visibilities")

    def __str__(self) -> str:
        return f"{self.role.name}: {self.scope}"


class SignInAttempt(models.Model):
    """One step of signing in (or an unlock); the throttle and the sign-in
    history read these."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("signed in")
        CODE_REQUIRED = "code_required", _("password accepted, code asked")
        FAILED = "failed", _("failed")
        BLOCKED = "blocked", _("blocked by throttling")
        UNLOCKED = "unlocked", _("unlocked")

    class Step(models.TextChoices):
        PASSWORD = "password", _("password")
        TOTP = "totp", _("authenticator code")
        RECOVERY_CODE = "recovery_code", _("recovery code")
        ADMIN = "admin", _("by an administrator")
        PASSWORD_RESET = "password_reset", _("by a password reset")

    username = models.CharField(_("username"), max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    step = models.CharField(_("step"), max_length=16, choices=Step.choices, default=Step.PASSWORD)
    attempted_at = models.DateTimeField(_("attempted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        ordering = ["-attempted_at", "-id"]
        indexes = [
            models.Index(fields=["ip_address", "attempted_at"]),
            models.Index(fields=["user", "attempted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.outcome} {self.attempted_at:%Y-%m-%d %H:%M}"


class MfaDevice(models.Model):
    """The user's authenticator app (TOTP, RFC 6238). Unconfirmed until the
    user has typed a first code from it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mfa_device",
        verbose_name=_("user"),
    )
    # The base32 seed authenticator apps take. It has to be readable to check
    # codes, so unlike passwords it cannot be hashed: it is kept encrypted under
    # the master keys (lib.crypto.seal_text), like stored files, and re-wrapped
    # by `connexion keys rotate`.
    sealed_secret = models.TextField(_("encrypted secret"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The last 30-second time step a code was accepted for: a code works once.
    last_used_step = models.BigIntegerField(_("last used time step"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"{self.user} ({'confirmed' if self.confirmed_at else 'pending'})"

    @property
    def secret(self) -> str:
        return crypto.open_text(self.sealed_secret, configured_keyring())

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed_secret = crypto.seal_text(value, configured_keyring())


class RecoveryCode(models.Model):
    """A single-use code for signing in without the authenticator. Only a hash
    is kept; the codes are shown once, when they are made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recovery_codes",
        verbose_name=_("user"),
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        indexes = [models.Index(fields=["user", "code_hash"])]

    def __str__(self) -> str:
        return f"{self.user} {'used' if self.used_at else 'unused'}"


class UserSession(models.Model):
    """Which session belongs to which user, so that deactivating a user can end
    every session of theirs at once, whatever the session backend."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("session key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
