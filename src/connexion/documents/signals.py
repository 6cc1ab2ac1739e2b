"""A deleted document takes its file with it, however the row was deleted (the
delete service, an erasure, a cascade from its person)."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from connexion.documents.models import IdentityDocument


@receiver(post_delete, sender=IdentityDocument)
def delete_stored_file(sender: Any, instance: IdentityDocument, **kwargs: Any) -> None:
    if not instance.file:
        return
    storage, name = instance.file.storage, instance.file.name
    # Only once the deletion is committed: a rolled-back delete keeps its file.
    transaction.on_commit(lambda: storage.delete(name))
