"""Receiving an identity document without writing it to disk in plaintext.

Django keeps uploads over 2.5 MB in a temporary file; an ID-card photo must not
lie unencrypted in /tmp. This handler keeps the upload in memory up to the
limit and, past it, counts the bytes without keeping them, so the form can say
how large the file was while memory stays bounded."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers

from connexion.documents.content import MAX_BYTES


class BoundedMemoryUploadHandler(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        self.received = 0
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        room = MAX_BYTES + 1 - self.file.tell()
        if room > 0:
            self.file.write(raw_data[:room])

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        # The real size, even when the content was cut: the form refuses it by size.
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
