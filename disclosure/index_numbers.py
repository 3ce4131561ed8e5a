"""索引号: formatting from the configurable pattern and race-free allocation of serials."""

from __future__ import annotations

import string

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

ALLOWED_FIELDS = frozenset({"org", "year", "serial"})


class IndexNumberPatternError(ValueError):
    pass


def format_index_number(pattern: str, *, org: str, year: int, serial: int) -> str:
    """Fill ``pattern`` ({org}, {year}, {serial} with an optional format spec)."""
    fields = set()
    try:
        for _literal, field, _spec, _conv in string.Formatter().parse(pattern):
            if field is not None:
                fields.add(field)
    except ValueError as exc:
        raise IndexNumberPatternError(_("The pattern is not well formed: %s") % exc) from exc
    unknown = fields - ALLOWED_FIELDS
    if unknown:
        raise IndexNumberPatternError(_("Unknown placeholder(s): %s") % ", ".join(sorted(unknown)))
    if "serial" not in fields:
        raise IndexNumberPatternError(_("The pattern must contain {serial}."))
    try:
        return pattern.format(org=org, year=year, serial=serial)
    except (ValueError, KeyError, IndexError) as exc:
        raise IndexNumberPatternError(_("The pattern is not well formed: %s") % exc) from exc


def organisation_code_for(department) -> str:
    from disclosure.models import DisclosureSettings

    code = (department.organisation_code or "").strip()
    return code or DisclosureSettings.load().default_organisation_code


def allocate_index_number(*, department, year: int) -> str:
    """The next index number for ``department`` in ``year``; unique under concurrent callers.

    The sequence row is incremented with a single UPDATE (row-locked on PostgreSQL, database
    write lock on SQLite) inside the caller's transaction, so two concurrent publications
    never read the same serial. The unique constraint on the page field is the last guard.
    """
    from disclosure.models import DisclosureSettings, IndexNumberSequence

    org = organisation_code_for(department)
    pattern = DisclosureSettings.load().index_number_pattern
    with transaction.atomic():
        IndexNumberSequence.objects.get_or_create(organisation_code=org, year=year)
        IndexNumberSequence.objects.filter(organisation_code=org, year=year).update(
            last_serial=F("last_serial") + 1
        )
        serial = (
            IndexNumberSequence.objects.select_for_update()
            .values_list("last_serial", flat=True)
            .get(organisation_code=org, year=year)
        )
    return format_index_number(pattern, org=org, year=year, serial=serial)
