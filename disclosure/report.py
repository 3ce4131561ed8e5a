"""政府信息公开工作年度报告 in the format of 国办公开办函〔2021〕30号.

Counts come from the data (items, plan, requests); figures kept elsewhere (复议/诉讼, rules,
licences, penalties, fees) come from ``AnnualReportInputs`` entered by officers.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from disclosure.models import (
    AnnualReportInputs,
    DisclosureCategory,
    DisclosureItemPage,
    DisclosureRequest,
)
from disclosure.reply_types import outcome_rows
from disclosure.selectors import plan_rate
from portal.spreadsheets import xlsx_append_row

AT = DisclosureRequest.ApplicantType
NORMATIVE = DisclosureCategory.ReportRole.NORMATIVE_DOCUMENTS

#: Columns of section 三: 自然人, then 法人或其他组织 split five ways, then 总计.
COLUMNS = [AT.PERSON, AT.BUSINESS, AT.RESEARCH, AT.NONPROFIT, AT.LEGAL, AT.OTHER_ORG]
COLUMN_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

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
    review_rows: list[tuple[str, list[int]]]
    proactive_rows: list[tuple[str, list]]
    rate: object


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


def build_annual_report(year: int) -> AnnualReport:
    inputs = AnnualReportInputs.objects.filter(year=year).first() or AnnualReportInputs(year=year)
    items = DisclosureItemPage.objects.live().filter(publication_date__year=year)
    by_category = dict(
        items.order_by()
        .values("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    categories = [(c.name, by_category.get(c.pk, 0)) for c in DisclosureCategory.objects.all()]
    review_rows = [
        (
            "行政复议",
            [
                inputs.review_upheld,
                inputs.review_corrected,
                inputs.review_other,
                inputs.review_pending,
            ],
        ),
        (
            "行政诉讼（未经复议直接起诉）",
            [
                inputs.suit_direct_upheld,
                inputs.suit_direct_corrected,
                inputs.suit_direct_other,
                inputs.suit_direct_pending,
            ],
        ),
        (
            "行政诉讼（复议后起诉）",
            [
                inputs.suit_after_upheld,
                inputs.suit_after_corrected,
                inputs.suit_after_other,
                inputs.suit_after_pending,
            ],
        ),
    ]
    review_rows = [(label, [*vals, sum(vals)]) for label, vals in review_rows]
    proactive_rows = [
        ("规章", [inputs.rules_issued, inputs.rules_repealed, inputs.rules_in_force]),
        (
            "行政规范性文件",
            [
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
            ],
        ),
        ("行政许可（本年处理决定数量）", [inputs.licences_decided]),
        ("行政处罚（本年处理决定数量）", [inputs.penalties_decided]),
        ("行政强制（本年处理决定数量）", [inputs.coercive_measures]),
        ("行政事业性收费（金额，万元）", [inputs.fees_amount]),
    ]
    rate, _late, _missing, _entries = plan_rate(year=year, as_of=dt.date(year, 12, 31))
    return AnnualReport(
        year=year,
        inputs=inputs,
        items_published=items.count(),
        items_by_category=categories,
        requests_rows=request_rows(year),
        review_rows=review_rows,
        proactive_rows=proactive_rows,
        rate=rate,
    )


def annual_report_xlsx(report: AnnualReport, *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = str(report.year)
    bold = Font(bold=True)
    xlsx_append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx_append_row(ws, [])
    xlsx_append_row(ws, ["一、总体情况"])
    ws.cell(ws.max_row, 1).font = bold
    xlsx_append_row(ws, [report.inputs.overview or ""])
    xlsx_append_row(ws, [_("Items published"), report.items_published])
    rate = report.rate.rate
    xlsx_append_row(
        ws,
        [
            _("Disclosure rate (plan entries on time / due)"),
            float(rate) if rate is not None else "—",
        ],
    )
    xlsx_append_row(ws, [])
    xlsx_append_row(ws, ["二、主动公开政府信息情况"])
    ws.cell(ws.max_row, 1).font = bold
    xlsx_append_row(ws, ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])
    for label, values in report.proactive_rows:
        xlsx_append_row(ws, [label, *[float(v) if hasattr(v, "as_tuple") else v for v in values]])
    xlsx_append_row(ws, ["主题分类", "本年发布件数"])
    for name, count in report.items_by_category:
        xlsx_append_row(ws, [name, count])
    xlsx_append_row(ws, [])
    xlsx_append_row(ws, ["三、收到和处理政府信息公开申请情况"])
    ws.cell(ws.max_row, 1).font = bold
    xlsx_append_row(ws, ["", *COLUMN_LABELS])
    for row in report.requests_rows:
        xlsx_append_row(ws, ["　" * row.level + row.label, *row.counts])
    xlsx_append_row(ws, [])
    xlsx_append_row(ws, ["四、政府信息公开行政复议、行政诉讼情况"])
    ws.cell(ws.max_row, 1).font = bold
    xlsx_append_row(ws, ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])
    for label, values in report.review_rows:
        xlsx_append_row(ws, [label, *values])
    xlsx_append_row(ws, [])
    xlsx_append_row(ws, ["五、存在的主要问题及改进情况"])
    ws.cell(ws.max_row, 1).font = bold
    xlsx_append_row(ws, [report.inputs.problems or ""])
    xlsx_append_row(ws, [])
    xlsx_append_row(ws, ["六、其他需要报告的事项"])
    ws.cell(ws.max_row, 1).font = bold
    xlsx_append_row(ws, [report.inputs.other_matters or ""])
    ws.column_dimensions["A"].width = 60
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
