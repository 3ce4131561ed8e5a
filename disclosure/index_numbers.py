"""索引号: formatting from the configurable pattern (pure; the race-free allocation of serials is
``disclosure.models.allocate_index_number``, beside the sequence it increments)."""

from __future__ import annotations

import string

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
