import os
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

import connexion

SOURCE = Path(connexion.__file__).parent
CATALOGUE = SOURCE / "locale" / "th" / "LC_MESSAGES" / "django.po"


def test_the_thai_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.metadata["Language"] == "th"


def test_every_translatable_string_in_the_code_has_a_thai_translation(tmp_path):
    """Extracts the strings afresh from a copy of the code, merged with the
    catalogue: a string added without its translation shows up untranslated."""
    assert shutil.which("xgettext"), "gettext tools are needed: apt-get install gettext"
    copy = tmp_path / "connexion"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    previous = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=["th"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(previous)
    fresh = polib.pofile(str(copy / "locale" / "th" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in fresh.untranslated_entries() + fresh.fuzzy_entries()]
    assert missing == [], f"translate these in {CATALOGUE.relative_to(SOURCE.parent.parent)}"
    assert len(fresh) == len(polib.pofile(str(CATALOGUE))), "run makemessages: catalogue is stale"


def test_compiled_catalogue_translates(client):
    from django.utils import translation

    with translation.override("th"):
        assert translation.gettext("Sign in") == "เข้าสู่ระบบ"
    assert settings.LANGUAGE_CODE in {"th", "en"}
