"""Sign-in steps as a browser sends them, and codes as an authenticator app
makes them (pyotp, from the secret the server stored)."""

import time

import pyotp
from django.test import Client

from connexion.accounts import mfa
from connexion.accounts.models import MfaDevice, User
from tests.conftest import PASSWORD


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/account/sign-in/", {"username": username, "password": password}, **extra)


def enter_code(client: Client, code: str, **extra):
    return client.post("/account/sign-in/code/", {"code": code}, **extra)


def code_for(user: User, offset_seconds: int = 0) -> str:
    device = MfaDevice.objects.get(user=user)
    return pyotp.TOTP(device.secret).at(time.time() + offset_seconds)


def enrol(user: User) -> list[str]:
    """Two-step sign-in turned on through the services; returns the recovery codes.
    The first code is the previous time step's, so that the current one is still
    unused for the test's sign-in."""
    mfa.start_enrolment(user)
    try:
        return mfa.confirm_enrolment(user, code_for(user, -30))
    except mfa.InvalidCodeError:
        # The 30-second step changed between making the code and checking it.
        return mfa.confirm_enrolment(user, code_for(user, -30))
