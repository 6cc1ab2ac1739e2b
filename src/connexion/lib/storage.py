"""The default file storage: Django's file-system storage with every file
encrypted at rest (envelope encryption, `connexion.lib.crypto`).

Files are encrypted as they are written, chunk by chunk, and decrypted as they
are read through `storage.open()` (a seekable file, so CSV, XLSX and images
read as before). A path-based read (`open(field.path)`) gets ciphertext: always
go through the storage. A file that fails its authentication raises a
`StoredFileError` subclass naming the file.
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_makedirs

from connexion.lib import crypto
from connexion.lib.crypto import StoredFileError

# Rotation writes next to the file it replaces; walks skip these.
ROTATION_TEMP_PREFIX = ".rewrap-"
_COPY_BLOCK = 1024 * 1024


@functools.lru_cache(maxsize=8)
def _keyring(keys: tuple[bytes, ...]) -> crypto.Keyring:
    return crypto.Keyring(keys)


def configured_keyring() -> crypto.Keyring:
    return _keyring(tuple(settings.CONNEXION_MASTER_KEYS))


def _named(exc: StoredFileError, name: str) -> StoredFileError:
    """The same kind of error, saying which stored file it is about."""
    return type(exc)(f"{name}: {exc}")


class EncryptedFile(File):
    """A decrypted stored file. Reopening it (as FieldFile.open does after a
    close) decrypts again through the storage, never reads the path."""

    def __init__(self, reader: crypto.DecryptingReader, name: str, storage: Any) -> None:
        super().__init__(reader, name=name)
        self._storage = storage

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> EncryptedFile:
        if not self.closed:
            self.seek(0)
        else:
            self.file = self._storage._open(self.name, mode or "rb").file
        return self


class EncryptedFileSystemStorage(FileSystemStorage):
    def keyring(self) -> crypto.Keyring:
        return configured_keyring()

    # --- reading ---------------------------------------------------------------------

    def _open(self, name: str, mode: str = "rb") -> File:
        if any(flag in mode for flag in "wa+x"):
            raise ValueError("Encrypted files are written with save(), not opened for writing.")
        raw = open(self.path(name), "rb")  # noqa: SIM115 (the reader owns and closes it)
        try:
            reader = crypto.DecryptingReader(raw, self.keyring())
        except StoredFileError as exc:
            raise _named(exc, name) from None
        return EncryptedFile(reader, name, self)

    def size(self, name: str) -> int:
        with open(self.path(name), "rb") as raw:
            try:
                return crypto.plaintext_size(raw)
            except StoredFileError as exc:
                raise _named(exc, name) from None

    def verify(self, name: str) -> None:
        """Authenticates the whole file (every chunk): call before streaming a file
        to someone, so that damage is reported before the first byte is sent."""
        try:
            crypto.verify(open(self.path(name), "rb"), self.keyring())  # noqa: SIM115
        except StoredFileError as exc:
            raise _named(exc, name) from None

    # --- writing ---------------------------------------------------------------------

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        keyring = self.keyring()
        while True:
            try:
                # O_EXCL: two uploads given the same name must not overwrite each other.
                # Unlike Django's storage, an upload's temporary file is never moved
                # into place: it is plaintext.
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                if self._allow_overwrite:
                    flags = flags & ~os.O_EXCL | os.O_TRUNC
                fd = os.open(full_path, flags, 0o666)
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)
                continue
            try:
                with os.fdopen(fd, "wb") as out:
                    writer = crypto.EncryptingWriter(out, keyring)
                    for chunk in content.chunks():
                        writer.write(chunk.encode() if isinstance(chunk, str) else chunk)
                    writer.close()
            except BaseException:
                # Nothing half-written is left behind.
                os.unlink(full_path)
                raise
            break
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        name = os.path.relpath(full_path, self.location)
        self._ensure_location_group_id(full_path)
        return str(name).replace("\\", "/")

    # --- keys --------------------------------------------------------------------------

    def stored_names(self) -> Iterator[str]:
        """Every file under the storage's folder, as storage names."""
        for directory, folders, files in os.walk(self.location):
            folders.sort()
            for file_name in sorted(files):
                if file_name.startswith(ROTATION_TEMP_PREFIX):
                    continue
                full = os.path.join(directory, file_name)
                yield os.path.relpath(full, self.location).replace("\\", "/")

    def key_id(self, name: str) -> str | None:
        """The id of the master key that wraps this file's data key; None if the
        file is not encrypted at all."""
        with open(self.path(name), "rb") as raw:
            first = raw.read(crypto.HEADER_SIZE)
        if not crypto.is_encrypted(first):
            return None
        try:
            return crypto.parse_header(first).key_id.hex()
        except StoredFileError as exc:
            raise _named(exc, name) from None

    def rewrap(self, name: str) -> bool:
        """Re-wraps the file's data key under the newest master key. Only the header
        changes; the new file replaces the old in one rename, so readers see the
        old file or the new one, never a mix. False if it was already current."""
        keyring = self.keyring()
        path = self.path(name)
        with open(path, "rb") as source:
            try:
                header = crypto.read_header(source)
                if header.key_id == keyring.current.key_id:
                    return False
                new_header = crypto.rewrapped_header(header, keyring)
            except StoredFileError as exc:
                raise _named(exc, name) from None
            fd, temporary = tempfile.mkstemp(prefix=ROTATION_TEMP_PREFIX, dir=os.path.dirname(path))
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(new_header.pack())
                    source.seek(crypto.HEADER_SIZE)
                    shutil.copyfileobj(source, out, _COPY_BLOCK)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
                if not os.path.exists(path):
                    # Deleted meanwhile (e.g. by an erasure): do not bring it back.
                    os.unlink(temporary)
                    return False
                os.replace(temporary, path)
            except BaseException:
                if os.path.exists(temporary):
                    os.unlink(temporary)
                raise
        return True

    def encrypt_in_place(self, name: str) -> bool:
        """Encrypts a file stored before encryption was turned on, replacing it in
        one rename. False if it was already encrypted."""
        keyring = self.keyring()
        path = self.path(name)
        with open(path, "rb") as source:
            if crypto.is_encrypted(source.read(crypto.HEADER_SIZE)):
                return False
            source.seek(0)
            fd, temporary = tempfile.mkstemp(prefix=ROTATION_TEMP_PREFIX, dir=os.path.dirname(path))
            try:
                with os.fdopen(fd, "wb") as out:
                    writer = crypto.EncryptingWriter(out, keyring)
                    while block := source.read(_COPY_BLOCK):
                        writer.write(block)
                    writer.close()
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
                os.replace(temporary, path)
            except BaseException:
                if os.path.exists(temporary):
                    os.unlink(temporary)
                raise
        return True


@dataclass
class RotationReport:
    rewrapped: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    not_encrypted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def rotate(storage: EncryptedFileSystemStorage) -> RotationReport:
    """Re-wraps every stored file under the newest master key, file by file; a
    file that cannot be re-wrapped is reported and the others go on."""
    report = RotationReport()
    for name in storage.stored_names():
        try:
            if storage.key_id(name) is None:
                report.not_encrypted.append(name)
            elif storage.rewrap(name):
                report.rewrapped.append(name)
            else:
                report.current.append(name)
        except FileNotFoundError:
            continue  # deleted while we walked
        except (StoredFileError, OSError) as exc:
            report.failed.append((name, str(exc)))
    return report
