"""Message catalogue tools that need no GNU gettext: compile .po to .mo, and fill the en catalogue.

The source strings are English, so the en catalogue's translations equal their msgids; filling
them keeps that catalogue complete (a test checks both catalogues).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogue_paths() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def compile_catalogues(*, stale_only: bool = False) -> list[Path]:
    """Write a .mo beside every .po under locale/ (fuzzy entries are left out, as msgfmt does).

    ``stale_only``: skip a .mo already newer than its .po (each test process calls this at
    start-up; rewriting a file another process is reading would be a race, and slow)."""
    written = []
    for po_path in catalogue_paths():
        mo_path = po_path.with_suffix(".mo")
        if stale_only and mo_path.exists() and mo_path.stat().st_mtime > po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parts[-3])
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def fill_english() -> None:
    for po_path in LOCALE_DIR.glob("en/LC_MESSAGES/*.po"):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale="en")
        catalog.fuzzy = False
        catalog.project, catalog.version = "eco-portal", "1"
        for message in catalog:
            if not message.id:
                continue
            if message.pluralizable:
                message.string = (message.id[0], message.id[1])
            else:
                message.string = message.id
            message.flags.discard("fuzzy")
        with po_path.open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=False, include_lineno=False)


if __name__ == "__main__":
    if sys.argv[1:] == ["fill-en"]:
        fill_english()
    else:
        sys.exit("usage: python -m portal.i18n_tools fill-en")
