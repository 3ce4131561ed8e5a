"""The data inventory check: every model field that looks personal has an entry in
docs/privacy.md (tests/privacy/test_inventory.py runs it).

A field "looks personal" when its name says name, phone, mobile, email, ID number, address, IP,
birth, contact or nickname. docs/privacy.md lists each such field either in the inventory (with
purpose, legal basis, who sees it, where it travels, retention) or under "Fields that look
personal but are not" (a department's name, a file name) with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings

PROJECT_APPS = ("portal", "tipoffs", "learning", "privacy", "cms", "disclosure", "surveys")

PERSONAL_NAME = re.compile(
    r"(^|_)(name|phone|mobile|tel|email|id_number|idcard|id_card|address|ip|birth|birthday|"
    r"birthdate|contact|nickname|requester)(_|$)|(name|phone|email|address|birth)$",
    re.IGNORECASE,
)
ENTRY = re.compile(r"^\|\s*`([a-z_]+\.[A-Za-z0-9]+\.[a-z0-9_]+)`", re.MULTILINE)


def inventory_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "privacy.md"


def documented_fields(text: str | None = None) -> set[str]:
    """``app_label.Model.field`` of every table row in docs/privacy.md that starts with one."""
    if text is None:
        text = inventory_path().read_text(encoding="utf-8")
    return set(ENTRY.findall(text))


def model_fields(app_labels: Iterable[str] = PROJECT_APPS) -> list[str]:
    out = []
    for model in apps.get_models():
        if model._meta.app_label not in app_labels:
            continue
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False):
                out.append(f"{model._meta.label}.{field.name}")
    return out


def looks_personal(label: str) -> bool:
    return bool(PERSONAL_NAME.search(label.rsplit(".", 1)[1]))


def unlisted_personal_fields(fields: Iterable[str], documented: set[str]) -> list[str]:
    return sorted(f for f in fields if looks_personal(f) and f not in documented)


def stale_entries(fields: Iterable[str], documented: set[str]) -> list[str]:
    known = set(fields)
    return sorted(d for d in documented if d.split(".", 1)[0] in PROJECT_APPS and d not in known)
