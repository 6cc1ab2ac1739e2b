"""Envelope encryption of stored files: round trips, and every way a file can be
damaged, cut, extended, reordered or read with the wrong key is detected."""

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connexion.lib import crypto
from connexion.lib.crypto import (
    HEADER_SIZE,
    TAG_SIZE,
    DamagedFile,
    DecryptingReader,
    Keyring,
    NotEncrypted,
    StoredFileError,
    UnknownMasterKey,
    decrypt_bytes,
    encrypt_bytes,
)

OLD, NEW = os.urandom(32), os.urandom(32)
CHUNK = 64  # small chunks, so that short test data spans many of them
MARKER = b"PLAINTEXT-MARKER-3.3"


def keyring(*keys: bytes) -> Keyring:
    return Keyring(keys or (OLD,))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=5 * CHUNK + 7), st.sampled_from([1, 16, CHUNK, 1000]))
def test_any_data_comes_back_the_same(data: bytes, chunk_size: int):
    encrypted = encrypt_bytes(data, keyring(), chunk_size)
    assert decrypt_bytes(encrypted, keyring()) == data


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])
def test_sizes_around_chunk_boundaries(size: int):
    data = os.urandom(size)
    encrypted = encrypt_bytes(data, keyring(), CHUNK)
    chunks = max(1, -(-size // CHUNK))
    assert len(encrypted) == HEADER_SIZE + size + chunks * TAG_SIZE
    assert crypto.plaintext_size(io.BytesIO(encrypted)) == size
    assert decrypt_bytes(encrypted, keyring()) == data


def test_the_ciphertext_shows_nothing_of_the_plaintext():
    data = MARKER * 200
    encrypted = encrypt_bytes(data, keyring(), CHUNK)
    assert MARKER not in encrypted
    assert MARKER[:8] not in encrypted
    # Two encryptions of the same data differ: a data key and nonces per file.
    assert encrypt_bytes(data, keyring(), CHUNK)[HEADER_SIZE:] != encrypted[HEADER_SIZE:]


def test_the_reader_seeks_and_reads_anywhere():
    data = bytes(range(256)) * 10
    reader = DecryptingReader(io.BytesIO(encrypt_bytes(data, keyring(), CHUNK)), keyring())
    assert reader.size == len(data)
    reader.seek(CHUNK * 3 + 5)
    assert reader.read(100) == data[CHUNK * 3 + 5 : CHUNK * 3 + 105]
    reader.seek(-10, io.SEEK_END)
    assert reader.read() == data[-10:]
    assert reader.read(5) == b""
    reader.seek(0)
    assert reader.read() == data
    reader.close()


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize(
    "position",
    [
        8,  # key id
        16,  # wrap nonce
        40,  # wrapped data key
        HEADER_SIZE - 6,  # nonce prefix
        HEADER_SIZE - 1,  # chunk size
        HEADER_SIZE,  # first chunk
        HEADER_SIZE + CHUNK + TAG_SIZE + 3,  # a middle chunk
        -1,  # the final chunk's tag
    ],
)
def test_a_single_changed_byte_anywhere_is_detected(position: int):
    encrypted = encrypt_bytes(os.urandom(4 * CHUNK + 10), keyring(), CHUNK)
    with pytest.raises(StoredFileError):
        decrypt_bytes(_flip(encrypted, position), keyring())


@pytest.mark.parametrize("cut", [1, TAG_SIZE, CHUNK + TAG_SIZE, 10 + TAG_SIZE])
def test_a_truncated_file_is_detected(cut: int):
    # 10 + TAG_SIZE removes exactly the final chunk: what is left ends on a
    # chunk boundary and only the final-chunk flag gives the cut away.
    encrypted = encrypt_bytes(os.urandom(4 * CHUNK + 10), keyring(), CHUNK)
    with pytest.raises(DamagedFile):
        decrypt_bytes(encrypted[:-cut], keyring())


def test_a_file_cut_to_its_header_is_detected():
    encrypted = encrypt_bytes(b"x" * 100, keyring(), CHUNK)
    with pytest.raises(DamagedFile):
        decrypt_bytes(encrypted[:HEADER_SIZE], keyring())
    with pytest.raises(DamagedFile):
        decrypt_bytes(encrypted[: HEADER_SIZE - 3], keyring())


def test_appended_or_reordered_chunks_are_detected():
    data = os.urandom(4 * CHUNK)
    encrypted = encrypt_bytes(data, keyring(), CHUNK)
    stride = CHUNK + TAG_SIZE
    body = [encrypted[HEADER_SIZE + i * stride : HEADER_SIZE + (i + 1) * stride] for i in range(4)]
    header = encrypted[:HEADER_SIZE]
    with pytest.raises(DamagedFile):
        decrypt_bytes(header + body[0] + body[2] + body[1] + body[3], keyring())
    with pytest.raises(DamagedFile):
        decrypt_bytes(encrypted + body[1], keyring())


def test_chunks_of_another_file_do_not_fit():
    first = encrypt_bytes(os.urandom(2 * CHUNK), keyring(), CHUNK)
    second = encrypt_bytes(os.urandom(2 * CHUNK), keyring(), CHUNK)
    with pytest.raises(DamagedFile):
        decrypt_bytes(first[:HEADER_SIZE] + second[HEADER_SIZE:], keyring())


def test_an_unfinished_write_does_not_decrypt():
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, keyring(), CHUNK)
    writer.write(os.urandom(3 * CHUNK + 1))  # never closed: no final chunk
    with pytest.raises(DamagedFile):
        decrypt_bytes(out.getvalue(), keyring())


def test_a_file_needs_the_key_that_wrapped_it():
    encrypted = encrypt_bytes(MARKER, keyring(OLD), CHUNK)
    with pytest.raises(UnknownMasterKey, match="not in CONNEXION_MASTER_KEYS"):
        decrypt_bytes(encrypted, keyring(NEW))
    # An older key still configured after the newest one opens it.
    assert decrypt_bytes(encrypted, keyring(NEW, OLD)) == MARKER


def test_a_foreign_file_is_not_taken_for_an_encrypted_one():
    for foreign in [b"%PDF-1.7\n...", b"\xff\xd8\xff\xe0JFIF", b"", b"CNXENC"]:
        with pytest.raises(NotEncrypted):
            decrypt_bytes(foreign, keyring())


def test_rewrapping_changes_only_the_key_part_of_the_header():
    data = os.urandom(3 * CHUNK)
    encrypted = encrypt_bytes(data, keyring(OLD), CHUNK)
    header = crypto.parse_header(encrypted)
    both = keyring(NEW, OLD)
    rewrapped = crypto.rewrapped_header(header, both).pack() + encrypted[HEADER_SIZE:]
    assert rewrapped[HEADER_SIZE:] == encrypted[HEADER_SIZE:]
    assert crypto.parse_header(rewrapped).key_id == both.current.key_id
    assert decrypt_bytes(rewrapped, keyring(NEW)) == data
    with pytest.raises(UnknownMasterKey):
        decrypt_bytes(rewrapped, keyring(OLD))


def test_a_swapped_key_id_does_not_unwrap():
    encrypted = encrypt_bytes(MARKER, keyring(OLD), CHUNK)
    header = crypto.parse_header(encrypted)
    forged = crypto.Header(
        keyring(NEW).current.key_id,
        header.wrap_nonce,
        header.wrapped_key,
        header.nonce_prefix,
        header.chunk_size,
    )
    with pytest.raises(DamagedFile, match="wrapped data key"):
        decrypt_bytes(forged.pack() + encrypted[HEADER_SIZE:], keyring(NEW, OLD))


def test_master_key_ids_are_short_stable_hashes_and_never_the_key():
    key = crypto.MasterKey(OLD)
    assert len(key.label) == 16 and key.label == crypto.MasterKey(OLD).label
    assert OLD.hex() not in repr(key) and key.label in repr(key)
    generated = crypto.generate_master_key()
    assert crypto.decode_master_keys(generated) == (crypto.decode_master_key(generated),)
