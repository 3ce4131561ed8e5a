"""The bureau's imports: an annual report in the format's tables (XLSX) for an enterprise that
filed elsewhere, and monitoring results (XLSX or CSV). Problems name the sheet, row and column,
as the survey import does; with any problem nothing is saved."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from enterprises import report_format, services, values
from enterprises.models import Enterprise, MonitoringResult
from portal.spreadsheets import xlsx_append_row

MAX_ROWS = 20000


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet} row {self.row}, column {self.column or '-'}: {self.reason}"


class ImportFileError(Exception):
    pass


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _workbook(content: bytes):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc


def _rows(sheet) -> list[list[str]]:
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has too many rows."))
    return rows


# --- The annual report workbook ---------------------------------------------------------------

TEXT_SHEET = "正文"
# sheet -> (table key, [(column header, field)])
TABLE_SHEETS = {
    "排放": (
        "emissions",
        [("排放口", "outlet"), ("污染物", "pollutant"), ("排放量", "amount"), ("单位", "unit")],
    ),
    "危险废物": (
        "hazardous_waste",
        [("废物代码", "code"), ("名称", "name"), ("数量(t)", "amount"), ("去向", "route")],
    ),
    "碳排放": ("carbon_emissions", [("类别", "scope"), ("排放量(tCO2e)", "amount")]),
}
ROUTE_BY_LABEL = {}
SCOPE_BY_LABEL = {}


def _choice_maps():
    from django.utils import translation

    with translation.override("zh-hans"):
        routes = {str(label): code for code, label in values.WASTE_ROUTES}
        scopes = {str(label): code for code, label in values.CARBON_SCOPES}
    return routes, scopes


def parse_report_workbook(content: bytes) -> tuple[dict, list[ImportProblem]]:
    """The report content and the problems of its workbook (sheets 正文, 排放, 危险废物, 碳排放)."""
    workbook = _workbook(content)
    problems: list[ImportProblem] = []
    content_dict: dict = {}
    names = set(workbook.sheetnames)
    part_by_label = {}
    from django.utils import translation

    with translation.override("zh-hans"):
        for key, label in report_format.ALL_PARTS:
            part_by_label[str(label)] = key
    if TEXT_SHEET not in names:
        problems.append(ImportProblem(TEXT_SHEET, 0, "", _("The sheet is missing.")))
    else:
        for i, row in enumerate(_rows(workbook[TEXT_SHEET])[1:], start=2):
            if not any(row):
                continue
            label = row[0] if row else ""
            keys = dict(report_format.ALL_PARTS)
            key = label if label in keys else part_by_label.get(label)
            if key is None:
                problems.append(
                    ImportProblem(
                        TEXT_SHEET, i, "A", _("Unknown part “%(label)s”.") % {"label": label}
                    )
                )
                continue
            content_dict[key] = row[1] if len(row) > 1 else ""
    routes, scopes = _choice_maps()
    for sheet_name, (table, columns) in TABLE_SHEETS.items():
        content_dict[table] = []
        if sheet_name not in names:
            continue
        rows = _rows(workbook[sheet_name])
        if not rows:
            continue
        header = rows[0]
        positions = {}
        for header_text, field in columns:
            if header_text not in header:
                problems.append(
                    ImportProblem(sheet_name, 1, header_text, _("The column is missing."))
                )
            else:
                positions[field] = header.index(header_text)
        if len(positions) < len(columns):
            continue
        for i, row in enumerate(rows[1:], start=2):
            record = {f: (row[p] if p < len(row) else "") for f, p in positions.items()}
            if "route" in record:
                record["route"] = routes.get(record["route"], record["route"])
            if "scope" in record:
                record["scope"] = scopes.get(record["scope"], record["scope"])
            errors: list = []
            if not any(str(v).strip() for v in record.values()):
                continue
            report_format.CLEANERS[table](record, sheet_name, errors)
            for _where, message in errors:
                problems.append(ImportProblem(sheet_name, i, "", message))
            content_dict[table].append(record)
    workbook.close()
    return content_dict, problems


def import_report(*, enterprise: Enterprise, year: int, content: bytes, user, reason: str = ""):
    """(version, problems): the report frozen as a version, or the problems and nothing saved."""
    parsed, problems = parse_report_workbook(content)
    if problems:
        return None, problems
    try:
        version = services.report_import(
            enterprise=enterprise, year=year, content=parsed, user=user, reason=reason
        )
    except report_format.ContentErrors as exc:
        return None, [ImportProblem(where.split(":")[0], 0, "", m) for where, m in exc.errors]
    return version, []


def report_template_xlsx() -> bytes:
    from django.utils import translation
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEXT_SHEET
    xlsx_append_row(sheet, ["部分", "内容"])
    with translation.override("zh-hans"):
        for _key, label in report_format.ALL_PARTS:
            xlsx_append_row(sheet, [str(label), ""])
        routes = "、".join(str(label) for _c, label in values.WASTE_ROUTES)
        scopes = "、".join(str(label) for _c, label in values.CARBON_SCOPES)
    for sheet_name, (_table, columns) in TABLE_SHEETS.items():
        ws = workbook.create_sheet(sheet_name)
        xlsx_append_row(ws, [header for header, _f in columns])
    workbook["危险废物"]["F1"] = f"去向：{routes}"
    workbook["碳排放"]["D1"] = f"类别：{scopes}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Monitoring results -----------------------------------------------------------------------

MONITORING_HEADERS = {
    "排放口": "outlet",
    "污染物": "pollutant",
    "监测时间": "measured_at",
    "监测值": "value",
    "单位": "unit",
    "监测方式": "method",
}
MONITORING_HEADERS.update({field: field for field in services.MONITORING_COLUMNS})
COLUMN_HEADER = {v: k for k, v in MONITORING_HEADERS.items() if k != v}


def read_monitoring_table(*, filename: str, content: bytes) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        workbook = _workbook(content)
        rows = _rows(workbook.worksheets[0])
        workbook.close()
        return rows
    if filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                _(
                    "The file is not UTF-8 encoded. In Excel choose “CSV UTF-8”, or upload the XLSX workbook instead."
                )
            ) from exc
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        while rows and not any(rows[-1]):
            rows.pop()
        if len(rows) > MAX_ROWS:
            raise ImportFileError(_("The file has too many rows."))
        return rows
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def import_monitoring(
    *, enterprise: Enterprise, filename: str, content: bytes
) -> tuple[list[MonitoringResult], list[ImportProblem]]:
    rows = read_monitoring_table(filename=filename, content=content)
    if not rows:
        return [], [ImportProblem("", 1, "", _("The file is empty."))]
    header = [MONITORING_HEADERS.get(h.strip(), "") for h in rows[0]]
    missing = [
        f for f in ("outlet", "pollutant", "measured_at", "value", "unit") if f not in header
    ]
    if missing:
        return [], [
            ImportProblem("", 1, COLUMN_HEADER.get(f, f), _("The column is missing."))
            for f in missing
        ]
    records = [
        {field: (row[i] if i < len(row) else "") for i, field in enumerate(header) if field}
        for row in rows[1:]
    ]
    try:
        saved = services.monitoring_record(
            enterprise=enterprise, rows=records, source=MonitoringResult.Source.IMPORT
        )
    except services.MonitoringErrors as exc:
        return [], [
            ImportProblem("", number + 1, COLUMN_HEADER.get(column, column), message)
            for number, column, message in exc.errors
        ]
    return saved, []
