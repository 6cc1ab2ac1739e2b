"""The README and docs/security.md state the sign-in limits the code applies."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_gives_the_limits_in_force():
    text = " ".join((ROOT / "README.md").read_text().split())
    window = settings.LOGIN_FAILURE_WINDOW_MINUTES
    assert (
        f"an account locks after {settings.LOGIN_FAILURE_LIMIT} failed attempts against it "
        f"in {window} minutes"
    ) in text
    assert (
        f"an address with {settings.LOGIN_ADDRESS_FAILURE_LIMIT} failed attempts in "
        f"{window} minutes"
    ) in text
    assert "`CONNEXION_TRUSTED_PROXIES`" in text


def test_the_security_notes_give_the_limits_in_force():
    text = " ".join((ROOT / "docs" / "security.md").read_text().split())
    stated = dict(re.findall(r"`(LOGIN_[A-Z_]+)` = (\d+)", text))
    assert stated == {
        "LOGIN_FAILURE_WINDOW_MINUTES": str(settings.LOGIN_FAILURE_WINDOW_MINUTES),
        "LOGIN_FAILURE_LIMIT": str(settings.LOGIN_FAILURE_LIMIT),
        "LOGIN_ADDRESS_FAILURE_LIMIT": str(settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    }
