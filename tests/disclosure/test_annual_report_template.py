"""The annual report follows the national template (国办公开办函〔2021〕30号) cell for cell.

The template's structure is written down here (header texts, merged ranges, the 15-column row
of section 四) and checked against the XLSX with openpyxl, a client we did not write; the page's
tables are laid out the way a browser does (rowspan/colspan) and compared with the sheet cell
by cell.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from disclosure.models import AnnualReportInputs

pytestmark = pytest.mark.django_db

#: The template's tables: (first header text, [(relative row, column, text, rowspan, colspan)]).
#: Rows are 0-based from the table's first row, columns 1-based (A = 1).
TEMPLATE = {
    "第二十条第（一）项": [
        (0, 1, "第二十条第（一）项", 1, 4),
        (1, 1, "信息内容", 1, 1),
        (1, 2, "本年制发件数", 1, 1),
        (1, 3, "本年废止件数", 1, 1),
        (1, 4, "现行有效件数", 1, 1),
        (2, 1, "规章", 1, 1),
        (3, 1, "行政规范性文件", 1, 1),
    ],
    "第二十条第（五）项": [
        (0, 1, "第二十条第（五）项", 1, 4),
        (1, 1, "信息内容", 1, 1),
        (1, 2, "本年处理决定数量", 1, 3),
        (2, 1, "行政许可", 1, 1),
    ],
    "第二十条第（六）项": [
        (0, 1, "第二十条第（六）项", 1, 4),
        (1, 2, "本年处理决定数量", 1, 3),
        (2, 1, "行政处罚", 1, 1),
        (3, 1, "行政强制", 1, 1),
    ],
    "第二十条第（八）项": [
        (0, 1, "第二十条第（八）项", 1, 4),
        (1, 2, "本年收费金额（单位：万元）", 1, 3),
        (2, 1, "行政事业性收费", 1, 1),
    ],
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）": [
        (0, 1, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 1),
        (0, 2, "申请人情况", 1, 7),
        (1, 2, "自然人", 2, 1),
        (1, 3, "法人或其他组织", 1, 5),
        (1, 8, "总计", 2, 1),
        (2, 3, "商业企业", 1, 1),
        (2, 4, "科研机构", 1, 1),
        (2, 5, "社会公益组织", 1, 1),
        (2, 6, "法律服务机构", 1, 1),
        (2, 7, "其他", 1, 1),
        (3, 1, "一、本年新收政府信息公开申请数量", 1, 1),
        (4, 1, "二、上年结转政府信息公开申请数量", 1, 1),
        (5, 1, "三、本年度办理结果", 1, 8),
    ],
    "行政复议": [
        (0, 1, "行政复议", 1, 5),
        (0, 6, "行政诉讼", 1, 10),
        *[
            (1, c, t, 2, 1)
            for c, t in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"], 1)
        ],
        (1, 6, "未经复议直接起诉", 1, 5),
        (1, 11, "复议后起诉", 1, 5),
        *[
            (2, c, t, 1, 1)
            for c, t in zip(
                range(6, 16),
                ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
                strict=True,
            )
        ],
    ],
}


@pytest.fixture
def inputs(db):
    return AnnualReportInputs.objects.create(
        year=2024,
        agency="攀枝花市东区生态环境局",
        rules_in_force=3,
        licences_decided=19,
        penalties_decided=14,
        coercive_measures=2,
        fees_amount=Decimal("1.50"),
        review_upheld=2,
        review_corrected=1,
        suit_direct_other=4,
        suit_after_pending=1,
        published_on=dt.date(2025, 1, 20),
    )


def _sheet(client, year):
    response = client.get(reverse("disclosure:annual_report_xlsx", args=[year]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def _find(ws, text):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} is not in the sheet")


def test_the_xlsx_has_the_templates_headers_and_merged_cells(client, inputs):
    ws = _sheet(client, 2024)
    assert ws["A1"].value == "攀枝花市东区生态环境局2024年政府信息公开工作年度报告"
    merged = {str(r) for r in ws.merged_cells.ranges}
    for first, cells in TEMPLATE.items():
        top, left = _find(ws, first)
        assert left == 1, first
        for r, c, text, rowspan, colspan in cells:
            assert ws.cell(top + r, c).value == text, (first, r, c)
            if rowspan > 1 or colspan > 1:
                area = (
                    f"{get_column_letter(c)}{top + r}:"
                    f"{get_column_letter(c + colspan - 1)}{top + r + rowspan - 1}"
                )
                assert area in merged, (text, area)
    # Section 二's figures, section 四's one row of 15 numbers, the rate as a percentage.
    top, _ = _find(ws, "规章")
    assert [ws.cell(top, c).value for c in range(2, 5)] == [0, 0, 3]
    top, _ = _find(ws, "行政许可")
    assert ws.cell(top, 2).value == 19
    top, _ = _find(ws, "行政事业性收费")
    assert ws.cell(top, 2).value == 1.5 and ws.cell(top, 2).number_format == "0.00"
    top, _ = _find(ws, "行政复议")
    assert [ws.cell(top + 3, c).value for c in range(1, 16)] == [
        2, 1, 0, 0, 3, 0, 0, 4, 0, 4, 0, 0, 0, 1, 1,
    ]  # fmt: skip
    top, _ = _find(ws, "三、本年度办理结果")
    assert ws.cell(top + 1, 1).value.strip("　") == "（一）予以公开"


def _html_grid(table) -> dict[tuple[int, int], str]:
    """A table's cells by (row, column) as a browser lays them out (0-based)."""
    taken, grid = set(), {}
    for r, tr in enumerate(table.find_all("tr")):
        c = 0
        for cell in tr.find_all(["th", "td"]):
            while (r, c) in taken:
                c += 1
            rowspan, colspan = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            grid[(r, c)] = (cell.get_text(strip=True), rowspan, colspan)
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            c += colspan
    return grid


def _xlsx_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.number_format == "0.00%":
        return f"{value * 100:.2f}%"
    if cell.number_format == "0.00":
        return f"{value:.2f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip("　")


def test_the_page_and_the_xlsx_match_cell_for_cell(client, inputs):
    page = BeautifulSoup(
        client.get(reverse("disclosure:annual_report", args=[2024])).content, "html.parser"
    )
    ws = _sheet(client, 2024)
    merged = {str(r) for r in ws.merged_cells.ranges}
    tables = page.select("table.report-table")
    assert len(tables) == 6  # four blocks of 二, one table each for 三 and 四
    for table in tables:
        grid = _html_grid(table)
        top, _ = _find(ws, grid[(0, 0)][0])
        for (r, c), (text, rowspan, colspan) in grid.items():
            cell = ws.cell(top + r, 1 + c)
            assert _xlsx_text(cell) == text, (text, cell.coordinate)
            if rowspan > 1 or colspan > 1:
                end = ws.cell(top + r + rowspan - 1, c + colspan)
                assert f"{cell.coordinate}:{end.coordinate}" in merged


def test_the_title_names_the_agency_and_an_unpublished_report_is_a_draft(client, inputs):
    page = client.get(reverse("disclosure:annual_report", args=[2024])).content.decode()
    assert "攀枝花市东区生态环境局2024年政府信息公开工作年度报告" in page
    assert 'data-testid="draft-label"' not in page
    inputs.published_on = None
    inputs.save()
    page = client.get(reverse("disclosure:annual_report", args=[2024])).content.decode()
    assert 'data-testid="draft-label"' in page
    assert _sheet(client, 2024)["A1"].value.endswith("（草稿）")
    # The current year has no published report yet: it is a draft.
    year = dt.date.today().year
    page = client.get(reverse("disclosure:annual_report", args=[year])).content.decode()
    assert 'data-testid="draft-label"' in page
