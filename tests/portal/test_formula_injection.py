"""Spreadsheet formula injection: no CSV or XLSX the portal writes can carry a live formula.

Hostile text goes in where the public or staff type it (the tip-off form, Open311, a survey
question, an officer's report text, a disclosure reading's source note); the exports are read
back with the csv module and openpyxl. Every cell that starts with = + - @, a tab or a CR is
either a plain number or starts with the apostrophe (CSV) / is a quote-prefixed text cell (XLSX).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from disclosure.models import AnnualReportInputs, Indicator, IndicatorReading
from portal import roles
from portal.learning.admin_views import statistics_xlsx
from portal.models import HolidayCalendarYear
from portal.spreadsheets import (
    is_formula_like,
    safe_cell,
    write_csv_row,
    xlsx_append_row,
)
from portal.tipoffs import exports as tipoff_exports
from portal.tipoffs.models import Category, Open311Client, Tipoff
from surveys.analysis import analyse
from surveys.exports import EXPORT_BUILDERS
from surveys.models import Answer, Choice, Question, Response
from tests.factories import SubdistrictFactory, UserFactory
from tests.surveys.analysis_fixtures import reference_survey

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def as_read_back(text: str) -> str:
    """XML normalises line ends: a CR written into an XLSX cell reads back as LF."""
    return text.replace("\r", "\n")


# --- the helper -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE + ["=cmd|' /C calc'!A0", "-", "+", "@"])
def test_formula_like_strings_get_the_apostrophe(text):
    assert is_formula_like(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [-3, -2.5, Decimal("-1.25"), 0, "-3", "+1.5", "-2e3", "-.5", "", "攀枝花大道", "a=b", None],
)
def test_numbers_and_harmless_text_stay_as_they_are(value):
    assert safe_cell(value) == value
    assert safe_cell(value) is value or value == safe_cell(value)


def test_csv_rows_round_trip_with_the_apostrophe_and_numbers_intact():
    out = io.StringIO()
    writer = csv.writer(out)
    write_csv_row(writer, [*HOSTILE, -7, "-7", 3.5])
    row = next(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert row[: len(HOSTILE)] == ["'" + text for text in HOSTILE]
    assert row[len(HOSTILE) :] == ["-7", "-7", "3.5"]


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_rows_hold_text_cells_never_formulas_and_numbers_as_numbers(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("x") if write_only else workbook.active
    xlsx_append_row(sheet, [*HOSTILE, -7, "-7", "ok", "form\x0cfeed"])
    out = io.BytesIO()
    workbook.save(out)
    cells = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[-1].iter_rows())[0]
    for cell, text in zip(cells, HOSTILE, strict=False):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (as_read_back(text), "s", True)
    assert (cells[6].value, cells[6].data_type) == (-7, "n")
    assert (cells[7].value, cells[7].data_type, cells[7].quotePrefix) == ("-7", "s", False)
    assert cells[9].value == "formfeed"  # a control character XLSX cannot hold is dropped


# --- reading exports back ---------------------------------------------------------------------


def csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


def xlsx_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_csv_safe(content: bytes) -> list[str]:
    cells = csv_cells(content)
    for cell in cells:
        assert not is_formula_like(cell), repr(cell)
    return cells


def assert_xlsx_safe(content: bytes) -> list:
    cells = xlsx_cells(content)
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str) and is_formula_like(cell.value):
            assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
    return cells


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- tip-offs: the public form and Open311 ----------------------------------------------------


@pytest.fixture
def tipoff_world(db, settings):
    settings.TIPOFFS_RATE_LIMITS = {"ip": (1000, 3600), "api": (1000, 3600)}
    HolidayCalendarYear.objects.get_or_create(year=2027, defaults={"source": "test: weekends only"})
    return {
        "category": Category.objects.get(code="air-dust"),
        "subdistrict": SubdistrictFactory(code="donghua", name="东华街道"),
        "api_key": Open311Client.objects.create(name="12345 平台").api_key,
        "intake": UserFactory(username="intake", roles=[roles.INTAKE_OFFICER]),
    }


# Addresses keep only the road on export (public_location): these survive that cut.
SURVIVING_ADDRESSES = [
    '=HYPERLINK("x","y")路',
    "+A+B大道",
    "-A+B街",
    "@SUM(A)路",
]


def test_hostile_tipoff_text_from_the_form_and_open311_is_inert_in_both_exports(
    client, tipoff_world
):
    world = tipoff_world
    observed = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    for text in HOSTILE + SURVIVING_ADDRESSES:
        response = client.post(
            "/en/tipoffs/new",
            {
                "category": world["category"].pk,
                "subdistrict": world["subdistrict"].pk,
                "address": text if text in SURVIVING_ADDRESSES else text + "路",
                "observed_at": observed,
                "description": text + " 工地夜间施工扬尘严重",
                "confidentiality": "anonymous",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        response = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": world["api_key"],
                "service_code": "air-dust",
                "attribute[subdistrict]": world["subdistrict"].code,
                "address_string": text if text in SURVIVING_ADDRESSES else text + "路",
                "description": text + " 工地夜间施工扬尘严重",
            },
        )
        assert response.status_code == 200, response.content
    assert Tipoff.objects.count() == 2 * (len(HOSTILE) + len(SURVIVING_ADDRESSES))
    # Defence in depth: whatever ends up in the stored public location is written safely.
    extra = Tipoff.objects.order_by("pk").first()
    Tipoff.objects.filter(pk=extra.pk).update(public_address="\t=1")
    Tipoff.objects.filter(pk=extra.pk + 1).update(public_address="\r=1")

    client.force_login(world["intake"])
    url = reverse("tipoffs_admin:index") + "?queue=all&export="
    cells = assert_csv_safe(body(client.get(url + "csv")))
    for address in SURVIVING_ADDRESSES + ["\t=1", "\r=1"]:
        assert "'" + address in cells
    cells = assert_xlsx_safe(body(client.get(url + "xlsx")))
    values = {cell.value for cell in cells}
    assert set(SURVIVING_ADDRESSES) | {"\t=1", as_read_back("\r=1")} <= values


def test_the_tipoff_export_quotes_every_hostile_column(tipoff_world):
    """Not only the address: every text column of the export, as Wagtail's
    SpreadsheetExportMixin writes it (the queue's IndexView uses the same columns), is safe."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    class Export(SpreadsheetExportMixin):
        list_export = [key for key, _fn in tipoff_exports.COLUMNS]
        export_headings = tipoff_exports.HEADINGS

    export = Export()
    texts = iter(HOSTILE * 3)
    row = {key: next(texts) for key in Export.list_export}
    row.update(extension_days=5, rating=-1)
    queryset = [row]

    class Rows(list):
        model = Tipoff

    csv_body = b"".join(
        part if isinstance(part, bytes) else part.encode()
        for part in export.stream_csv(Rows(queryset))
    )
    cells = assert_csv_safe(csv_body)
    assert all("'" + row[key] in cells for key in Export.list_export if isinstance(row[key], str))
    assert "5" in cells and "-1" in cells
    out = io.BytesIO()
    export.write_xlsx(Rows(queryset), out)
    cells = assert_xlsx_safe(out.getvalue())
    numbers = [c.value for c in cells if isinstance(c.value, int)]
    assert numbers == [5, -1]


# --- surveys: microdata, codebook and report --------------------------------------------------


@pytest.mark.django_db
def test_survey_exports_quote_hostile_labels_keep_numbers_and_leave_out_free_text():
    survey = reference_survey(slug="hostile-survey")
    number = Question.objects.create(
        survey=survey, code="Q5", kind="number", page=2, text='=HYPERLINK("http://x","y")'
    )
    scale = Question.objects.create(survey=survey, code="Q6", kind="single", page=2, text="+1+1")
    choices = [
        Choice.objects.create(question=scale, code="-1", label="@SUM(A1)", sort_order=0),
        Choice.objects.create(question=scale, code="-a", label="-2+3", sort_order=1),
    ]
    text = Question.objects.create(survey=survey, code="Q7", kind="short_text", page=2, text="建议")
    answers = []
    for i, response in enumerate(Response.objects.filter(survey=survey).order_by("external_id")):
        answers.append(Answer(response=response, question=number, number=Decimal(-3 - i % 2)))
        answers.append(Answer(response=response, question=scale, choice=choices[i % 2]))
        answers.append(Answer(response=response, question=text, text='=HYPERLINK("http://e","z")'))
    Answer.objects.bulk_create(answers)
    analysis = analyse(survey)

    microdata = assert_csv_safe(EXPORT_BUILDERS["microdata_csv"].build(analysis))
    assert "-3.0" in microdata and "-4.0" in microdata  # negative numbers stay numbers
    assert "-1" in microdata  # a numeric code stays a number
    assert "'-a" in microdata  # a code that is not a number is quoted
    assert not any("http://e" in cell for cell in microdata)  # free text is never exported

    codebook = assert_csv_safe(EXPORT_BUILDERS["codebook_csv"].build(analysis))
    assert any(cell.startswith("'@SUM(A1)") or "@SUM(A1)" in cell for cell in codebook)

    cells = assert_xlsx_safe(EXPORT_BUILDERS["report_xlsx"].build(analysis))
    assert any(isinstance(c.value, float) for c in cells)  # rates stay numbers
    assert not any(isinstance(c.value, str) and "http://e" in c.value for c in cells)


# --- learning statistics ----------------------------------------------------------------------


def test_learning_statistics_xlsx_writes_hostile_names_as_text():
    today = dt.date(2026, 9, 7)
    stats = {
        "date_from": today,
        "date_to": today,
        "days": [(today, 3)],
        "topics": [{"topic": "=1+1", "answers": 4, "learners": 2, "score": -0.5}],
        "subdistricts": [{"name": "@SUM(A1)", "learners": 1, "issued": 10, "redeemed": 0}],
    }
    cells = assert_xlsx_safe(statistics_xlsx(stats).content)
    by_value = {c.value: c for c in cells}
    assert by_value["=1+1"].quotePrefix and by_value["@SUM(A1)"].quotePrefix
    assert by_value[-0.5].data_type == "n"


# --- disclosure: the annual report and the admin list exports ---------------------------------


@pytest.mark.django_db
def test_the_annual_report_xlsx_writes_officer_text_as_text(client):
    AnnualReportInputs.objects.create(
        year=2024, overview='=HYPERLINK("http://x","y")', problems="+1+1", other_matters="-2+3"
    )
    response = client.get(reverse("disclosure:annual_report_xlsx", args=[2024]))
    assert response.status_code == 200
    cells = assert_xlsx_safe(response.content)
    values = {c.value for c in cells}
    assert {'=HYPERLINK("http://x","y")', "+1+1", "-2+3"} <= values


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_wagtail_list_exports_of_disclosure_readings_are_formula_safe(client, fmt):
    indicator = Indicator.objects.order_by("pk").first()
    for i, text in enumerate(HOSTILE):
        IndicatorReading.objects.create(
            indicator=indicator,
            period=f"2024-{i + 1:02d}",
            period_end=dt.date(2024, i + 1, 28),
            value=Decimal("-1.5"),
            value_text=text,
            status=Indicator.Status.choices[0][0],
            source_note=text,
        )
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = client.get(
        reverse("wagtailsnippets_disclosure_indicatorreading:list"), {"export": fmt}
    )
    assert response.status_code == 200
    content = body(response)
    if fmt == "csv":
        cells = assert_csv_safe(content)
        for text in HOSTILE:
            assert "'" + text in cells
        assert any(cell.startswith("-1.5") for cell in cells)  # a negative number, unquoted
    else:
        cells = assert_xlsx_safe(content)
        values = [c.value for c in cells]
        for text in HOSTILE:
            assert as_read_back(text) in values
