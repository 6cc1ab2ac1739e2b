"""Whether the configured master keys open the data stored under them: the
encrypted files and the two-step sign-in secrets in the database.

`connexion keys status` reports it in full; `connexion serve` and `up` check
before serving, so that a lost or wrong key is an operator's error at start,
never a failure in the middle of someone's sign-in."""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import DatabaseError, connection

from connexion.accounts.models import MfaDevice
from connexion.lib import crypto
from connexion.lib.crypto import StoredFileError
from connexion.lib.storage import EncryptedFileSystemStorage, configured_keyring

# Enough at start to notice a missing key (it affects every file written under
# it) without reading the headers of every file of a large installation.
FILES_CHECKED_AT_START = 1000


@dataclass
class KeyCheck:
    keys: list[crypto.MasterKey]
    files: Counter[str] = field(default_factory=Counter)
    secrets: Counter[str] = field(default_factory=Counter)
    not_encrypted: list[str] = field(default_factory=list)
    # What cannot be opened: (what, why); the key ids that are missing.
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    missing_keys: set[str] = field(default_factory=set)
    files_left_unchecked: bool = False

    @property
    def ok(self) -> bool:
        return not self.unreadable

    def summary(self) -> str:
        """One paragraph for an operator: what cannot be opened and what to do."""
        files = sum(1 for what, _why in self.unreadable if not what.startswith("two-step"))
        secrets = len(self.unreadable) - files
        parts = []
        if files:
            parts.append(f"{files} stored file(s)")
        if secrets:
            parts.append(f"{secrets} two-step sign-in secret(s)")
        text = (
            f"The master keys in {crypto.ENVIRONMENT_VARIABLE} cannot open {' and '.join(parts)}."
        )
        if self.missing_keys:
            text += (
                f" They were encrypted under master key(s) {', '.join(sorted(self.missing_keys))}, "
                f"which {crypto.ENVIRONMENT_VARIABLE} does not hold (configured: "
                f"{', '.join(key.label for key in self.keys)}). Put the missing key back in "
                f"{crypto.ENVIRONMENT_VARIABLE} (newest first, older keys after it)."
            )
        else:
            text += " They fail their authentication: they were damaged or replaced."
        return text + " `connexion keys status` lists what is affected."


def _check_file(
    storage: EncryptedFileSystemStorage, name: str, keyring: crypto.Keyring, verify: bool
) -> str | None:
    """The key id of the file (None: not encrypted), after proving the key opens it."""
    with open(storage.path(name), "rb") as raw:
        first = raw.read(crypto.HEADER_SIZE)
    if not crypto.is_encrypted(first):
        return None
    header = crypto.parse_header(first)
    crypto.unwrap_data_key(header, keyring)
    if verify:
        storage.verify(name)
    return header.key_id.hex()


def _check_files(report: KeyCheck, limit: int | None, verify: bool) -> None:
    if not isinstance(default_storage, EncryptedFileSystemStorage):
        return
    keyring = configured_keyring()
    for index, name in enumerate(default_storage.stored_names()):
        if limit is not None and index >= limit:
            report.files_left_unchecked = True
            return
        try:
            key_id = _check_file(default_storage, name, keyring, verify)
        except FileNotFoundError:
            continue  # deleted while we walked
        except crypto.UnknownMasterKey as exc:
            report.missing_keys.add(_key_id_of_file(default_storage, name))
            report.unreadable.append((name, str(exc)))
            continue
        except (StoredFileError, OSError) as exc:
            report.unreadable.append((name, f"{name}: {exc}"))
            continue
        if key_id is None:
            report.not_encrypted.append(name)
        else:
            report.files[key_id] += 1


def _key_id_of_file(storage: EncryptedFileSystemStorage, name: str) -> str:
    return storage.key_id(name) or ""


def _check_secrets(report: KeyCheck) -> None:
    if MfaDevice._meta.db_table not in connection.introspection.table_names():
        return  # not migrated yet: nothing stored
    keyring = configured_keyring()
    for pk, sealed in MfaDevice.objects.order_by("pk").values_list("pk", "sealed_secret"):
        what = f"two-step sign-in secret of authenticator {pk}"
        try:
            key_id = crypto.sealed_key_id(sealed).hex()
            crypto.open_text(sealed, keyring)
        except crypto.UnknownMasterKey as exc:
            report.missing_keys.add(crypto.sealed_key_id(sealed).hex())
            report.unreadable.append((what, f"{what}: {exc}"))
            continue
        except (StoredFileError, ValueError) as exc:
            report.unreadable.append((what, f"{what}: {exc}"))
            continue
        report.secrets[key_id] += 1


def check_stored_data(*, file_limit: int | None = None, verify_files: bool = False) -> KeyCheck:
    """Opens every two-step secret and the data key of every stored file (up to
    `file_limit`), with the configured keys; `verify_files` also decrypts each
    file whole."""
    report = KeyCheck(keys=list(configured_keyring().keys))
    # No database to read: the health check and the first page say so.
    with contextlib.suppress(DatabaseError):
        _check_secrets(report)
    _check_files(report, file_limit, verify_files)
    return report


def refuse_to_start_without_keys() -> None:
    """Raises CommandError (a clear message, no traceback) when the configured
    keys do not open what is stored: `serve` and `up` call it before serving."""
    from django.core.management.base import CommandError

    check = check_stored_data(file_limit=FILES_CHECKED_AT_START)
    if not check.ok:
        raise CommandError(f"Connexion does not start. {check.summary()}")
