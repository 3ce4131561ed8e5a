"""Our catalogue never changes a translation that Django, Wagtail or allauth already ship.

A short msgid such as "Pages" or "Close" means one thing in Wagtail's admin and perhaps another
on our pages; where ours differs it carries a ``pgettext`` context (``msgctxt``), so the library's
own screens keep the library's words.
"""

from __future__ import annotations

from pathlib import Path

import allauth
import django
import wagtail
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings

LIBRARIES = {"django": django, "wagtail": wagtail, "allauth": allauth}


def _key(message) -> tuple[str | None, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def _text(message) -> str:
    return message.string if isinstance(message.string, str) else message.string[0]


def library_translations() -> dict[tuple[str | None, str], dict[str, set[str]]]:
    """(msgctxt, msgid) → {library: {its zh_Hans translations}} from the installed .mo files."""
    found: dict = {}
    for name, package in LIBRARIES.items():
        root = Path(package.__file__).parent
        for path in root.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo"):
            with path.open("rb") as fh:
                for message in read_mo(fh):
                    if message.id and _text(message):
                        found.setdefault(_key(message), {}).setdefault(name, set()).add(
                            _text(message)
                        )
    return found


def test_the_libraries_catalogues_were_found():
    found = library_translations()
    assert found[(None, "Pages")]["wagtail"] == {"页面"}
    assert (None, "Close") in found


def test_the_project_catalogue_never_overrides_a_library_translation():
    libraries = library_translations()
    po = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
    with po.open("rb") as fh:
        ours = read_po(fh)
    conflicts = []
    for message in ours:
        if not message.id or not _text(message):
            continue
        theirs = libraries.get(_key(message))
        # Where the libraries disagree among themselves (Django's "name" 名称, allauth's 名字),
        # agreeing with one of them is all we can do.
        if theirs and not any(_text(message) in texts for texts in theirs.values()):
            conflicts.append(f"{_key(message)!r}: ours {_text(message)!r}, libraries {theirs}")
    assert not conflicts, "give these a pgettext context:\n" + "\n".join(conflicts)
