import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from connexion.accounts.models import User
from connexion.cli import COMMANDS
from connexion.people.models import Organization, Person


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connexion.cli", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_and_explains_every_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for name in ["up", "serve", "worker", "migrate", "demo", "createadmin", "token"]:
        assert name in COMMANDS
        assert f"  {name} " in result.stdout
    assert "DATABASE_URL" in result.stdout and "SECRET_KEY" in result.stdout


@pytest.mark.parametrize("command", ["up", "serve", "worker", "demo", "createadmin", "token"])
def test_each_command_has_its_own_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        "CONNEXION_MODE": "production",
        "ALLOWED_HOSTS": "crm.example.co.th",
        "SECRET_KEY": "",
        "CONNEXION_DATA_DIR": str(tmp_path),
    }
    result = run_cli("serve", env=env)
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_createadmin_prints_a_generated_password(capsys):
    call_command("createadmin", "--username", "boss")
    output = capsys.readouterr().out
    password = output.split("Password: ")[1].strip()
    user = User.objects.get(username="boss")
    assert user.check_password(password) and user.groups.filter(name="admin").exists()
    call_command("createadmin", "--username", "boss2")
    assert capsys.readouterr().out.split("Password: ")[1].strip() != password


@pytest.mark.django_db
def test_demo_data_is_thai_and_loaded_once(capsys):
    call_command("demo", "--people", "30", "--organizations", "4", "--if-empty")
    assert Person.objects.count() == 30 and Organization.objects.count() == 4
    call_command("demo", "--if-empty")
    assert "skipped" in capsys.readouterr().out
    assert Person.objects.count() == 30
    thai = Person.objects.exclude(first_name_th="").first()
    assert thai.first_name_en and thai.phonenumbers.get().number.startswith("+66")
    assert Organization.objects.filter(name_th__startswith="บริษัท").count() == 4
    # The privacy queue has requests at different points of their 30-day clock.
    from connexion.privacy.models import SubjectRequest

    statuses = set(SubjectRequest.objects.values_list("status", flat=True))
    assert {"received", "in_progress", "rejected"} <= statuses
    assert SubjectRequest.objects.filter(due_at__lt=timezone.now(), status="received").exists()
