from base64 import b64decode
from collections import Counter
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import FileField

from connexion.accounts.mfa import rewrap_secrets
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.lib.crypto import MasterKey, generate_master_key
from connexion.lib.storage import EncryptedFileSystemStorage, configured_keyring
from connexion.lib.storage import rotate as rotate_keys
from connexion.ops.keycheck import check_stored_data


def _storage() -> EncryptedFileSystemStorage:
    if not isinstance(default_storage, EncryptedFileSystemStorage):
        raise CommandError("The default file storage is not Connexion's encrypted storage.")
    return default_storage


class Command(BaseCommand):
    help = (
        "Master keys of the encrypted file storage (CONNEXION_MASTER_KEYS): "
        "`keys generate` prints a new key, `keys status [--verify]` counts the files per key, "
        "`keys rotate` re-wraps every file's data key under the newest key (safe while "
        "Connexion runs), `keys encrypt-existing` encrypts files stored before encryption."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("generate", help="Print a new random master key.")
        status = actions.add_parser("status", help="How many stored files each key protects.")
        status.add_argument(
            "--verify",
            action="store_true",
            help="Also decrypt every file to check that none is damaged (reads everything).",
        )
        actions.add_parser(
            "rotate", help="Re-wrap every stored file's data key under the newest master key."
        )
        actions.add_parser(
            "encrypt-existing",
            help="Encrypt the files that records point to but that were stored before "
            "encryption at rest was turned on.",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "generate":
            self.generate()
        elif action == "status":
            self.status(verify=options["verify"])
        elif action == "encrypt-existing":
            self.encrypt_existing()
        else:
            self.rotate()

    def generate(self) -> None:
        key = generate_master_key()
        self.stdout.write(key)
        self.stderr.write(
            f"Key id {MasterKey(b64decode(key)).label}. Put it first in CONNEXION_MASTER_KEYS, "
            "keep the older keys after it, restart, run `connexion keys rotate`, and only "
            "then remove the old keys. Keep a copy: files cannot be read without their key."
        )

    def status(self, *, verify: bool) -> None:
        _storage()
        check = check_stored_data(verify_files=verify)
        files, secrets = Counter(check.files), Counter(check.secrets)
        self.stdout.write("Master keys, newest first:")
        for position, key in enumerate(check.keys):
            note = " (newest: new files use it)" if position == 0 else ""
            self.stdout.write(f"  {key.label}  {files.pop(key.label, 0)} file(s){note}")
        self.stdout.write("Two-step sign-in secrets:")
        for key in check.keys:
            self.stdout.write(f"  {key.label}  {secrets.pop(key.label, 0)} secret(s)")
        for key_id in sorted(check.missing_keys):
            self.stdout.write(f"  {key_id}  NOT CONFIGURED: what it encrypted cannot be read")
        self.stdout.write(f"Not encrypted: {len(check.not_encrypted)}")
        for name in check.not_encrypted:
            self.stdout.write(f"  {name}")
        if check.unreadable or verify:
            self.stdout.write(f"Damaged or unreadable: {len(check.unreadable)}")
            for _what, reason in check.unreadable:
                self.stdout.write(f"  {reason}")
        if not check.ok:
            raise CommandError(check.summary())
        self.stdout.write("The configured keys open all stored data.")

    def rotate(self) -> None:
        storage = _storage()
        newest = configured_keyring().current.label
        report = rotate_keys(storage)
        secrets, secrets_failed = rewrap_secrets()
        self.stdout.write(f"Newest master key: {newest}")
        self.stdout.write(f"Re-wrapped: {len(report.rewrapped)}")
        self.stdout.write(f"Already current: {len(report.current)}")
        self.stdout.write(f"Not encrypted (left as they are): {len(report.not_encrypted)}")
        for name in report.not_encrypted:
            self.stdout.write(f"  {name}")
        self.stdout.write(f"Failed: {len(report.failed)}")
        for _name, reason in report.failed:
            self.stdout.write(f"  {reason}")
        self.stdout.write(f"Two-step sign-in secrets re-wrapped: {secrets}")
        if secrets_failed:
            self.stdout.write(f"Two-step secrets that cannot be opened: {len(secrets_failed)}")
            for reason in secrets_failed:
                self.stdout.write(f"  {reason}")
        record_change(
            None,
            "keys.rotate",
            None,
            {
                "master_key": newest,
                "rewrapped": len(report.rewrapped),
                "already_current": len(report.current),
                "two_step_secrets": secrets,
                "failed": [name for name, _reason in report.failed],
                "two_step_secrets_failed": len(secrets_failed),
            },
            channel=AuditEvent.Channel.COMMAND,
        )
        if report.failed or secrets_failed:
            raise CommandError(
                f"{len(report.failed)} file(s) and {len(secrets_failed)} two-step sign-in "
                "secret(s) could not be re-wrapped."
            )

    def encrypt_existing(self) -> None:
        storage = _storage()
        encrypted, already, missing = 0, 0, []
        failed: list[str] = []
        # Only files that a record points to: other files in the folder (import
        # progress counters) are read by path and must stay as they are.
        for name in sorted(_referenced_names(storage)):
            try:
                if storage.encrypt_in_place(name):
                    encrypted += 1
                else:
                    already += 1
            except FileNotFoundError:
                missing.append(name)
            except OSError as exc:
                failed.append(f"{name}: {exc}")
        self.stdout.write(f"Encrypted now: {encrypted}")
        self.stdout.write(f"Already encrypted: {already}")
        self.stdout.write(f"Missing (the record points to no file): {len(missing)}")
        for name in missing:
            self.stdout.write(f"  {name}")
        self.stdout.write(f"Failed: {len(failed)}")
        for line in failed:
            self.stdout.write(f"  {line}")
        record_change(
            None,
            "keys.encrypt_existing",
            None,
            {"encrypted": encrypted, "missing": missing, "failed": failed},
            channel=AuditEvent.Channel.COMMAND,
        )
        if failed:
            raise CommandError(f"{len(failed)} file(s) could not be encrypted.")


def _referenced_names(storage: EncryptedFileSystemStorage) -> set[str]:
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField) and field.storage is storage:
                values = model._default_manager.exclude(**{field.name: ""}).values_list(
                    field.name, flat=True
                )
                names.update(value for value in values if value)
    return names
