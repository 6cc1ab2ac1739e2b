"""A lost or wrong master key is an operator's error at start: `keys status`
says what cannot be opened, `serve` and `up` refuse to start, and a sign-in
that needs a secret the keys cannot open is told so plainly (never a 500)."""

import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from connexion.accounts.models import MfaDevice, SignInAttempt
from connexion.lib.crypto import MasterKey, generate_master_key
from connexion.ops.management.commands import serve as serve_command
from tests.accounts.helpers import code_for, enrol, sign_in
from tests.ops.test_cli import run_cli

pytestmark = pytest.mark.django_db

OLD, NEW = os.urandom(32), os.urandom(32)


@pytest.fixture
def stored(settings, tmp_path: Path, make_user):
    """A file and a two-step secret stored under OLD; then OLD is lost."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONNEXION_MASTER_KEYS = (OLD,)
    default_storage.save("evidence/note.txt", ContentFile(b"kept"))
    user = make_user("dpo", roles=("privacy_officer",), language="en")
    enrol(user)
    return user


def test_status_says_the_keys_open_everything(stored, capsys):
    call_command("keys", "status")
    out = capsys.readouterr().out
    assert f"{MasterKey(OLD).label}  1 file(s) (newest" in out
    assert f"{MasterKey(OLD).label}  1 secret(s)" in out
    assert "The configured keys open all stored data." in out


def test_status_names_the_missing_key_and_what_it_locks(stored, settings, capsys):
    settings.CONNEXION_MASTER_KEYS = (NEW,)
    with pytest.raises(CommandError) as refused:
        call_command("keys", "status")
    out = capsys.readouterr().out
    assert f"{MasterKey(OLD).label}  NOT CONFIGURED" in out
    message = str(refused.value)
    assert "cannot open 1 stored file(s) and 1 two-step sign-in secret(s)" in message
    assert MasterKey(OLD).label in message and MasterKey(NEW).label in message


def test_serve_refuses_to_start_with_a_lost_key(stored, settings, monkeypatch):
    served = []
    monkeypatch.setattr(serve_command, "serve", lambda *args, **kwargs: served.append(kwargs))
    settings.CONNEXION_MASTER_KEYS = (NEW,)
    with pytest.raises(CommandError, match=r"Connexion does not start\. The master keys"):
        call_command("serve")
    assert served == []
    settings.CONNEXION_MASTER_KEYS = (NEW, OLD)
    call_command("serve", port=8123)
    assert served and served[0]["port"] == 8123


def test_a_sign_in_with_a_lost_key_is_told_so_and_not_counted(stored, settings):
    code = code_for(stored)
    settings.CONNEXION_MASTER_KEYS = (NEW,)
    client = Client()
    assert sign_in(client, "dpo")["Location"] == "/account/sign-in/code/"
    response = client.post("/account/sign-in/code/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "encryption keys are not set up correctly" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SignInAttempt.objects.filter(username="dpo", outcome="failed").exists()


def test_an_unfinished_enrolment_under_a_lost_key_starts_again(settings, make_user, client):
    settings.CONNEXION_MASTER_KEYS = (OLD,)
    user = make_user("somsri", language="en")
    client.force_login(user)
    assert client.get("/account/two-step/setup/").status_code == 200
    settings.CONNEXION_MASTER_KEYS = (NEW,)
    assert client.get("/account/two-step/setup/").status_code == 200
    assert MfaDevice.objects.get(user=user).secret  # sealed under NEW now


def test_rotation_reports_secrets_it_cannot_open(stored, settings, capsys):
    settings.CONNEXION_MASTER_KEYS = (NEW,)
    with pytest.raises(CommandError, match="1 two-step sign-in secret"):
        call_command("keys", "rotate")
    assert "Two-step secrets that cannot be opened: 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        ("not base64!", "key 1 is not valid base64"),
        (f"{generate_master_key()},c2hvcnQ=", "key 2 is 5 bytes long"),
    ],
)
def test_malformed_keys_stop_serve_with_a_clear_message(tmp_path, keys, said):
    result = run_cli(
        "serve", env={"CONNEXION_DATA_DIR": str(tmp_path), "CONNEXION_MASTER_KEYS": keys}
    )
    assert result.returncode == 2
    assert "configuration error: CONNEXION_MASTER_KEYS" in result.stderr and said in result.stderr
    assert "Traceback" not in result.stderr


def test_the_readme_says_how_much_is_checked_at_start():
    from connexion.ops.keycheck import FILES_CHECKED_AT_START

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"the first {FILES_CHECKED_AT_START:,} files" in " ".join(readme.split())
