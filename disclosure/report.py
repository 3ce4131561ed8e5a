"""政府信息公开工作年度报告 in the format of 国办公开办函〔2021〕30号.

Counts come from the data (items, plan, requests); figures kept elsewhere (复议/诉讼, rules,
licences, penalties, fees) come from ``AnnualReportInputs`` entered by officers.

The template's tables are written once as cells (:class:`Cell`, :class:`ReportTable`): the page
renders them with rowspan/colspan and the XLSX with merged cells, so the two match cell for
cell (tests/disclosure/test_annual_report_template.py). A report is a draft (草稿) until its
``published_on`` date is set and reached.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from disclosure.models import (
    AnnualReportInputs,
    DisclosureCategory,
    DisclosureItemPage,
    DisclosureRequest,
)
from disclosure.reply_types import outcome_rows
from disclosure.selectors import plan_rate
from portal.spreadsheets import protect_xlsx_cell, xlsx_append_row

AT = DisclosureRequest.ApplicantType
NORMATIVE = DisclosureCategory.ReportRole.NORMATIVE_DOCUMENTS

#: Columns of section 三: 自然人, then 法人或其他组织 split five ways, then 总计.
COLUMNS = [AT.PERSON, AT.BUSINESS, AT.RESEARCH, AT.NONPROFIT, AT.LEGAL, AT.OTHER_ORG]
COLUMN_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

#: Labels of the template (the report is in Chinese in both interface languages).
DRAFT_LABEL = "草稿"
ITEMS_PUBLISHED = "本年主动公开信息（件）"
RATE_LABEL = "年度公开计划公开率（按时公开条目 / 应公开条目）"

#: Rows of 三、本年度办理结果 in the order of the standard table: (label, reply types, level).
OUTCOME_ROWS = outcome_rows()


@dataclass
class ReportRow:
    label: str
    counts: list[int]
    level: int = 0


@dataclass
class AnnualReport:
    year: int
    inputs: AnnualReportInputs
    items_published: int
    items_by_category: list[tuple[str, int]]
    requests_rows: list[ReportRow]
    review_row: list[int]  # section 四: 15 numbers
    rules: list[int]  # 规章: issued, repealed, in force
    normative: list[int]  # 行政规范性文件: issued, repealed, in force
    rate: object
    agency: str = ""
    is_draft: bool = True

    @property
    def title(self) -> str:
        return report_title(self)

    def tables(self) -> dict[str, list[ReportTable]]:
        return {
            "proactive": proactive_tables(self),
            "requests": [requests_table(self)],
            "review": [review_table(self)],
        }


def _counts_by_applicant(queryset) -> list[int]:
    by_type = dict(
        queryset.values("applicant_type").annotate(n=Count("id")).values_list("applicant_type", "n")
    )
    row = [by_type.get(c, 0) for c in COLUMNS]
    return [*row, sum(row)]


def _counts_by_reply(queryset) -> dict[tuple[str, str], int]:
    return {
        (r, a): n
        for r, a, n in queryset.values("reply_type", "applicant_type")
        .annotate(n=Count("id"))
        .values_list("reply_type", "applicant_type", "n")
    }


def request_rows(year: int) -> list[ReportRow]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    requests = DisclosureRequest.objects.all()
    new = requests.filter(received_on__gte=start, received_on__lte=end)
    carried_in = requests.filter(received_on__lt=start).filter(
        Q(replied_on__isnull=True) | Q(replied_on__gte=start)
    )
    handled = requests.filter(replied_on__gte=start, replied_on__lte=end)
    carried_out = requests.filter(received_on__lte=end).filter(
        Q(replied_on__isnull=True) | Q(replied_on__gt=end)
    )
    by_reply = _counts_by_reply(handled)

    def row_for(types) -> list[int]:
        row = [sum(by_reply.get((t, c), 0) for t in types) for c in COLUMNS]
        return [*row, sum(row)]

    rows = [
        ReportRow("一、本年新收政府信息公开申请数量", _counts_by_applicant(new)),
        ReportRow("二、上年结转政府信息公开申请数量", _counts_by_applicant(carried_in)),
        ReportRow("三、本年度办理结果", [], 0),
    ]
    for label, types, level in OUTCOME_ROWS:
        rows.append(ReportRow(label, row_for(types), level))
    rows.append(ReportRow("（七）总计", row_for(DisclosureRequest.ReplyType.values), 1))
    rows.append(ReportRow("四、结转下年度继续办理", _counts_by_applicant(carried_out)))
    return rows


def agency_name(inputs: AnnualReportInputs, request=None) -> str:
    """The reporting agency in the title: the year's own entry, else the site's 承办单位."""
    if inputs.agency:
        return inputs.agency
    from wagtail.models import Site

    from portal.models import PortalSettings

    site = (Site.find_for_request(request) if request is not None else None) or (
        Site.objects.filter(is_default_site=True).first()
    )
    if site is None:
        return ""
    return PortalSettings.for_site(site).operator


def build_annual_report(year: int, *, request=None, today: dt.date | None = None) -> AnnualReport:
    inputs = AnnualReportInputs.objects.filter(year=year).first() or AnnualReportInputs(year=year)
    items = DisclosureItemPage.objects.live().filter(publication_date__year=year)
    by_category = dict(
        items.order_by()
        .values("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    categories = [(c.name, by_category.get(c.pk, 0)) for c in DisclosureCategory.objects.all()]
    review = [
        inputs.review_upheld,
        inputs.review_corrected,
        inputs.review_other,
        inputs.review_pending,
    ]
    suit_direct = [
        inputs.suit_direct_upheld,
        inputs.suit_direct_corrected,
        inputs.suit_direct_other,
        inputs.suit_direct_pending,
    ]
    suit_after = [
        inputs.suit_after_upheld,
        inputs.suit_after_corrected,
        inputs.suit_after_other,
        inputs.suit_after_pending,
    ]
    review_row = [
        *review,
        sum(review),
        *suit_direct,
        sum(suit_direct),
        *suit_after,
        sum(suit_after),
    ]
    normative = [
        items.filter(category__report_role=NORMATIVE).count(),
        DisclosureItemPage.objects.live()
        .filter(
            category__report_role=NORMATIVE,
            validity__in=["repealed", "expired"],
            last_published_at__year=year,
        )
        .count(),
        DisclosureItemPage.objects.live()
        .filter(category__report_role=NORMATIVE, validity="valid")
        .count(),
    ]
    rate, _late, _missing, _entries = plan_rate(year=year, as_of=dt.date(year, 12, 31))
    today = today or timezone.localdate()
    return AnnualReport(
        year=year,
        inputs=inputs,
        agency=agency_name(inputs, request),
        items_published=items.count(),
        items_by_category=categories,
        requests_rows=request_rows(year),
        review_row=review_row,
        rules=[inputs.rules_issued, inputs.rules_repealed, inputs.rules_in_force],
        normative=normative,
        rate=rate,
        is_draft=not (inputs.pk and inputs.published_on and inputs.published_on <= today),
    )


# --------------------------------------------------------------------------------------------
# The layout of the national template, shared by the page and the XLSX
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell of a report table: a header (``th``) or a value, possibly merged."""

    value: object = ""
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    scope: str = ""  # "col", "colgroup", "row" for headers
    percent: bool = False
    money: bool = False
    level: int = 0  # indentation of a row label (三、本年度办理结果)

    @property
    def is_number(self) -> bool:
        return not self.header and isinstance(self.value, int | float | Decimal)

    @property
    def text(self) -> str:
        """The value as the page shows it (and as a reader of the XLSX sees it formatted)."""
        if self.value is None:
            return "—"
        if self.percent:
            return f"{float(self.value) * 100:.2f}%"
        if self.money:
            return f"{Decimal(self.value):.2f}"
        return str(self.value)


@dataclass(frozen=True)
class ReportTable:
    key: str
    caption: str
    columns: int
    rows: list[list[Cell]]


def H(text: str, colspan: int = 1, rowspan: int = 1, scope: str = "col") -> Cell:
    return Cell(text, colspan=colspan, rowspan=rowspan, header=True, scope=scope)


def R(text: str, level: int = 0, colspan: int = 1) -> Cell:
    return Cell(text, header=True, scope="row", level=level, colspan=colspan)


#: Section 四's columns under each group (行政复议; 行政诉讼 未经复议直接起诉 / 复议后起诉).
REVIEW_RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def proactive_tables(report: AnnualReport) -> list[ReportTable]:
    """二、主动公开政府信息情况: the four blocks of the template, four columns each."""
    return [
        ReportTable(
            "article-20-1",
            "第二十条第（一）项",
            4,
            [
                [H("第二十条第（一）项", colspan=4, scope="colgroup")],
                [H("信息内容"), H("本年制发件数"), H("本年废止件数"), H("现行有效件数")],
                [R("规章"), *[Cell(v) for v in report.rules]],
                [R("行政规范性文件"), *[Cell(v) for v in report.normative]],
            ],
        ),
        ReportTable(
            "article-20-5",
            "第二十条第（五）项",
            4,
            [
                [H("第二十条第（五）项", colspan=4, scope="colgroup")],
                [H("信息内容"), H("本年处理决定数量", colspan=3)],
                [R("行政许可"), Cell(report.inputs.licences_decided, colspan=3)],
            ],
        ),
        ReportTable(
            "article-20-6",
            "第二十条第（六）项",
            4,
            [
                [H("第二十条第（六）项", colspan=4, scope="colgroup")],
                [H("信息内容"), H("本年处理决定数量", colspan=3)],
                [R("行政处罚"), Cell(report.inputs.penalties_decided, colspan=3)],
                [R("行政强制"), Cell(report.inputs.coercive_measures, colspan=3)],
            ],
        ),
        ReportTable(
            "article-20-8",
            "第二十条第（八）项",
            4,
            [
                [H("第二十条第（八）项", colspan=4, scope="colgroup")],
                [H("信息内容"), H("本年收费金额（单位：万元）", colspan=3)],
                [
                    R("行政事业性收费"),
                    Cell(Decimal(report.inputs.fees_amount), colspan=3, money=True),
                ],
            ],
        ),
    ]


def requests_table(report: AnnualReport) -> ReportTable:
    """三: the label column, then 申请人情况 over 自然人 / 法人或其他组织 (five kinds) / 总计."""
    rows = [
        [
            H("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3),
            H("申请人情况", colspan=7, scope="colgroup"),
        ],
        [
            H(COLUMN_LABELS[0], rowspan=2),
            H("法人或其他组织", colspan=5, scope="colgroup"),
            H(COLUMN_LABELS[-1], rowspan=2),
        ],
        [H(label) for label in COLUMN_LABELS[1:6]],
    ]
    for row in report.requests_rows:
        if row.counts:
            rows.append([R(row.label, level=row.level), *[Cell(n) for n in row.counts]])
        else:
            rows.append([R(row.label, level=row.level, colspan=8)])
    return ReportTable("requests", "收到和处理政府信息公开申请情况", 8, rows)


def review_table(report: AnnualReport) -> ReportTable:
    """四: one row of 15 numbers under 行政复议 (5) and 行政诉讼 (2 × 5)."""
    rows = [
        [H("行政复议", colspan=5, scope="colgroup"), H("行政诉讼", colspan=10, scope="colgroup")],
        [
            *[H(label, rowspan=2) for label in REVIEW_RESULTS],
            H("未经复议直接起诉", colspan=5, scope="colgroup"),
            H("复议后起诉", colspan=5, scope="colgroup"),
        ],
        [H(label) for label in REVIEW_RESULTS * 2],
        [Cell(n) for n in report.review_row],
    ]
    return ReportTable("review", "政府信息公开行政复议、行政诉讼情况", 15, rows)


def report_title(report: AnnualReport) -> str:
    return f"{report.agency}{report.year}年政府信息公开工作年度报告"


def place(table: ReportTable) -> list[tuple[int, int, Cell]]:
    """(row, column, cell) of every cell, 0-based, the way an HTML table lays out spans."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return placed


def _write_table(ws, table: ReportTable, top: int) -> int:
    """Write ``table`` with its top-left cell at row ``top`` (1-based); the next free row."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bottom = top
    for r, c, cell in place(table):
        row, column = top + r, 1 + c
        target = ws.cell(row=row, column=column)
        value = cell.value
        if isinstance(value, Decimal):
            value = float(value)
        if isinstance(value, str):
            value = ("　" * cell.level) + value if value else None
        target.value = value
        protect_xlsx_cell(target)  # text stays text, never a formula
        if cell.percent:
            target.number_format = "0.00%"
        elif cell.money:
            target.number_format = "0.00"
        target.font = Font(bold=cell.header and cell.scope != "row")
        target.alignment = Alignment(
            wrap_text=True,
            vertical="center",
            horizontal="left" if cell.scope == "row" else "center",
        )
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                ws.cell(row=row + dr, column=column + dc).border = border
        if cell.colspan > 1 or cell.rowspan > 1:
            ws.merge_cells(
                start_row=row,
                start_column=column,
                end_row=row + cell.rowspan - 1,
                end_column=column + cell.colspan - 1,
            )
        bottom = max(bottom, row + cell.rowspan - 1)
    return bottom + 1


def annual_report_xlsx(report: AnnualReport) -> bytes:
    """The report as one sheet laid out like the national template, cell for cell as the page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = str(report.year)
    bold = Font(bold=True)
    title = report_title(report)
    if report.is_draft:
        title = f"{title}（{DRAFT_LABEL}）"
    xlsx_append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx_append_row(ws, [])

    def heading(text: str) -> None:
        xlsx_append_row(ws, [text])
        ws.cell(ws.max_row, 1).font = bold

    def paragraph(text: str) -> None:
        xlsx_append_row(ws, [text])
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")

    heading("一、总体情况")
    paragraph(report.inputs.overview or "")
    xlsx_append_row(ws, [ITEMS_PUBLISHED, report.items_published])
    rate = report.rate.rate
    xlsx_append_row(ws, [RATE_LABEL, float(rate) if rate is not None else "—"])
    if rate is not None:
        ws.cell(ws.max_row, 2).number_format = "0.00%"
    xlsx_append_row(ws, [])
    heading("二、主动公开政府信息情况")
    row = ws.max_row + 1
    for table in proactive_tables(report):
        row = _write_table(ws, table, row)
    xlsx_append_row(ws, [])
    heading("三、收到和处理政府信息公开申请情况")
    row = _write_table(ws, requests_table(report), ws.max_row + 1)
    xlsx_append_row(ws, [])
    heading("四、政府信息公开行政复议、行政诉讼情况")
    _write_table(ws, review_table(report), ws.max_row + 1)
    xlsx_append_row(ws, [])
    heading("五、存在的主要问题及改进情况")
    paragraph(report.inputs.problems or "")
    xlsx_append_row(ws, [])
    heading("六、其他需要报告的事项")
    paragraph(report.inputs.other_matters or "")
    ws.column_dimensions["A"].width = 40
    for letter in "BCDEFGHIJKLMNO":
        ws.column_dimensions[letter].width = 11
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
