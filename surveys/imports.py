"""Import of paper and telephone (CATI) interviews from CSV, XLSX or SPSS .sav: all rows or none.

CSV files may be UTF-8 (with or without BOM) or GB18030/GBK, the encoding Chinese Excel uses
for "CSV (逗号分隔)": ``encoding="auto"`` tries UTF-8 strictly and falls back to GB18030 (a
superset of GBK and GB2312); the uploader may also name the encoding. A CATI vendor's ``.sav``
is read with pyreadstat: variables named like the template's columns; the respondent columns
(channel, sub-district, sex, age group) may be numeric codes with value labels (the labels are
read, e.g. 2 = 女), question columns hold the choice codes (user-missing codes such as 9 =
说不清 are kept as codes), a multiple-choice answer is a string variable of ``;``-separated
codes.

Format (docs/surveys.md, and a template per survey in the admin): a header row with
``respondent_id, channel, subdistrict, sex, age_group`` and then one column per question code;
choice codes; a multiple choice as ``;``-separated codes; matrix rows as ``<question>_<row>``.
Every problem is reported as (row, column, reason), row numbers as a spreadsheet shows them
(the header is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import tempfile
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from portal.spreadsheets import write_csv_rows, xlsx_append_row
from surveys.models import (
    AgeGroup,
    Channel,
    ImportBatch,
    Response,
    Sex,
    Survey,
    SurveyEvent,
)
from surveys.questionnaire import SurveyStructure, load_structure, validate_submission
from surveys.services import answer_rows, today

BASE_COLUMNS = ["respondent_id", "channel", "subdistrict", "sex", "age_group"]
#: Respondent columns whose value labels are read from a .sav (codes elsewhere).
LABELLED_SAV_COLUMNS = {"channel", "subdistrict", "sex", "age_group"}
ENCODINGS = {"auto", "utf-8", "gb18030"}
MAX_ROWS = 50_000
CHANNEL_VALUES = {
    "paper": Channel.PAPER,
    "纸质": Channel.PAPER,
    "纸质问卷": Channel.PAPER,
    "cati": Channel.CATI,
    "phone": Channel.CATI,
    "电话": Channel.CATI,
    "电话访问": Channel.CATI,
}
SEX_VALUES = {
    "male": Sex.MALE,
    "男": Sex.MALE,
    "1": Sex.MALE,
    "female": Sex.FEMALE,
    "女": Sex.FEMALE,
    "2": Sex.FEMALE,
}
AGE_VALUES = {
    **{value: value for value in AgeGroup.values},
    "18–29": AgeGroup.AGE_18_29,
    "30–44": AgeGroup.AGE_30_44,
    "45–59": AgeGroup.AGE_45_59,
    "60及以上": AgeGroup.AGE_60_PLUS,
}


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column or '-'}: {self.reason}"


@dataclass
class ImportResult:
    batch: ImportBatch | None
    problems: list[ImportProblem]
    rows: int = 0

    @property
    def ok(self) -> bool:
        return self.batch is not None and not self.problems


class ImportFileError(Exception):
    pass


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_csv(content: bytes, encoding: str = "auto") -> str:
    """The text of a CSV file: UTF-8 (BOM optional) or GB18030/GBK (Chinese Excel's "CSV").

    ``auto`` tries UTF-8 strictly first (a GBK file with Chinese text is practically never
    valid UTF-8) and falls back to GB18030, a superset of GBK and GB2312.
    """
    if encoding not in ENCODINGS:
        raise ImportFileError(_("Unknown encoding."))
    tries = ["utf-8-sig", "gb18030"] if encoding == "auto" else [encoding]
    for name in tries:
        try:
            text = content.decode("utf-8-sig" if name == "utf-8" else name)
        except UnicodeDecodeError:
            continue
        return text.removeprefix("\ufeff")
    if encoding == "utf-8":
        raise ImportFileError(
            _(
                "The file is not UTF-8 encoded. Choose GB18030 (GBK) as the encoding if it was "
                "saved by Chinese Excel as CSV, or upload the XLSX workbook instead."
            )
        )
    raise ImportFileError(
        _(
            "The file is neither UTF-8 nor GB18030 (GBK) encoded. In Excel choose “CSV UTF-8”, "
            "or upload the XLSX workbook instead."
        )
    )


def _sav_cell(value, labels: dict | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if labels and value in labels:
        return str(labels[value]).strip()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _cell(value)


def read_sav(content: bytes) -> list[list[str]]:
    """Rows of cells from an SPSS .sav (a CATI vendor's file), header first."""
    import pyreadstat

    handle, path = tempfile.mkstemp(suffix=".sav", prefix="survey-import-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        try:
            # user_missing: a code declared missing (9 = 说不清) is still the answer given.
            data, meta = pyreadstat.read_sav(path, user_missing=True)
        except Exception as exc:  # pyreadstat raises its own error types for broken files
            raise ImportFileError(_("The file is not a readable SPSS .sav file.")) from exc
    finally:
        os.unlink(path)
    header = [str(name) for name in data.columns]
    columns = []
    for name in header:
        labels = meta.variable_value_labels.get(name) if name in LABELLED_SAV_COLUMNS else None
        columns.append([_sav_cell(value, labels) for value in data[name].tolist()])
    return [header, *map(list, zip(*columns, strict=True))] if columns else [header]


def read_table(*, filename: str, content: bytes, encoding: str = "auto") -> list[list[str]]:
    """Rows of cells as strings, from a CSV (UTF-8 or GB18030/GBK), an XLSX workbook or an
    SPSS .sav file."""
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
        sheet = workbook.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    elif lowered.endswith(".sav"):
        rows = read_sav(content)
    elif lowered.endswith(".csv"):
        text = decode_csv(content, encoding)
        try:
            rows = [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise ImportFileError(
                _("The CSV file is malformed: %(error)s") % {"error": exc}
            ) from exc
    else:
        raise ImportFileError(_("Upload a .csv, .xlsx or .sav file."))
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def import_columns(structure: SurveyStructure) -> list[str]:
    return BASE_COLUMNS + structure.all_field_names()


def _row_data(structure: SurveyStructure, values: dict[str, str]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for spec in structure.questions:
        question_type = spec.question_type
        for name in spec.field_names():
            raw = values.get(name, "")
            if raw:
                data[name] = question_type.parse_import(raw)
    return data


def parse_rows(
    *, survey: Survey, structure: SurveyStructure, rows: list[list[str]]
) -> tuple[list[dict], list[ImportProblem]]:
    """Validate every row; return the cleaned rows and all problems found."""
    problems: list[ImportProblem] = []
    if not rows:
        return [], [ImportProblem(1, "", _("The file is empty."))]
    header = [h.strip() for h in rows[0]]
    known = set(import_columns(structure))
    for name in BASE_COLUMNS:
        if name not in header:
            problems.append(ImportProblem(1, name, _("Required column is missing.")))
    seen_header = set()
    for name in header:
        if name in seen_header:
            problems.append(ImportProblem(1, name, _("Column appears twice.")))
        seen_header.add(name)
        if name and name not in known:
            problems.append(
                ImportProblem(1, name, _("Unknown column: not a question code of this survey."))
            )
    if problems:
        return [], problems
    if len(rows) - 1 > MAX_ROWS:
        return [], [ImportProblem(1, "", _("Too many rows (at most %(max)s).") % {"max": MAX_ROWS})]

    existing = set(
        Response.objects.filter(survey=survey)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )
    subdistricts = {s.code: s for s in structure.subdistricts}
    subdistricts.update({s.name: s for s in structure.subdistricts})
    seen_ids: dict[str, int] = {}
    cleaned_rows = []
    for number, raw in enumerate(rows[1:], start=2):
        if not any(raw):
            continue
        values = {name: (raw[i] if i < len(raw) else "") for i, name in enumerate(header)}
        row_problems: list[ImportProblem] = []
        respondent_id = values["respondent_id"]
        if not respondent_id:
            row_problems.append(ImportProblem(number, "respondent_id", _("Missing respondent id.")))
        elif len(respondent_id) > 64:
            row_problems.append(
                ImportProblem(
                    number, "respondent_id", _("Respondent id is longer than 64 characters.")
                )
            )
        elif respondent_id in existing:
            row_problems.append(
                ImportProblem(
                    number, "respondent_id", _("This respondent id was already imported.")
                )
            )
        elif respondent_id in seen_ids:
            row_problems.append(
                ImportProblem(
                    number,
                    "respondent_id",
                    _("Duplicate respondent id (also on row %(row)s).")
                    % {"row": seen_ids[respondent_id]},
                )
            )
        else:
            seen_ids[respondent_id] = number
        channel = CHANNEL_VALUES.get(values["channel"].lower())
        if channel is None:
            row_problems.append(
                ImportProblem(number, "channel", _("Unknown channel: use paper or cati."))
            )
        subdistrict = subdistricts.get(values["subdistrict"])
        if subdistrict is None:
            row_problems.append(
                ImportProblem(number, "subdistrict", _("Unknown sub-district code."))
            )
        sex = SEX_VALUES.get(values["sex"].lower())
        if sex is None:
            row_problems.append(ImportProblem(number, "sex", _("Unknown sex: use male or female.")))
        age_group = AGE_VALUES.get(values["age_group"])
        if age_group is None:
            row_problems.append(
                ImportProblem(
                    number, "age_group", _("Unknown age group: use 18-29, 30-44, 45-59 or 60+.")
                )
            )
        result = validate_submission(
            structure, _row_data(structure, values), include_demographics=False
        )
        for step_errors in result.errors.values():
            for name, messages in step_errors.items():
                for message in messages:
                    row_problems.append(ImportProblem(number, name, message))
        if row_problems:
            problems.extend(row_problems)
            continue
        cleaned = result.cleaned
        cleaned.subdistrict_id = subdistrict.id
        cleaned.sex = sex
        cleaned.age_group = age_group
        cleaned_rows.append({"external_id": respondent_id, "channel": channel, "cleaned": cleaned})
    if not cleaned_rows and not problems:
        problems.append(ImportProblem(2, "", _("The file has no data rows.")))
    return cleaned_rows, problems


def import_responses(
    *, survey: Survey, filename: str, content: bytes, actor=None, encoding: str = "auto"
) -> ImportResult:
    """Import a file of interviews into ``survey``: every row, or none when any row is wrong.

    ``encoding`` applies to CSV files: ``auto`` (UTF-8, else GB18030), ``utf-8`` or ``gb18030``.
    """
    structure = load_structure(survey)
    try:
        rows = read_table(filename=filename, content=content, encoding=encoding)
    except ImportFileError as exc:
        return ImportResult(batch=None, problems=[ImportProblem(0, "", str(exc))])
    cleaned_rows, problems = parse_rows(survey=survey, structure=structure, rows=rows)
    if problems:
        return ImportResult(batch=None, problems=problems)
    day = today()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            survey=survey, filename=filename[:255], row_count=len(cleaned_rows), created_by=actor
        )
        responses = [
            Response(
                survey=survey,
                channel=row["channel"],
                subdistrict_id=row["cleaned"].subdistrict_id,
                sex=row["cleaned"].sex,
                age_group=row["cleaned"].age_group,
                submitted_on=day,
                external_id=row["external_id"],
                import_batch=batch,
            )
            for row in cleaned_rows
        ]
        Response.objects.bulk_create(responses, batch_size=500)
        answers = [
            answer
            for response, row in zip(responses, cleaned_rows, strict=True)
            for answer in answer_rows(response, row["cleaned"])
        ]
        from surveys.models import Answer

        Answer.objects.bulk_create(answers, batch_size=2000)
        SurveyEvent.objects.create(
            survey=survey,
            kind=SurveyEvent.Kind.IMPORTED,
            actor=actor,
            detail=f"{filename[:200]}: {len(cleaned_rows)}",
        )
    return ImportResult(batch=batch, problems=[], rows=len(cleaned_rows))


def template_rows(structure: SurveyStructure) -> list[list[str]]:
    """The header of the import file and an example row."""
    header = import_columns(structure)
    example = [
        "P-0001",
        "paper",
        structure.subdistricts[0].code if structure.subdistricts else "",
        "female",
        "45-59",
    ]
    for spec in structure.questions:
        value = spec.question_type.import_example(spec)
        example.extend(value for _name in spec.field_names())
    return [header, example]


def codebook_rows(structure: SurveyStructure) -> list[list[str]]:
    rows = [[_("column"), _("question"), _("type"), _("allowed values")]]
    rows.append(["respondent_id", _("Questionnaire number (unique)"), "text", ""])
    rows.append(["channel", _("Channel"), "code", "paper; cati"])
    rows.append(
        [
            "subdistrict",
            _("Sub-district"),
            "code",
            "; ".join(f"{s.code}={s.name}" for s in structure.subdistricts),
        ]
    )
    rows.append(["sex", _("Sex"), "code", "male; female"])
    rows.append(["age_group", _("Age group"), "code", "18-29; 30-44; 45-59; 60+"])
    for spec in structure.questions:
        question_type = spec.question_type
        values = question_type.import_values(spec)
        kind = question_type.import_type(spec)
        condition = ""
        if spec.condition_code:
            condition = (
                " ["
                + _("only if %(code)s in %(codes)s")
                % {
                    "code": spec.condition_code,
                    "codes": ";".join(sorted(spec.condition_choices)),
                }
                + "]"
            )
        if spec.is_matrix:
            for row in spec.rows:
                rows.append(
                    [spec.field_name(row), f"{spec.text} — {row.label}{condition}", kind, values]
                )
        else:
            rows.append([spec.code, spec.text + condition, kind, values])
    return rows


def template_csv(structure: SurveyStructure) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    write_csv_rows(writer, template_rows(structure))
    return "\ufeff" + buffer.getvalue()


def template_xlsx(structure: SurveyStructure) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    data = workbook.active
    data.title = "data"
    for row in template_rows(structure):
        xlsx_append_row(data, row)
    codebook = workbook.create_sheet("codebook")
    for row in codebook_rows(structure):
        xlsx_append_row(codebook, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
