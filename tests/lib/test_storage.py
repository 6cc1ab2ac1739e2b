"""The default storage encrypts every file at rest; `connexion keys` rotates the
master keys under it."""

import base64
import io
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management import CommandError, call_command

from connexion.audit.models import AuditEvent
from connexion.lib.crypto import HEADER_SIZE, DamagedFile, MasterKey, UnknownMasterKey
from connexion.lib.storage import EncryptedFileSystemStorage

OLD, NEW = os.urandom(32), os.urandom(32)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\nPLAINTEXT-MARKER\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"PLAINTEXT-MARKER" * 50
JPEG = b"\xff\xd8\xff\xe0" + b"PLAINTEXT-MARKER" * 5000  # several chunks


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONNEXION_MASTER_KEYS = (OLD,)
    return settings.MEDIA_ROOT


def raw(media: Path, name: str) -> bytes:
    return (media / name).read_bytes()


def test_every_file_is_encrypted_on_disk_and_decrypted_on_open(media):
    assert isinstance(default_storage, EncryptedFileSystemStorage)
    for name, content in [("a/scan.pdf", PDF), ("a/photo.png", PNG), ("a/id.jpg", JPEG)]:
        stored = default_storage.save(name, ContentFile(content))
        on_disk = raw(media, stored)
        assert not on_disk.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff"))
        assert b"PLAINTEXT-MARKER" not in on_disk
        assert default_storage.size(stored) == len(content)
        with default_storage.open(stored) as stream:
            assert stream.read() == content


def test_text_content_and_a_temporary_upload_are_encrypted_too(media):
    stored = default_storage.save("notes.txt", ContentFile("ข้อความ PLAINTEXT-MARKER"))
    assert b"PLAINTEXT-MARKER" not in raw(media, stored)
    assert default_storage.open(stored).read().decode() == "ข้อความ PLAINTEXT-MARKER"

    upload = TemporaryUploadedFile("big.pdf", "application/pdf", len(PDF), None)
    upload.write(PDF)
    upload.seek(0)
    stored = default_storage.save("uploads/big.pdf", upload)
    # Never moved into place as it is: the temporary file is plaintext.
    assert os.path.exists(upload.temporary_file_path())
    assert b"PLAINTEXT-MARKER" not in raw(media, stored)
    upload.close()


def test_a_stored_file_reopens_through_the_storage(media):
    stored = default_storage.save("x.pdf", ContentFile(PDF))
    opened = default_storage.open(stored)
    opened.close()
    # FieldFile.open() reopens a closed file: it must decrypt again, not read the path.
    assert opened.open().read() == PDF


def test_a_damaged_file_raises_a_clear_error_naming_it(media):
    stored = default_storage.save("evidence/form.pdf", ContentFile(JPEG))
    path = media / stored
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 70_000] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedFile, match=r"evidence/form\.pdf"), default_storage.open(stored) as f:
        f.read()
    with pytest.raises(DamagedFile, match="authentication tag"):
        default_storage.verify(stored)

    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DamagedFile):
        default_storage.open(stored)


def test_opening_for_writing_is_refused(media):
    stored = default_storage.save("x.pdf", ContentFile(PDF))
    with pytest.raises(ValueError, match="save"):
        default_storage.open(stored, "wb")


@pytest.mark.django_db
def test_rotation_rewraps_every_file_and_reports_counts(media, settings, capsys):
    names = [default_storage.save(f"f/{n}.pdf", ContentFile(PDF + bytes([n]))) for n in range(3)]
    before = {name: raw(media, name) for name in names}
    (media / "f" / "foreign.txt").write_bytes(b"not ours")

    # The new key first, the old one kept: old files stay readable meanwhile.
    settings.CONNEXION_MASTER_KEYS = (NEW, OLD)
    assert default_storage.open(names[0]).read() == PDF + b"\x00"
    written_under_new = default_storage.save("f/new.pdf", ContentFile(PDF))

    call_command("keys", "status")
    status = capsys.readouterr().out
    assert f"{MasterKey(NEW).label}  1 file(s) (newest" in status
    assert f"{MasterKey(OLD).label}  3 file(s)" in status
    assert "Not encrypted: 1" in status and "f/foreign.txt" in status

    call_command("keys", "rotate")
    out = capsys.readouterr().out
    assert "Re-wrapped: 3" in out and "Already current: 1" in out and "Failed: 0" in out
    for name in names:
        after = raw(media, name)
        # Only the header changed: the data was not re-encrypted.
        assert after[HEADER_SIZE:] == before[name][HEADER_SIZE:]
        assert after[:HEADER_SIZE] != before[name][:HEADER_SIZE]
    assert not [p for p in (media / "f").iterdir() if p.name.startswith(".rewrap-")]
    event = AuditEvent.objects.get(action="keys.rotate")
    assert event.details["rewrapped"] == 3 and event.channel == "command"

    call_command("keys", "rotate")
    assert "Re-wrapped: 0" in capsys.readouterr().out

    # The old key can now go.
    settings.CONNEXION_MASTER_KEYS = (NEW,)
    for name in [*names, written_under_new]:
        assert default_storage.open(name).read().startswith(PDF)
    call_command("keys", "status", "--verify")
    assert "Damaged or unreadable: 0" in capsys.readouterr().out


@pytest.mark.django_db
def test_rotation_reports_files_it_cannot_rewrap_and_goes_on(media, settings, capsys):
    good = default_storage.save("good.pdf", ContentFile(PDF))
    bad = default_storage.save("bad.pdf", ContentFile(PDF))
    path = media / bad
    data = bytearray(path.read_bytes())
    data[40] ^= 0x01  # the wrapped data key
    path.write_bytes(bytes(data))
    settings.CONNEXION_MASTER_KEYS = (NEW, OLD)
    with pytest.raises(CommandError, match="1 file"):
        call_command("keys", "rotate")
    out = capsys.readouterr().out
    assert "Re-wrapped: 1" in out and "Failed: 1" in out and "bad.pdf" in out
    settings.CONNEXION_MASTER_KEYS = (NEW,)
    assert default_storage.open(good).read() == PDF


def test_a_file_under_a_key_no_longer_configured_is_reported(media, settings):
    stored = default_storage.save("x.pdf", ContentFile(PDF))
    settings.CONNEXION_MASTER_KEYS = (NEW,)
    with pytest.raises(UnknownMasterKey, match=MasterKey(OLD).label):
        default_storage.open(stored)


def test_keys_generate_prints_a_usable_key(capsys):
    call_command("keys", "generate")
    captured = capsys.readouterr()
    key = base64.b64decode(captured.out.strip(), validate=True)
    assert len(key) == 32
    assert MasterKey(key).label in captured.err


def test_a_csv_and_an_xlsx_read_through_the_storage(media):
    """What imports do: CSV as text, XLSX through zipfile (seeks and exact reads)."""
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    for row in range(2000):
        book.active.append([f"ชื่อ {row}", f"person{row}@example.co.th", row])
    buffer = io.BytesIO()
    book.save(buffer)
    stored = default_storage.save("imports/people.xlsx", ContentFile(buffer.getvalue()))
    with default_storage.open(stored) as stream:
        sheet = load_workbook(stream, read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2000 and rows[-1] == ("ชื่อ 1999", "person1999@example.co.th", 1999)
