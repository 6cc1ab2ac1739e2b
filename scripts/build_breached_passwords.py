"""Builds src/connexion/accounts/data/breached-passwords.txt.gz, the local list
the password rules check against (NIST SP 800-63B 3.1.1.2: no password from a
breach corpus).

Sources, both permissively licensed and available offline from the registries:
- the common-password list of the npm package @zxcvbn-ts/language-common
  (MIT; drawn from public breach corpora, e.g. the 10-million-password list):
  `npm pack @zxcvbn-ts/language-common`, then pass its package/src/passwords.json;
- Django's own common-passwords.txt.gz (BSD, Royce Williams' list).

Lowercased and stripped, as the validator compares, most frequent first.

    .venv/bin/python scripts/build_breached_passwords.py path/to/passwords.json
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import django.contrib.auth

OUTPUT = (
    Path(__file__).resolve().parent.parent / "src/connexion/accounts/data/breached-passwords.txt.gz"
)


def build(zxcvbn_json: Path) -> int:
    django_list = Path(django.contrib.auth.__file__).parent / "common-passwords.txt.gz"
    ordered: dict[str, None] = {}
    for entry in json.loads(zxcvbn_json.read_text(encoding="utf-8")):
        ordered.setdefault(str(entry).strip().lower(), None)
    with gzip.open(django_list, "rt", encoding="utf-8") as lines:
        for line in lines:
            ordered.setdefault(line.strip().lower(), None)
    ordered.pop("", None)
    # mtime=0: the same input gives the same bytes, so the file only changes in
    # git when the list does.
    with (
        OUTPUT.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as packed,
    ):
        packed.write("".join(f"{password}\n" for password in ordered).encode("utf-8"))
    return len(ordered)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"{build(Path(sys.argv[1]))} passwords written to {OUTPUT}")
