"""Demo content of the disclosure section (idempotent): the index page, ~40 catalogue items
across categories and years (some with two versions), indicator readings, project progress,
a 2025 disclosure plan with on-time, late and missing entries, and requests at several stages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from disclosure import data, workflow
from disclosure.models import (
    AnnualReportInputs,
    DisclosureCategory,
    DisclosureIndexPage,
    DisclosureItemAttachment,
    DisclosureItemPage,
    DisclosureItemVersion,
    DisclosurePlan,
    DisclosurePlanEntry,
    DisclosureRequest,
    Indicator,
    KeyProject,
    ProjectProgress,
    ProjectProgressPhoto,
    ProjectSystem,
)
from disclosure.services import indicator_reading_record, project_progress_record
from portal.models import Department
from portal.uploads import sample_pdf

D = dt.date

# (category slug, title, doc type, department code, document number, publication date, body)
ITEMS = [
    (
        "organisation",
        "东区生态环境局主要职责和内设机构",
        "其他",
        "eco-env",
        "",
        D(2021, 3, 2),
        "东区生态环境局负责建立健全生态环境基本制度，统筹协调重大生态环境问题，监督管理污染防治、核与辐射安全，组织开展生态环境保护督察。局机关设办公室、生态环境监测股、执法大队等内设机构。",
    ),
    (
        "policy",
        "东区生态环境保护工作责任规定（试行）",
        "办法",
        "eco-env",
        "东环发〔2021〕12号",
        D(2021, 6, 18),
        "为落实生态环境保护“党政同责、一岗双责”，明确区级各部门和各街道（镇）的生态环境保护责任，制定本规定。各责任单位应于每年一月底前报告上一年度履职情况。",
    ),
    (
        "policy",
        "东区扬尘污染防治管理办法",
        "办法",
        "housing",
        "东住建发〔2022〕5号",
        D(2022, 4, 6),
        "建筑工地应落实“六个百分之百”扬尘防治措施。施工单位未按规定采取防尘措施的，由主管部门责令改正并依法处罚。",
    ),
    (
        "planning",
        "攀枝花市东区国家生态文明建设示范区创建规划（2021-2025）",
        "规划",
        "eco-env",
        "",
        D(2021, 9, 30),
        "规划以2020年为基准年，规划期为2021-2025年，明确生态制度、生态安全、生态空间、生态经济、生态生活、生态文化六大体系35项建设指标和48项重点工程。",
    ),
    (
        "planning",
        "东区2023年生态环境保护工作要点",
        "方案",
        "eco-env",
        "东环发〔2023〕3号",
        D(2023, 2, 20),
        "2023年重点推进大气污染防治攻坚、金沙江流域水生态保护、土壤污染风险管控和生态文明示范创建，确保环境空气优良天数比例稳定在95%以上。",
    ),
    (
        "planning",
        "东区2024年生态环境保护工作要点",
        "方案",
        "eco-env",
        "东环发〔2024〕2号",
        D(2024, 2, 26),
        "2024年以创建国家生态文明建设示范区为统揽，持续深入打好蓝天、碧水、净土保卫战，完成重点工程年度投资计划。",
    ),
    (
        "planning",
        "东区2025年生态环境信息公开年度计划",
        "方案",
        "eco-env",
        "",
        D(2025, 1, 20),
        "本计划列明2025年应主动公开的生态环境信息、公开时限和责任单位。信息形成或变更之日起20个工作日内予以公开。",
    ),
    (
        "quality",
        "2021年东区生态环境质量状况",
        "报告",
        "eco-env",
        "",
        D(2022, 5, 30),
        "2021年东区环境空气优良天数比例为96.3%，金沙江东区段出境断面水质达到II类，集中式饮用水水源地水质达标率100%。",
    ),
    (
        "quality",
        "2022年东区生态环境质量状况",
        "报告",
        "eco-env",
        "",
        D(2023, 5, 29),
        "2022年东区环境空气优良天数比例为95.9%，PM2.5年均浓度同比下降，金沙江出境断面水质保持II类。",
    ),
    (
        "quality",
        "2023年东区生态环境质量状况",
        "报告",
        "eco-env",
        "",
        D(2024, 5, 31),
        "2023年东区环境空气优良天数比例为96.7%，声环境功能区昼间达标率100%，土壤环境质量总体稳定。",
    ),
    (
        "quality",
        "2024年东区生态环境质量状况",
        "报告",
        "eco-env",
        "",
        D(2025, 5, 30),
        "2024年东区环境空气优良天数比例为97.0%，金沙江出境断面水质稳定达到II类，未发生较大及以上突发环境事件。",
    ),
    (
        "monitoring",
        "2024年第四季度重点排污单位监督性监测结果",
        "通告",
        "eco-env",
        "",
        D(2025, 1, 15),
        "本季度对辖区12家重点排污单位开展监督性监测，废气、废水排放均达到相应排放标准。",
    ),
    (
        "monitoring",
        "2025年第一季度重点排污单位监督性监测结果",
        "通告",
        "eco-env",
        "",
        D(2025, 4, 14),
        "本季度对辖区12家重点排污单位开展监督性监测，1家单位颗粒物排放浓度超标，已责令限期整改。",
    ),
    (
        "monitoring",
        "2025年第二季度重点排污单位监督性监测结果",
        "通告",
        "eco-env",
        "",
        D(2025, 7, 14),
        "本季度对辖区12家重点排污单位开展监督性监测，各项污染物排放均达标。",
    ),
    (
        "licensing",
        "关于攀钢钒炼铁厂新3号烧结机烟气脱硝改造项目环境影响报告表的批复",
        "批复",
        "eco-env",
        "东环审〔2022〕8号",
        D(2022, 3, 11),
        "经审查，该项目在落实报告表提出的各项污染防治措施后，环境不利影响能够得到缓解和控制，同意项目建设。",
    ),
    (
        "licensing",
        "2024年建设项目环境影响评价审批情况汇总",
        "公告",
        "eco-env",
        "",
        D(2025, 1, 10),
        "2024年共审批建设项目环境影响报告表21项，办理登记表备案63项，审批时限均在法定时限内。",
    ),
    (
        "penalties",
        "东区生态环境局行政处罚决定书（某建材公司超标排放）",
        "决定",
        "eco-env",
        "东环罚〔2023〕7号",
        D(2023, 8, 22),
        "当事人颗粒物排放浓度超过排放标准，违反《大气污染防治法》第十八条，依据第九十九条第二项，决定处罚款人民币十万元。",
    ),
    (
        "penalties",
        "东区生态环境局行政处罚决定书（某物流公司未批先建）",
        "决定",
        "eco-env",
        "东环罚〔2024〕3号",
        D(2024, 5, 9),
        "当事人建设项目环境影响评价文件未经批准擅自开工建设，依据《环境影响评价法》第三十一条作出处罚决定。",
    ),
    (
        "penalties",
        "2025年上半年生态环境行政处罚案件信息",
        "公告",
        "eco-env",
        "",
        D(2025, 7, 18),
        "2025年上半年共办理生态环境行政处罚案件9件，罚没款合计86.5万元，案件信息已按规定公示。",
    ),
    (
        "incidents",
        "东区突发环境事件应急预案（2022年修订）",
        "方案",
        "emergency",
        "东府办发〔2022〕21号",
        D(2022, 9, 8),
        "预案规定突发环境事件的分级、预警、信息报告、应急响应和后期处置，明确区应急管理局和东区生态环境局的职责。",
    ),
    (
        "incidents",
        "关于开展2024年突发环境事件应急演练的通知",
        "通知",
        "emergency",
        "",
        D(2024, 6, 3),
        "定于2024年6月在高梁坪工业园区开展危险化学品泄漏突发环境事件应急演练，请各相关单位做好准备。",
    ),
    (
        "eia",
        "攀枝花市东区生活污水新三年推进项目环境影响评价公众参与信息公示",
        "公告",
        "housing",
        "",
        D(2022, 7, 1),
        "项目建设东区污水管网约51km。公众可在公示期内通过信函、电子邮件等方式提出意见。",
    ),
    (
        "eia",
        "循环经济产业园建设项目环境影响评价第二次公示",
        "公告",
        "economy-it",
        "",
        D(2023, 4, 17),
        "循环经济产业园建设项目环境影响报告书征求意见稿已编制完成，现予公示，公示期10个工作日。",
    ),
    (
        "discharge-permits",
        "2023年排污许可证核发情况公告",
        "公告",
        "eco-env",
        "",
        D(2024, 1, 12),
        "2023年共核发排污许可证17张，变更8张，延续12张，登记管理单位56家。",
    ),
    (
        "discharge-permits",
        "2024年排污许可证核发情况公告",
        "公告",
        "eco-env",
        "",
        D(2025, 1, 13),
        "2024年共核发排污许可证14张，变更11张，延续9张，注销2张。",
    ),
    (
        "enterprises",
        "2023年度东区重点排污单位名录",
        "公告",
        "eco-env",
        "",
        D(2023, 3, 28),
        "根据《环境监管重点单位名录管理办法》，确定2023年度东区重点排污单位共12家，涵盖钢铁、焦化、钒钛等行业。",
    ),
    (
        "enterprises",
        "2024年度企业环境信用评价结果",
        "公告",
        "eco-env",
        "",
        D(2024, 11, 20),
        "2024年度参评企业48家，其中环保诚信企业9家、环保良好企业31家、环保警示企业6家、环保不良企业2家。",
    ),
    (
        "rectification",
        "中央生态环境保护督察反馈问题整改进展情况",
        "报告",
        "eco-env",
        "",
        D(2022, 12, 15),
        "督察反馈涉及东区问题11项，已完成整改9项，其余2项按序时推进。",
    ),
    (
        "rectification",
        "省级生态环境保护督察交办信访件办理情况（第一批）",
        "公告",
        "eco-env",
        "",
        D(2024, 8, 9),
        "第一批交办信访件23件，已办结21件，阶段性办结2件，责任单位正在持续整改。",
    ),
    (
        "rectification",
        "硫磺沟流域综合治理整改销号公示",
        "公告",
        "agri-water",
        "",
        D(2025, 3, 21),
        "硫磺沟流域防洪排涝及水土流失综合治理工程已完成验收，现对该整改事项予以销号公示。",
    ),
    (
        "drinking-water",
        "2024年第三季度集中式饮用水水源地水质状况",
        "通告",
        "eco-env",
        "",
        D(2024, 10, 15),
        "本季度集中式饮用水水源地水质监测结果全部达到《地表水环境质量标准》III类标准。",
    ),
    (
        "drinking-water",
        "2024年第四季度集中式饮用水水源地水质状况",
        "通告",
        "eco-env",
        "",
        D(2025, 1, 16),
        "本季度集中式饮用水水源地水质监测结果全部达标，水质达标率100%。",
    ),
    (
        "drinking-water",
        "2025年第一季度集中式饮用水水源地水质状况",
        "通告",
        "eco-env",
        "",
        D(2025, 4, 15),
        "本季度集中式饮用水水源地水质监测结果全部达标。",
    ),
    (
        "drinking-water",
        "2025年第二季度集中式饮用水水源地水质状况",
        "通告",
        "eco-env",
        "",
        D(2025, 7, 21),
        "本季度集中式饮用水水源地水质监测结果全部达标。",
    ),
    (
        "finance",
        "2024年东区生态环境保护专项资金安排情况",
        "公告",
        "finance",
        "",
        D(2024, 4, 2),
        "2024年安排生态环境保护专项资金3,260万元，主要用于大气污染治理、农村生活污水治理和生态修复。",
    ),
    (
        "finance",
        "2025年东区生态环境保护专项资金安排情况",
        "公告",
        "finance",
        "",
        D(2025, 4, 8),
        "2025年安排生态环境保护专项资金3,540万元，重点支持国家生态文明建设示范区创建工作。",
    ),
    (
        "annual-reports",
        "东区生态环境局2022年政府信息公开工作年度报告",
        "报告",
        "eco-env",
        "",
        D(2023, 1, 30),
        "2022年，东区生态环境局主动公开政府信息126条，收到政府信息公开申请7件，均在法定期限内答复。",
    ),
    (
        "annual-reports",
        "东区生态环境局2023年政府信息公开工作年度报告",
        "报告",
        "eco-env",
        "",
        D(2024, 1, 29),
        "2023年，东区生态环境局主动公开政府信息142条，收到政府信息公开申请9件，均在法定期限内答复。",
    ),
    (
        "annual-reports",
        "东区生态环境局2024年政府信息公开工作年度报告",
        "报告",
        "eco-env",
        "",
        D(2025, 1, 24),
        "2024年，东区生态环境局主动公开政府信息158条，收到政府信息公开申请11件，均在法定期限内答复。",
    ),
    (
        "quality",
        "2025年上半年东区生态环境质量状况",
        "报告",
        "eco-env",
        "",
        D(2025, 8, 28),
        "2025年上半年东区环境空气优良天数比例为96.1%，金沙江出境断面水质保持II类。",
    ),
]

# Items that get a second, corrected version (index into ITEMS) and the correction.
REVISIONS = {
    12: "本季度对辖区12家重点排污单位开展监督性监测，1家单位颗粒物排放浓度超标，已责令限期整改，整改已于2025年5月完成。",
    26: "2024年度参评企业48家，其中环保诚信企业9家、环保良好企业31家、环保警示企业5家、环保不良企业3家。（更正）",
}

# 2025 plan: (title, category slug, department code, rule, due or formed date, ITEMS index or None)
PLAN_2025 = [
    ("2024年政府信息公开工作年度报告", "annual-reports", "eco-env", "fixed", D(2025, 1, 31), 38),
    (
        "2024年第四季度重点排污单位监督性监测结果",
        "monitoring",
        "eco-env",
        "fixed",
        D(2025, 1, 31),
        11,
    ),
    (
        "2024年第四季度集中式饮用水水源地水质状况",
        "drinking-water",
        "eco-env",
        "fixed",
        D(2025, 1, 31),
        31,
    ),
    ("2024年排污许可证核发情况", "discharge-permits", "eco-env", "fixed", D(2025, 1, 31), 24),
    (
        "2025年第一季度重点排污单位监督性监测结果",
        "monitoring",
        "eco-env",
        "after_formed",
        D(2025, 4, 3),
        12,
    ),
    (
        "2025年第一季度集中式饮用水水源地水质状况",
        "drinking-water",
        "eco-env",
        "fixed",
        D(2025, 4, 30),
        32,
    ),
    ("2025年生态环境保护专项资金安排情况", "finance", "finance", "fixed", D(2025, 3, 31), 35),
    ("2024年东区生态环境质量状况", "quality", "eco-env", "fixed", D(2025, 5, 31), 10),
    (
        "2025年上半年生态环境行政处罚案件信息",
        "penalties",
        "eco-env",
        "after_formed",
        D(2025, 7, 8),
        18,
    ),
    (
        "2025年第二季度集中式饮用水水源地水质状况",
        "drinking-water",
        "eco-env",
        "fixed",
        D(2025, 7, 15),
        33,
    ),
    (
        "2025年第二季度重点排污单位监督性监测结果",
        "monitoring",
        "eco-env",
        "fixed",
        D(2025, 7, 15),
        13,
    ),
    ("2025年上半年东区生态环境质量状况", "quality", "eco-env", "fixed", D(2025, 7, 31), 39),
    (
        "2025年第三季度集中式饮用水水源地水质状况",
        "drinking-water",
        "eco-env",
        "fixed",
        D(2025, 10, 31),
        None,
    ),
    ("东区突发环境事件应急预案修订稿", "incidents", "emergency", "fixed", D(2025, 9, 30), None),
    ("2026年生态环境保护工作要点", "planning", "eco-env", "fixed", D(2026, 2, 28), None),
]

# (indicator number, part, [(period, value or text, status, source)])
READINGS = [
    (
        5,
        0,
        [
            ("2022", "60", "未达标", "区电子政务中心统计"),
            ("2023", "78.5", "未达标", "区电子政务中心统计"),
            ("2024", "92.3", "未达标", "区电子政务中心统计"),
        ],
    ),
    (
        7,
        1,
        [
            ("2021", "96.3", "已达标", "东区生态环境局环境质量公报"),
            ("2022", "95.9", "已达标", "环境质量公报"),
            ("2023", "96.7", "已达标", "环境质量公报"),
            ("2024", "97.0", "已达标", "环境质量公报"),
        ],
    ),
    (
        10,
        0,
        [
            ("2022", "44.9", "未达标", "区林业局森林资源年报"),
            ("2023", "45.3", "已达标", "区林业局森林资源年报"),
            ("2024", "45.8", "已达标", "区林业局森林资源年报"),
        ],
    ),
    (
        12,
        0,
        [
            ("2022", "99.81", "未达标", "危险废物管理计划备案统计"),
            ("2023", "99.95", "未达标", "危险废物管理计划备案统计"),
            ("2024", "100", "已达标", "危险废物管理计划备案统计"),
        ],
    ),
    (
        19,
        0,
        [
            ("2022", "3.9", "未达标", "区住房和城乡建设局"),
            ("2023", "4.2", "未达标", "区住房和城乡建设局"),
            ("2024", "4.6", "已达标", "区住房和城乡建设局"),
        ],
    ),
    (
        24,
        0,
        [
            ("2022", "93", "未达标", "区卫生健康局水质抽检"),
            ("2023", "96", "未达标", "区卫生健康局水质抽检"),
            ("2024", "98.5", "未达标", "区卫生健康局水质抽检"),
        ],
    ),
    (
        25,
        0,
        [
            ("2022", "96.4", "已达标", "区住房和城乡建设局"),
            ("2023", "96.8", "已达标", "区住房和城乡建设局"),
            ("2024", "97.1", "已达标", "区住房和城乡建设局"),
        ],
    ),
    (
        32,
        0,
        [
            ("2022", "61.2", "未达标", "区财政局政府采购统计"),
            ("2023", "72.4", "未达标", "区财政局政府采购统计"),
            ("2024", "81.0", "已达标", "区财政局政府采购统计"),
        ],
    ),
    (
        34,
        0,
        [
            ("2023", "83.10", "已达标", "公众生态文明建设满意度调查（区统计局）"),
            ("2024", "84.05", "已达标", "公众生态文明建设满意度调查（区统计局）"),
        ],
    ),
    (
        35,
        0,
        [
            ("2023", "83.42", "已达标", "公众生态文明建设参与度调查（区统计局）"),
            ("2024", "84.60", "已达标", "公众生态文明建设参与度调查（区统计局）"),
        ],
    ),
]

PROGRESS_NOTES = {
    "not_started": "项目前期手续办理中。",
    "in_progress": "主体工程施工中，按计划推进。",
    "completed": "项目已完工并通过验收。",
    "delayed": "受资金到位和征地影响，工期顺延，已调整实施计划。",
}


def _plan_status(project: KeyProject) -> list[tuple[dt.date, int, str]]:
    """A plausible history from the construction period written in the plan."""
    period = project.period.strip().replace(" ", "")
    years = [int(y) for y in period.split("-") if y.isdigit()]
    start, end = (years[0], years[-1]) if years else (2021, 2023)
    history = [(D(start, 3, 31), 10, "in_progress")]
    if project.number % 7 == 0:
        history.append((D(end, 12, 31), 60, "delayed"))
        history.append((D(min(end + 1, 2025), 9, 30), 85, "delayed"))
    elif project.number % 5 == 0:
        history.append((D(start, 12, 31), 45, "in_progress"))
    else:
        history.append((D(start, 12, 31), 55, "in_progress"))
        history.append((D(end, 12, 31), 100, "completed"))
    return history


def ensure_organisation_codes() -> None:
    """Fictitious 18-character codes so that demo index numbers look like real ones."""
    for department in Department.objects.filter(organisation_code=""):
        department.organisation_code = f"11510402MB{department.sort_order:07d}D"
        department.save(update_fields=["organisation_code"])


def ensure_index_page():
    from cms.models import HomePage
    from portal.demo import ensure_section

    home = HomePage.objects.first()
    return ensure_section(
        home,
        slug="disclosure",
        page_class=DisclosureIndexPage,
        title="生态环境信息公开",
        title_en="Environmental information disclosure",
        intro="政府信息公开目录、35项建设指标与48项重点工程进展、信息公开率、依申请公开和年度报告。",
    )


def _backdate_versions(page, published: dt.date) -> None:
    """Demo items are created today but stand for ones published on ``published``: date their
    versions accordingly (v1 that morning, a correction a month later) so the history reads true."""
    for version in DisclosureItemVersion.objects.filter(item=page).order_by("number"):
        day = min(published + dt.timedelta(days=30 * (version.number - 1)), timezone.localdate())
        version.published_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
        version.save(update_fields=["published_at"])


def ensure_items(index, limit: int | None = None) -> list[DisclosureItemPage]:
    from wagtail.documents import get_document_model

    Document = get_document_model()
    categories = {c.slug: c for c in DisclosureCategory.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    pages = []
    for number, (slug, title, doc_type, dept, doc_no, published, body) in enumerate(ITEMS[:limit]):
        page = DisclosureItemPage.objects.filter(title=title).first()
        if page is None:
            page = DisclosureItemPage(
                title=title,
                slug=f"item-{published:%Y%m%d}-{number:03d}",
                department=departments[dept],
                category=categories[slug],
                doc_type=doc_type,
                document_number=doc_no,
                written_date=published - dt.timedelta(days=5),
                publication_date=published,
                summary=body[:60],
                body=f"<p>{body}</p>",
            )
            if number % 9 == 0:
                document = Document(title=f"{title}（附件）")
                document.file.save(
                    f"disclosure-demo-{number}.pdf",
                    ContentFile(sample_pdf(f"Demo attachment {number}")),
                    save=False,
                )
                document.save()
                page.attachments.add(DisclosureItemAttachment(document=document, label="附件1"))
            if number == 1:
                page.validity = DisclosureItemPage.Validity.REPEALED
            index.add_child(instance=page)
            page.save_revision().publish()
            if number in REVISIONS:
                page = DisclosureItemPage.objects.get(pk=page.pk)
                page.body = f"<p>{REVISIONS[number]}</p>"
                page.save_revision().publish()
            _backdate_versions(page, published)
        pages.append(page)
    return pages


def ensure_plan(pages) -> None:
    plan, _created = DisclosurePlan.objects.get_or_create(
        year=2025,
        defaults={
            "title": "东区2025年生态环境信息公开年度计划",
            "note": "依据《政府信息公开条例》第二十条、第二十六条编制。",
        },
    )
    if plan.entries.exists():
        return
    categories = {c.slug: c for c in DisclosureCategory.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    for order, (title, cat, dept, rule, when, item_index) in enumerate(PLAN_2025):
        entry = DisclosurePlanEntry(
            plan=plan,
            sort_order=order,
            title=title,
            category=categories[cat],
            department=departments[dept],
            due_rule=rule,
            due_date=when if rule == "fixed" else None,
            formed_date=when if rule == "after_formed" else None,
            item=pages[item_index] if item_index is not None and item_index < len(pages) else None,
        )
        entry.save()


def ensure_readings() -> None:
    for number, part, rows in READINGS:
        indicator = Indicator.objects.filter(number=number, part=part).first()
        if indicator is None:
            continue
        for period, value, status, source in rows:
            indicator_reading_record(
                indicator=indicator,
                period=period,
                period_end=D(int(period[:4]), 12, 31),
                value=Decimal(value),
                status=status,
                source_note=source,
            )


def ensure_progress() -> None:
    from wagtail.images import get_image_model

    if ProjectProgress.objects.exists():
        return
    Image = get_image_model()
    photo = Image.objects.filter(title="重点工程现场（示例）").first()
    if photo is None:
        try:
            with transaction.atomic():
                photo = _demo_image(Image)
        except Exception:  # Pillow missing or storage read-only: photos are optional
            photo = None
    today = timezone.localdate()
    for project in KeyProject.objects.order_by("number"):
        if project.number % 6 == 0:
            continue  # no report yet: 未开工
        for date, percent, status in _plan_status(project):
            if date > today:
                break
            progress = project_progress_record(
                project=project,
                date=date,
                percent_complete=percent,
                status=status,
                note=PROGRESS_NOTES[status],
            )
            if photo is not None and status == "completed" and project.number % 4 == 1:
                ProjectProgressPhoto.objects.create(
                    progress=progress, image=photo, caption="施工现场"
                )


def _demo_image(Image):
    import io

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (480, 320), (26, 127, 74)).save(buffer, "PNG")
    image = Image(title="重点工程现场（示例）", width=480, height=320)
    image.file.save("disclosure-demo-site.png", ContentFile(buffer.getvalue()), save=False)
    image.save()
    return image


VALID_ID = "510402199001011234"  # fictitious; region 510402 (东区), check digit per GB 11643


def ensure_requests() -> None:
    if DisclosureRequest.objects.exists():
        return
    officer = None
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.filter(username="disclosure").first()
    eco = Department.objects.get(code="eco-env")
    base = {
        "applicant_type": DisclosureRequest.ApplicantType.PERSON,
        "id_type": DisclosureRequest.IdType.RESIDENT_ID,
        "id_number": VALID_ID,
        "delivery": DisclosureRequest.Delivery.EMAIL,
    }

    def submit(name, description, received, **extra):
        request, _created = workflow.request_submit(
            data={
                **base,
                "applicant_name": name,
                "email": "applicant@demo.local",
                "phone": "+8613800000000",  # stored in E.164 (portal.phones)
                "description": description,
                **extra,
            },
            submission_token=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-request-{name}-{received}"),
            on_date=received,
        )
        return request

    # Answered in 2025: disclosed, partly disclosed, not held, a redirected complaint.
    r = submit("张明", "请公开2024年攀钢钒炼铁厂烧结机烟气在线监测月报。", D(2025, 3, 3))
    r = workflow.request_assign(request=r, department=eco, actor=officer)
    workflow.request_reply(
        request=r,
        actor=officer,
        reply_type="disclosed",
        text="所申请信息见附件，已通过电子邮件发送。",
        on_date=D(2025, 3, 20),
    )
    r = submit(
        "四川某环保科技有限公司",
        "请公开2024年度企业环境信用评价的评分细则和评价结果。",
        D(2025, 5, 12),
        applicant_type=DisclosureRequest.ApplicantType.BUSINESS,
        id_type=DisclosureRequest.IdType.CREDIT_CODE,
        id_number="91510400MA62X0XX3P",
    )
    workflow.request_start_consultation(
        request=r, actor=officer, note="征求被评价企业意见。", on_date=D(2025, 5, 14)
    )
    workflow.request_end_consultation(
        request=r, actor=officer, note="第三方不同意公开其商业信息。", on_date=D(2025, 5, 30)
    )
    workflow.request_reply(
        request=r,
        actor=officer,
        reply_type="partly",
        text="评分细则予以公开；涉及企业商业秘密部分不予公开。",
        reason="《政府信息公开条例》第十五条、第三十七条。",
        on_date=D(2025, 6, 18),
    )
    r = submit("李华", "请公开2010年东区某化工厂的环评批复原件。", D(2025, 8, 4))
    r = workflow.request_ask_supplement(
        request=r, actor=officer, note="请补充该化工厂的具体名称和地址。", on_date=D(2025, 8, 8)
    )
    r = workflow.request_receive_supplement(request=r, actor=officer, on_date=D(2025, 8, 18))
    workflow.request_reply(
        request=r,
        actor=officer,
        reply_type="unavailable_not_held",
        text="经检索，本机关未制作或保存该信息。",
        reason="《政府信息公开条例》第三十六条第（四）项。",
        on_date=D(2025, 9, 5),
    )
    r = submit("王芳", "小区楼下餐馆油烟扰民，请求查处。", D(2025, 9, 15))
    workflow.request_redirect(
        request=r,
        actor=officer,
        note="您反映的是投诉举报事项，请通过本网站“环境污染举报”栏目或12345热线反映。",
        on_date=D(2025, 9, 17),
    )

    # Open requests relative to today: one overdue, one due soon, one awaiting a supplement,
    # one extended.
    today = timezone.localdate()
    from portal.workdays import WorkdayCalendar

    calendar = WorkdayCalendar()

    def working_days_ago(n):
        day = today
        while n:
            day -= dt.timedelta(days=1)
            if calendar.is_working_day(day):
                n -= 1
        return day

    r = submit("赵强", "请公开银江镇农村生活污水处理设施运行台账。", working_days_ago(22))
    workflow.request_assign(
        request=r, department=Department.objects.get(code="agri-water"), actor=officer
    )
    r = submit("陈静", "请公开2025年第三季度饮用水水源地水质监测原始数据。", working_days_ago(17))
    workflow.request_assign(request=r, department=eco, actor=officer)
    r = submit("刘洋", "请公开有关文件。", working_days_ago(3))
    workflow.request_ask_supplement(
        request=r,
        actor=officer,
        note="请说明所需文件的名称、文号或大致形成时间。",
        on_date=working_days_ago(1),
    )
    r = submit(
        "周敏", "请公开瓜子坪街道废弃矿山生态修复项目的施工合同和验收报告。", working_days_ago(12)
    )
    workflow.request_assign(
        request=r, department=Department.objects.get(code="natural-resources"), actor=officer
    )
    # Next year's calendar may be unknown yet: then the request stays unextended.
    with contextlib.suppress(workflow.TransitionError):
        workflow.request_extend(
            request=r,
            actor=officer,
            days=15,
            reason="所需信息涉及多个部门，需要协调汇总。",
            on_date=working_days_ago(2),
        )


def ensure_report_inputs() -> None:
    AnnualReportInputs.objects.get_or_create(
        year=2025,
        defaults={
            "overview": "2025年，东区生态环境局坚持以公开为常态、不公开为例外，按照年度公开计划主动公开生态环境信息，依法办理政府信息公开申请。",
            "problems": "一是部分信息公开时效性有待提高；二是公开内容的解读不够充分。下一步将加强计划管理和政策解读。",
            "other_matters": "本年度未收取信息处理费。",
            "licences_decided": 19,
            "penalties_decided": 14,
            "review_upheld": 1,
            "published_on": dt.date(2026, 1, 20),
        },
    )


@transaction.atomic
def seed(*, item_limit: int | None = None) -> None:
    """Create the demo content; ``item_limit`` keeps only the first catalogue items (fast tests)."""
    ensure_organisation_codes()
    data.load_categories(DisclosureCategory)
    data.load_indicators(Indicator, Department)
    data.load_projects(ProjectSystem, KeyProject, Department)
    data.load_english_names(DisclosureCategory, Indicator, ProjectSystem, KeyProject)
    index = ensure_index_page()
    ensure_guide_pages(index)
    pages = ensure_items(index, item_limit)
    ensure_plan(pages)
    ensure_readings()
    ensure_progress()
    ensure_requests()
    ensure_report_inputs()


GUIDE_PAGES = [
    (
        "guide",
        "政府信息公开指南",
        "Guide to government information disclosure",
        "本指南说明东区生态环境局主动公开和依申请公开政府信息的范围、方式和程序。",
        "<h2>一、主动公开</h2>"
        "<p>主动公开的范围见本栏目“政府信息公开目录”，包括机构职能、政策文件、规划计划、环境质量、"
        "行政许可和行政处罚、突发环境事件、建设项目环评、排污许可、企业环境信息等。"
        "属于主动公开范围的政府信息，自形成或者变更之日起 20 个工作日内在本平台公开，"
        "法律、法规对期限另有规定的从其规定。</p>"
        "<h2>二、依申请公开</h2>"
        "<p>公民、法人或者其他组织可以通过本平台“依申请公开”在线提交申请，也可以书面提交。"
        "受理机构：东区生态环境局办公室；受理时间：法定工作日 9:00-12:00，14:30-18:00。</p>"
        "<p>能够当场答复的当场答复；不能当场答复的，自收到申请之日起 20 个工作日内答复；"
        "需要延长答复期限的，经负责人同意并告知申请人，延长期限最长不超过 20 个工作日。"
        "征求第三方意见所需时间不计算在内。</p>"
        "<h2>三、收费</h2>"
        "<p>提供政府信息不收取费用。申请人申请公开政府信息的数量、频次明显超过合理范围的，"
        "可以依照国家规定收取信息处理费。</p>"
        "<h2>四、监督和救济</h2>"
        "<p>认为政府信息公开工作侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，"
        "也可以依法申请行政复议或者提起行政诉讼。</p>",
    ),
    (
        "rules",
        "政府信息公开制度",
        "Rules of government information disclosure",
        "东区生态环境局政府信息公开工作遵循的主要制度。",
        "<ul>"
        "<li><b>主动公开制度</b>：编制生态环境信息公开年度计划，明确公开事项、责任单位和时限，按计划公开并公布完成情况。</li>"
        "<li><b>依申请公开制度</b>：统一受理、登记、办理和答复，按《中华人民共和国政府信息公开条例》规定的期限办理。</li>"
        "<li><b>保密审查制度</b>：拟公开的政府信息先经保密审查，涉及国家秘密、商业秘密和个人隐私的依法处理。</li>"
        "<li><b>发布协调制度</b>：涉及其他机关的政府信息，公开前与有关机关沟通确认。</li>"
        "<li><b>年度报告制度</b>：每年 1 月 31 日前公布上一年度政府信息公开工作年度报告。</li>"
        "<li><b>监督考核制度</b>：信息公开工作纳入绩效考核，接受社会评议和监督。</li>"
        "</ul>",
    ),
]


def ensure_guide_pages(index) -> None:
    """The 政府信息公开指南 and 制度 pages under the section (plain cms pages); idempotent."""
    from cms.models import StandardPage

    existing = set(index.get_children().values_list("slug", flat=True))
    for slug, title, title_en, intro, body in GUIDE_PAGES:
        if slug in existing:
            continue
        page = StandardPage(
            slug=slug, title=title, title_en=title_en, intro=intro, body=body, show_in_menus=True
        )
        index.add_child(instance=page)
        page.save_revision().publish()
