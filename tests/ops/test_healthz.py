import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["database_vendor"] in {"sqlite", "postgresql"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "database_url",
    ["postgresql://postgres@127.0.0.1:1/connexion", "sqlite:////nonexistent/folder/db.sqlite3"],
)
def test_healthz_is_503_when_the_database_is_unreachable(tmp_path, database_url):
    # A separate process whose database really is out of reach.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONNEXION_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "connexion.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["database"] == "unavailable"
