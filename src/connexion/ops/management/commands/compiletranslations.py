from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import trans_real


def compile_translations(locale_dirs: list[Path]) -> int:
    """Compiles every .po file newer than its .mo; returns how many were built.
    Uses polib, so no gettext tools are needed on the machine."""
    built = 0
    for locale_dir in locale_dirs:
        for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            built += 1
    if built:
        # This process may have loaded the catalogues already, without these.
        trans_real._translations.clear()
        trans_real._default = None
    return built


class Command(BaseCommand):
    help = "Compile the Thai and English message catalogues (.po to .mo)."

    def handle(self, *args: Any, **options: Any) -> None:
        built = compile_translations([Path(path) for path in settings.LOCALE_PATHS])
        self.stdout.write(f"Translations compiled: {built} catalogue(s) rebuilt.")
