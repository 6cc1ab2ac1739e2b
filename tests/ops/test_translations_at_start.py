from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from connexion.ops.management.commands.compiletranslations import compile_translations


def test_catalogues_built_after_start_are_used_at_once():
    """`connexion up` builds the .mo in the process that then serves pages: a
    catalogue Django loaded before must not hide the new one."""
    for mo in Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    # As in a new process that reads the catalogues before they are built:
    trans_real._translations.clear()
    with translation.override("th"):
        assert translation.gettext("Sign in to Connexion") == "Sign in to Connexion"
    assert compile_translations([Path(path) for path in settings.LOCALE_PATHS]) >= 1
    with translation.override("th"):
        assert translation.gettext("Sign in to Connexion") == "เข้าสู่ระบบ Connexion"
