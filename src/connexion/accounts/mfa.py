"""Two-step sign-in with an authenticator app (TOTP, RFC 6238) and single-use
recovery codes. Required for the roles in roles.MFA_REQUIRED_ROLES."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connexion.accounts.actors import Actor
from connexion.accounts.models import MfaDevice, RecoveryCode, SignInAttempt, User
from connexion.accounts.roles import MFA_REQUIRED_ROLES
from connexion.audit.services import record_change
from connexion.lib import crypto
from connexion.lib.storage import configured_keyring

ISSUER = "Connexion CRM"
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper. 16 of 31 symbols: about 79 bits, so a
# plain SHA-256 is enough to store them (as for API tokens).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16


class InvalidCodeError(ValueError):
    pass


def requires_mfa(user: User) -> bool:
    return user.groups.filter(name__in=MFA_REQUIRED_ROLES).exists()


def confirmed_device(user: User) -> MfaDevice | None:
    return MfaDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_mfa(user: User) -> bool:
    return MfaDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def start_enrolment(user: User) -> MfaDevice:
    """The pending device with a new secret (kept while enrolment is unfinished,
    so reloading the page does not change the QR code under the user's phone)."""
    device, created = MfaDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    if device.confirmed_at is not None:
        raise ValueError("two-step sign-in is already set up")
    if not created:
        try:
            device.secret  # noqa: B018 (opened to check that the keys still open it)
        except crypto.StoredFileError:
            # Sealed under a key no longer configured; nobody uses it yet: a new one.
            device.secret = pyotp.random_base32()
            device.save(update_fields=["sealed_secret"])
    return device


def provisioning_uri(device: MfaDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.get_username(), issuer_name=ISSUER
    )


def qr_code_svg(uri: str) -> str:
    """The QR code as inline SVG, made on the server (no script, no CDN)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2))


def grouped_secret(device: MfaDevice) -> str:
    """The secret in groups of four, for typing it in by hand."""
    return " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))


def _normalize_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step the code belongs to; one step either side allowed for
    clock drift (RFC 6238 section 5.2)."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(device: MfaDevice, code: str, now: float | None = None) -> bool:
    code = _normalize_code(code)
    if len(code) != 6 or not code.isdigit():
        return False
    step = _matching_step(device.secret, code, time.time() if now is None else now)
    if step is None:
        return False
    # A code counts once: a later step only, written atomically against a race.
    updated = (
        MfaDevice.objects.filter(pk=device.pk)
        .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
        .update(last_used_step=step)
    )
    return updated == 1


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(_normalize_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


@transaction.atomic
def regenerate_recovery_codes(user: User, *, actor: Actor) -> list[str]:
    """Ten new codes; the old ones stop working. The codes are returned to be
    shown once; only their hashes are kept."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_hash_recovery_code(code)) for code in codes]
    )
    record_change(actor, "accounts.new_recovery_codes", user, {"recovery_codes": ["***", "***"]})
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    normalized = _normalize_code(code)
    if len(normalized) != _RECOVERY_LENGTH:
        return False
    match = RecoveryCode.objects.filter(
        user=user, code_hash=_hash_recovery_code(normalized), used_at__isnull=True
    ).first()
    if match is None:
        return False
    # Conditional update: two requests with the same code cannot both succeed.
    return (
        RecoveryCode.objects.filter(pk=match.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        == 1
    )


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turns two-step sign-in on once the first code from the app is right;
    returns the recovery codes to show once."""
    device = MfaDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        raise InvalidCodeError
    if not verify_totp(device, code):
        raise InvalidCodeError
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    record_change(user, "accounts.enable_mfa", user, {"mfa": [False, True]})
    return regenerate_recovery_codes(user, actor=user)


def second_step(user: User, code: str) -> str | None:
    """Checks a code typed at sign-in: the step it passed (authenticator or
    recovery code), or None."""
    device = confirmed_device(user)
    if device is None:
        return None
    if len(_normalize_code(code)) == 6:
        return SignInAttempt.Step.TOTP if verify_totp(device, code) else None
    return SignInAttempt.Step.RECOVERY_CODE if use_recovery_code(user, code) else None


@transaction.atomic
def disable(user: User, *, actor: Actor) -> None:
    """Turns two-step sign-in off: the authenticator and recovery codes go."""
    had = MfaDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    MfaDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if had:
        record_change(actor, "accounts.disable_mfa", user, {"mfa": [True, False]})


@transaction.atomic
def rewrap_secrets() -> tuple[int, list[str]]:
    """Re-encrypts every two-step secret not under the newest master key (part of
    `connexion keys rotate`); returns how many, and why the others that could
    not be opened failed (each left as it is)."""
    keyring = configured_keyring()
    rewrapped, failed = 0, []
    for device in MfaDevice.objects.select_for_update().order_by("pk"):
        if crypto.sealed_key_id(device.sealed_secret) == keyring.current.key_id:
            continue
        try:
            device.secret = device.secret  # opened with any key, sealed with the newest
        except crypto.StoredFileError as exc:
            failed.append(f"two-step sign-in secret of authenticator {device.pk}: {exc}")
            continue
        device.save(update_fields=["sealed_secret"])
        rewrapped += 1
    return rewrapped, failed
