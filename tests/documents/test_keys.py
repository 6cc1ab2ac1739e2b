"""`connexion keys encrypt-existing`: files stored before encryption at rest."""

from pathlib import Path

import pytest
from django.core.management import call_command

from connexion.documents.services import upload_document
from connexion.lib.crypto import MAGIC
from tests.documents.conftest import PDF

pytestmark = pytest.mark.django_db


def test_files_stored_before_encryption_are_encrypted_in_place(
    person, officer, media: Path, capsys
):
    document = upload_document(officer, person, kind="passport", data=PDF)
    path = media / document.file.name
    path.write_bytes(PDF)  # as an older version of Connexion left it
    stray = media / "imports" / "progress" / "7.json"
    stray.parent.mkdir(parents=True)
    stray.write_text('{"processed": 3}')

    call_command("keys", "encrypt-existing")
    out = capsys.readouterr().out
    assert "Encrypted now: 1" in out and "Failed: 0" in out
    assert path.read_bytes().startswith(MAGIC) and b"%PDF" not in path.read_bytes()
    with document.file.open("rb") as stream:
        assert stream.read() == PDF
    # Files no record points to are read by path elsewhere: left alone.
    assert stray.read_text() == '{"processed": 3}'

    call_command("keys", "encrypt-existing")
    assert "Encrypted now: 0" in capsys.readouterr().out
