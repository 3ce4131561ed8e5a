"""Formula-safe spreadsheet cells: every CSV and XLSX the portal writes goes through here.

A report's address, a survey's question or a disclosure item's title is text typed by someone
else; opened in Excel or WPS, a CSV field starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is run as a formula (``=HYPERLINK(...)`` leaks data, ``=cmd|...`` runs a
program). Following OWASP's CSV-injection guidance:

* CSV: such a string gets a leading apostrophe (``'=1+1``), which spreadsheets show as text;
* XLSX: the cell is written as an explicit string cell (never openpyxl's formula type) with
  the "quote prefix" style, so editing it does not turn it into a formula either;
* numbers stay numbers — an ``int``/``float``/``Decimal``, and a string that is just a number
  (``-3``, ``+1.5``, ``-2e3``), is not a formula and is written unchanged.

Wagtail's own list exports (``list_export`` on ViewSets, form submissions, reports) are made
safe the same way by :func:`protect_wagtail_exports`, called once from ``PortalConfig.ready``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Control characters XLSX cannot store (openpyxl raises IllegalCharacterError on them).
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    """True for a string a spreadsheet would evaluate: a trigger first, and not a plain number."""
    return bool(text) and text[0] in FORMULA_TRIGGERS and not _NUMBER.fullmatch(text)


def safe_cell(value: Any) -> Any:
    """A CSV field: formula-like strings get a leading apostrophe, everything else is unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def write_csv_row(writer, values: Iterable[Any]):
    """``writer.writerow`` with every field made safe; returns what the writer returns."""
    return writer.writerow(safe_row(values))


def write_csv_rows(writer, rows: Iterable[Iterable[Any]]) -> None:
    for values in rows:
        writer.writerow(safe_row(values))


def protect_xlsx_cell(cell):
    """Make an openpyxl cell that holds text a plain string cell (never a formula)."""
    value = cell.value
    if isinstance(value, str) and (cell.data_type == "f" or is_formula_like(value)):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_text(value: str) -> str:
    """``value`` without the control characters XLSX cannot hold (a pasted form feed would
    otherwise make openpyxl refuse the whole export)."""
    return _ILLEGAL_XLSX.sub("", value) if _ILLEGAL_XLSX.search(value) else value


def xlsx_cells(sheet, values: Iterable[Any]) -> list[Any]:
    """The cells of one row for ``sheet.append``: text as safe string cells, other values as is.

    Works for write-only and ordinary worksheets alike (openpyxl accepts cells in ``append``).
    """
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str):
            row.append(protect_xlsx_cell(WriteOnlyCell(sheet, xlsx_text(value))))
        else:
            row.append(value)
    return row


def xlsx_append_row(sheet, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` with every text cell formula-safe."""
    sheet.append(xlsx_cells(sheet, values))


def protect_wagtail_exports() -> None:
    """Route Wagtail's spreadsheet exports (``SpreadsheetExportMixin``) through the helpers above.

    Wagtail writes CSV fields unchanged and only retypes XLSX cells that openpyxl took for a
    formula (``=``); ``+``, ``-``, ``@``, tab and CR pass. Wrapped, not copied: the original
    methods still do the work. Idempotent.
    """
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_portal_formula_safe", False):
        return
    preprocess = SpreadsheetExportMixin.preprocess_field_value
    generate_row = SpreadsheetExportMixin.generate_xlsx_row

    def preprocess_field_value(self, field, value, export_format):
        value = preprocess(self, field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return safe_cell(value)
        return xlsx_text(value) if isinstance(value, str) else value

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in generate_row(self, worksheet, row_dict, date_format=date_format):
            yield protect_xlsx_cell(cell)

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin.generate_xlsx_row = generate_xlsx_row
    SpreadsheetExportMixin._portal_formula_safe = True
