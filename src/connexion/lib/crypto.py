"""Envelope encryption of stored files (AES-256-GCM).

Each file gets its own random 256-bit data key. The data key encrypts the file
in chunks; a master key from configuration (`CONNEXION_MASTER_KEYS`) encrypts
("wraps") the data key, which is kept in the file's header. Rotating master
keys therefore rewrites only headers, never file contents.

File layout (all integers big-endian)::

    magic        8 bytes  b"CNXENC" + format version (2 bytes)
    key id       8 bytes  which master key wrapped the data key
    wrap nonce  12 bytes
    wrapped key 48 bytes  AES-GCM(master key, data key), AAD = magic + key id
    nonce prefix 7 bytes  random, per file
    chunk size   4 bytes  plaintext bytes per chunk
    chunks               AES-GCM(data key, chunk) + 16-byte tag each

A chunk's nonce is the prefix, the chunk's index (4 bytes) and a final-chunk
flag (1 byte), so chunks cannot be reordered, dropped from the end or
appended to without the tag check failing (the "STREAM" construction). The
chunks' AAD binds the magic, the prefix and the chunk size; not the wrapped
key, which must be replaceable.

Plain Python: no Django here, so that configuration can be checked before
Django starts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import secrets
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"CNXENC\x00\x01"
KEY_SIZE = 32
KEY_ID_SIZE = 8
NONCE_SIZE = 12
NONCE_PREFIX_SIZE = 7
TAG_SIZE = 16
WRAPPED_KEY_SIZE = KEY_SIZE + TAG_SIZE
DEFAULT_CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
_HEADER = struct.Struct(f">{len(MAGIC)}s{KEY_ID_SIZE}s{NONCE_SIZE}s{WRAPPED_KEY_SIZE}s7sI")
HEADER_SIZE = _HEADER.size
# Where the part that rotation replaces (key id, wrap nonce, wrapped key) lies.
_WRAP_START = len(MAGIC)
_WRAP_END = _WRAP_START + KEY_ID_SIZE + NONCE_SIZE + WRAPPED_KEY_SIZE

ENVIRONMENT_VARIABLE = "CONNEXION_MASTER_KEYS"


class StoredFileError(Exception):
    """A stored file cannot be decrypted. The message is for operators' logs;
    pages show their own translated text."""


class DamagedFile(StoredFileError):
    """The file fails its authentication: changed, truncated or extended."""


class NotEncrypted(StoredFileError):
    """The file does not start with Connexion's header (a foreign file)."""


class UnknownMasterKey(StoredFileError):
    """The file's data key was wrapped by a master key that is not configured."""


# --- master keys ---------------------------------------------------------------------


@dataclass(frozen=True)
class MasterKey:
    key: bytes

    @property
    def key_id(self) -> bytes:
        # A short hash names the key in file headers without revealing it.
        return hashlib.sha256(b"connexion-master-key-id:" + self.key).digest()[:KEY_ID_SIZE]

    @property
    def label(self) -> str:
        return self.key_id.hex()

    def __repr__(self) -> str:  # never print the key itself
        return f"MasterKey({self.label})"


def generate_master_key() -> str:
    """A new master key as CONNEXION_MASTER_KEYS takes it (base64 of 32 bytes)."""
    return base64.b64encode(secrets.token_bytes(KEY_SIZE)).decode("ascii")


def decode_master_key(text: str, position: int = 1) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"key {position} is not valid base64.") from None
    if len(key) != KEY_SIZE:
        raise ValueError(
            f"key {position} is {len(key)} bytes long; each key must be {KEY_SIZE} "
            "random bytes in base64 (see `connexion keys generate`)."
        )
    return key


def decode_master_keys(raw: str) -> tuple[bytes, ...]:
    """Comma-separated base64 keys, newest first. Raises ValueError saying which."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts:
        raise ValueError("holds no key.")
    keys = tuple(decode_master_key(part, position) for position, part in enumerate(parts, 1))
    if len(set(keys)) != len(keys):
        raise ValueError("lists the same key twice.")
    return keys


class Keyring:
    """The configured master keys, newest first: the first wraps new data keys,
    all of them unwrap."""

    def __init__(self, keys: Iterable[bytes]) -> None:
        self.keys = [MasterKey(key) for key in keys]
        if not self.keys:
            raise ValueError(f"{ENVIRONMENT_VARIABLE} holds no key.")
        self._by_id = {key.key_id: key for key in self.keys}

    @property
    def current(self) -> MasterKey:
        return self.keys[0]

    def get(self, key_id: bytes) -> MasterKey:
        try:
            return self._by_id[key_id]
        except KeyError:
            raise UnknownMasterKey(
                f"the file was encrypted under master key {key_id.hex()}, which is not in "
                f"{ENVIRONMENT_VARIABLE}"
            ) from None


# --- header --------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    key_id: bytes
    wrap_nonce: bytes
    wrapped_key: bytes
    nonce_prefix: bytes
    chunk_size: int

    def pack(self) -> bytes:
        return _HEADER.pack(
            MAGIC,
            self.key_id,
            self.wrap_nonce,
            self.wrapped_key,
            self.nonce_prefix,
            self.chunk_size,
        )

    @property
    def chunk_aad(self) -> bytes:
        return MAGIC + self.nonce_prefix + struct.pack(">I", self.chunk_size)


def is_encrypted(first_bytes: bytes) -> bool:
    return first_bytes[: len(MAGIC)] == MAGIC


def parse_header(data: bytes) -> Header:
    if not is_encrypted(data):
        raise NotEncrypted("the file does not start with Connexion's encryption header")
    if len(data) < HEADER_SIZE:
        raise DamagedFile("the file's encryption header is cut short")
    _magic, key_id, wrap_nonce, wrapped_key, prefix, chunk_size = _HEADER.unpack(data[:HEADER_SIZE])
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise DamagedFile("the file's encryption header names an impossible chunk size")
    return Header(key_id, wrap_nonce, wrapped_key, prefix, chunk_size)


def read_header(stream: BinaryIO) -> Header:
    stream.seek(0)
    return parse_header(stream.read(HEADER_SIZE))


def _wrap_aad(key_id: bytes) -> bytes:
    return MAGIC + key_id


def wrap_data_key(data_key: bytes, master: MasterKey) -> tuple[bytes, bytes]:
    nonce = os.urandom(NONCE_SIZE)
    return nonce, AESGCM(master.key).encrypt(nonce, data_key, _wrap_aad(master.key_id))


def unwrap_data_key(header: Header, keyring: Keyring) -> bytes:
    master = keyring.get(header.key_id)
    try:
        return AESGCM(master.key).decrypt(
            header.wrap_nonce, header.wrapped_key, _wrap_aad(header.key_id)
        )
    except InvalidTag:
        raise DamagedFile("the file's wrapped data key fails its authentication tag") from None


def rewrapped_header(header: Header, keyring: Keyring) -> Header:
    """The same data key, wrapped under the keyring's newest master key."""
    data_key = unwrap_data_key(header, keyring)
    nonce, wrapped = wrap_data_key(data_key, keyring.current)
    return Header(keyring.current.key_id, nonce, wrapped, header.nonce_prefix, header.chunk_size)


def _chunk_nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + struct.pack(">I?", index, final)


# --- writing -------------------------------------------------------------------------


class EncryptingWriter:
    """Encrypts what is written to it into `out`, one chunk at a time, so that
    memory holds at most two chunks whatever the file's size. `close()` writes
    the final chunk; without it the file fails to decrypt (as a truncated one)."""

    def __init__(
        self, out: BinaryIO, keyring: Keyring, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        data_key = AESGCM.generate_key(bit_length=KEY_SIZE * 8)
        wrap_nonce, wrapped = wrap_data_key(data_key, keyring.current)
        self._header = Header(
            keyring.current.key_id,
            wrap_nonce,
            wrapped,
            os.urandom(NONCE_PREFIX_SIZE),
            chunk_size,
        )
        self._aead = AESGCM(data_key)
        self._aad = self._header.chunk_aad
        self._out = out
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        self.plaintext_size = 0
        out.write(self._header.pack())

    def _emit(self, chunk: bytes, final: bool) -> None:
        nonce = _chunk_nonce(self._header.nonce_prefix, self._index, final)
        self._out.write(self._aead.encrypt(nonce, chunk, self._aad))
        self._index += 1

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed EncryptingWriter")
        self._buffer += data
        self.plaintext_size += len(data)
        size = self._header.chunk_size
        # Keep the last (possibly full) chunk back: it may turn out to be the final one.
        while len(self._buffer) > size:
            self._emit(bytes(self._buffer[:size]), final=False)
            del self._buffer[:size]
        return len(data)

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer = bytearray()
            self._closed = True


def encrypt_stream(
    chunks: Iterable[bytes],
    out: BinaryIO,
    keyring: Keyring,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Writes the encrypted form of `chunks` to `out`; returns the plaintext size."""
    writer = EncryptingWriter(out, keyring, chunk_size)
    for chunk in chunks:
        writer.write(chunk)
    writer.close()
    return writer.plaintext_size


def encrypt_bytes(data: bytes, keyring: Keyring, chunk_size: int = DEFAULT_CHUNK_SIZE) -> bytes:
    out = io.BytesIO()
    encrypt_stream([data], out, keyring, chunk_size)
    return out.getvalue()


# --- reading -------------------------------------------------------------------------


def _layout(header: Header, file_size: int) -> tuple[int, int]:
    """(number of chunks, plaintext size) of a file of this size, or DamagedFile."""
    body = file_size - HEADER_SIZE
    stride = header.chunk_size + TAG_SIZE
    if body < TAG_SIZE:
        raise DamagedFile("the file is cut short: it has no final chunk")
    count = -(-body // stride)
    last = body - (count - 1) * stride
    if last < TAG_SIZE:
        raise DamagedFile("the file's length does not match its chunks")
    return count, body - count * TAG_SIZE


def plaintext_size(stream: BinaryIO) -> int:
    """The decrypted size, from the header and the file length alone (no key needed)."""
    header = read_header(stream)
    stream.seek(0, io.SEEK_END)
    return _layout(header, stream.tell())[1]


class DecryptingReader(io.RawIOBase):
    """A seekable, read-only view of the plaintext of an encrypted file.

    Opening checks the header, unwraps the data key and authenticates the
    final chunk (so truncation and a wrong key fail at once); every other chunk
    is authenticated when it is first read. Only one decrypted chunk is held.
    """

    def __init__(self, raw: BinaryIO, keyring: Keyring) -> None:
        super().__init__()
        self._raw = raw
        try:
            self._header = read_header(raw)
            self._aead = AESGCM(unwrap_data_key(self._header, keyring))
            raw.seek(0, io.SEEK_END)
            self._file_size = raw.tell()
            self._count, self.size = _layout(self._header, self._file_size)
            self._cached: tuple[int, bytes] | None = None
            self._chunk(self._count - 1)
        except BaseException:
            raw.close()
            raise
        self._position = 0

    @property
    def key_id(self) -> bytes:
        return self._header.key_id

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        stride = self._header.chunk_size + TAG_SIZE
        offset = HEADER_SIZE + index * stride
        length = min(stride, self._file_size - offset)
        self._raw.seek(offset)
        data = self._raw.read(length)
        if len(data) != length:
            raise DamagedFile("the file changed length while being read")
        final = index == self._count - 1
        nonce = _chunk_nonce(self._header.nonce_prefix, index, final)
        try:
            plain = self._aead.decrypt(nonce, data, self._header.chunk_aad)
        except InvalidTag:
            raise DamagedFile(
                f"chunk {index} of the file fails its authentication tag "
                "(the file was changed, truncated or belongs elsewhere)"
            ) from None
        self._cached = (index, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("read from a closed file")
        if self._position >= self.size or len(buffer) == 0:
            return 0
        index, offset = divmod(self._position, self._header.chunk_size)
        chunk = self._chunk(index)
        count = min(len(buffer), len(chunk) - offset)
        buffer[:count] = chunk[offset : offset + count]
        self._position += count
        return count

    def read(self, size: int | None = -1) -> bytes:
        # Whole reads, not the short reads a raw stream may give: zipfile (XLSX)
        # and other readers take a short read for the end of the file.
        if size is None or size < 0:
            return self.readall()
        size = min(size, max(0, self.size - self._position))
        buffer = bytearray(size)
        view = memoryview(buffer)
        filled = 0
        while filled < size:
            count = self.readinto(view[filled:])
            if not count:
                break
            filled += count
        view.release()
        return bytes(buffer[:filled])

    def readall(self) -> bytes:
        parts = []
        while self._position < self.size:
            index, offset = divmod(self._position, self._header.chunk_size)
            part = self._chunk(index)[offset:]
            parts.append(part)
            self._position += len(part)
        return b"".join(parts)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        elif whence == io.SEEK_END:
            position = self.size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
            self._cached = None
        super().close()


def decrypt_bytes(data: bytes, keyring: Keyring) -> bytes:
    with DecryptingReader(io.BytesIO(data), keyring) as reader:
        return reader.read()


# --- short secrets kept in the database ------------------------------------------------


def seal_text(text: str, keyring: Keyring) -> str:
    """A short secret (e.g. a TOTP seed) encrypted like a stored file, as ASCII for
    a text column."""
    return base64.b64encode(encrypt_bytes(text.encode(), keyring)).decode("ascii")


def open_text(sealed: str, keyring: Keyring) -> str:
    return decrypt_bytes(base64.b64decode(sealed), keyring).decode()


def sealed_key_id(sealed: str) -> bytes:
    """The master key a sealed text is wrapped under."""
    return parse_header(base64.b64decode(sealed)[:HEADER_SIZE]).key_id


def verify(stream: BinaryIO, keyring: Keyring) -> None:
    """Authenticates every chunk; raises StoredFileError if any fails."""
    reader = DecryptingReader(stream, keyring)
    try:
        for index in range(reader._count):
            reader._chunk(index)
    finally:
        reader.close()
