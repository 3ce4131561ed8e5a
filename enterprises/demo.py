"""Demo data: about twenty enterprises of the district's industries (names marked 示例), their
outlets and limits, a year of annual reports (one late, one missing, one corrected), temporary
reports (one late), monitoring series with one exceedance, a voluntary carbon filer and the demo
enterprise account ``enterprise@demo.local``. Idempotent (``seed_demo``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from enterprises import deadlines, report_format
from enterprises.models import (
    AnnualReport,
    Enterprise,
    EnterpriseAccount,
    LegalDocument,
    MonitoringResult,
    Outlet,
    OutletLimit,
    ReportAttachment,
    ReportVersion,
    TemporaryReport,
)
from portal import roles
from portal.demo import DEMO_PASSWORD
from portal.models import Subdistrict
from portal.uploads import sample_pdf

ACCOUNT_EMAIL = "enterprise@demo.local"


def credit_code(n: int) -> str:
    base = f"91510402MA6{n:05d}X"
    return base + uscc.calc_check_digit(base)


KP, CP, LC, BI = (
    "is_key_polluter",
    "is_clean_production_audit",
    "is_listed_company",
    "is_bond_issuer",
)

# (number, name, industry, sub-district code, categories, listed from, listed until)
ENTERPRISES = [
    (1, "示例·东区钢铁有限公司", "steel", "nongnongping", (KP, CP, LC), 2022, None),
    (2, "示例·东区钒制品有限公司", "vanadium_titanium", "nongnongping", (KP, CP), 2022, None),
    (3, "示例·东区钛白粉有限公司", "vanadium_titanium", "yinjiang", (KP, CP), 2022, None),
    (4, "示例·东区钛材料股份有限公司", "vanadium_titanium", "yinjiang", (KP, LC), 2023, None),
    (5, "示例·东区热电有限公司", "power", "dadukou", (KP, BI), 2022, None),
    (6, "示例·东区发电有限责任公司", "power", "dadukou", (KP,), 2022, None),
    (7, "示例·东区焦化有限公司", "chemicals", "nongnongping", (KP, CP), 2022, None),
    (8, "示例·东区精细化工有限公司", "chemicals", "yinjiang", (KP,), 2023, None),
    (9, "示例·东区气体有限公司", "chemicals", "guaziping", (CP,), 2024, None),
    (10, "示例·东区石灰石矿业有限公司", "mining", "yinjiang", (KP,), 2022, None),
    (11, "示例·东区钒钛磁铁矿选矿有限公司", "mining", "guaziping", (KP, CP), 2022, None),
    (12, "示例·东区水泥有限公司", "building_materials", "yinjiang", (KP, CP), 2022, None),
    (13, "示例·东区新型建材有限公司", "building_materials", "donghua", (KP,), 2023, None),
    (14, "示例·东区商品混凝土有限公司", "building_materials", "bingcaogang", (CP,), 2024, None),
    (15, "示例·东区冶金渣综合利用有限公司", "steel", "nongnongping", (KP,), 2022, None),
    (16, "示例·东区耐火材料有限公司", "building_materials", "guaziping", (KP,), 2022, 2024),
    (17, "示例·东区污水处理有限公司", "other", "dadukou", (KP,), 2022, None),
    (18, "示例·东区危险废物处置有限公司", "other", "yinjiang", (KP,), 2022, None),
    (19, "示例·东区城投集团有限公司", "other", "bingcaogang", (BI,), 2024, None),
    (20, "示例·东区光伏科技有限公司", "power", "donghua", (), None, None),  # voluntary carbon
]
LATE = 7  # files the 2025 report after 15 March 2026
MISSING = 11  # has not filed its 2025 report
CORRECTED = 1  # corrected its 2024 report
ACCOUNT = MISSING  # the demo enterprise account files for this one (its report is missing)

OUTLETS = {
    1: [("DA001", "烧结机头排放口", "air", {"so2": "35", "nox": "50", "pm": "10"})],
    3: [("DW001", "废水总排放口", "water", {"cod": "60", "nh3n": "8", "ph": "9"})],
    5: [("DA001", "1号锅炉排放口", "air", {"so2": "35", "nox": "50"})],
    12: [("DA001", "窑尾排放口", "air", {"pm": "10", "nox": "100"})],
}


def _content(name: str, industry: str, n: int, *, carbon_only: bool = False) -> dict:
    carbon = [
        {"scope": "direct", "amount": str(1200 * n + 350)},
        {"scope": "indirect", "amount": str(300 * n + 80)},
    ]
    if carbon_only:
        return {
            "carbon": f"{name}自愿披露2025年度碳排放信息（示例数据）。",
            "carbon_emissions": carbon,
        }
    return {
        "basic": f"{name}（示例数据）位于攀枝花市东区，主要从事{industry}相关生产。",
        "management": "持有排污许可证；按时缴纳环境保护税；已投保环境污染责任保险；环保信用评价为良好。",
        "pollution": "配套建设除尘、脱硫、脱硝及废水处理设施，运行正常；按排污许可证要求开展自行监测。",
        "carbon": "按核算指南核算温室气体排放量。",
        "emergency": "已编制突发环境事件应急预案并备案，年度内开展演练2次。",
        "violations": "无",
        "temporary": "无",
        "other": "无",
        "clean_production": "因排放超过标准被列入强制性清洁生产审核名单（示例数据）；审核已于上年完成评估与验收。",
        "financing": "融资所投项目均已取得环评批复，配套建设污染防治设施（示例数据）。",
        "emissions": [
            {"outlet": "DA001", "pollutant": "二氧化硫", "amount": str(10 + n), "unit": "t"},
            {"outlet": "DA001", "pollutant": "氮氧化物", "amount": str(20 + n), "unit": "t"},
        ],
        "hazardous_waste": [
            {
                "code": "900-041-49",
                "name": "废矿物油",
                "amount": "1.2",
                "route": "contracted_disposal",
            }
        ],
        "carbon_emissions": carbon,
    }


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _version(report, content, number, submitted_on, reason="", source=ReportVersion.Source.PORTAL):
    clean = report_format.clean_content(
        content, carbon_only=report.carbon_only, final=True, extras=report.extra_parts
    )
    version, _created = ReportVersion.objects.get_or_create(
        report=report,
        number=number,
        defaults={
            "content": clean,
            "fingerprint": report_format.fingerprint(clean),
            "reason": reason,
            "source": source,
            "submitted_at": _at(submitted_on),
            "is_late": number == 1 and submitted_on > deadlines.annual_due(report.year),
        },
    )
    report.status = AnnualReport.Status.SUBMITTED
    report.draft = clean
    report.save(update_fields=["status", "draft", "updated_at"])
    return version


def ensure_enterprises() -> dict[int, Enterprise]:
    subdistricts = {s.code: s for s in Subdistrict.objects.all()}
    result = {}
    for n, name, industry, sub, categories, listed_from, listed_until in ENTERPRISES:
        defaults = {
            "name": name,
            "industry": industry,
            "subdistrict": subdistricts.get(sub),
            "address": f"攀枝花市东区{subdistricts[sub].name if sub in subdistricts else ''}示例路{n}号",
            "listed_from": listed_from,
            "listed_until": listed_until,
            "legal_basis": "攀枝花市重点排污单位名录（示例）；《企业环境信息依法披露管理办法》第七条、第八条"
            if listed_from
            else "",
        }
        for field in (KP, CP, LC, BI):
            defaults[field] = field in categories
        enterprise, _created = Enterprise.objects.update_or_create(
            credit_code=credit_code(n), defaults=defaults
        )
        result[n] = enterprise
    return result


def ensure_outlets(enterprises) -> None:
    for n, rows in OUTLETS.items():
        for code, name, kind, limits in rows:
            outlet, _created = Outlet.objects.get_or_create(
                enterprise=enterprises[n], code=code, defaults={"name": name, "kind": kind}
            )
            for pollutant, limit in limits.items():
                OutletLimit.objects.get_or_create(
                    outlet=outlet, pollutant=pollutant, defaults={"limit": Decimal(limit)}
                )


def ensure_monitoring(enterprises, today: dt.date) -> None:
    """30 daily values per outlet and pollutant; one exceedance (SO₂ at enterprise 1)."""
    for outlet in Outlet.objects.filter(enterprise__in=enterprises.values()).prefetch_related(
        "limits"
    ):
        if outlet.results.exists():
            continue
        rows = []
        for limit in outlet.limits.all():
            for i in range(30):
                day = today - dt.timedelta(days=29 - i)
                if limit.pollutant == "ph":
                    value = Decimal("7.2") + Decimal((i % 5) - 2) / 10
                    exceeded = False
                else:
                    share = Decimal(45 + (i * 7) % 30) / 100  # 45–74 % of the limit
                    value = (limit.limit * share).quantize(Decimal("0.01"))
                    exceeded = False
                if (
                    outlet.enterprise_id == enterprises[1].pk
                    and limit.pollutant == "so2"
                    and i == 20
                ):
                    value = (limit.limit * Decimal("1.34")).quantize(Decimal("0.01"))
                    exceeded = True
                rows.append(
                    MonitoringResult(
                        outlet=outlet,
                        pollutant=limit.pollutant,
                        measured_at=_at(day, 8),
                        value=value,
                        unit=limit.unit,
                        limit=limit.limit,
                        exceeded=exceeded,
                        method="automatic",
                        source=MonitoringResult.Source.API,
                    )
                )
        MonitoringResult.objects.bulk_create(rows)


def ensure_reports(enterprises) -> None:
    labels = {
        "steel": "钢铁冶炼",
        "vanadium_titanium": "钒钛",
        "power": "发电",
        "chemicals": "化工",
        "mining": "采矿选矿",
        "building_materials": "建材",
        "other": "环境服务",
    }
    for n, enterprise in enterprises.items():
        industry = labels.get(enterprise.industry, "")
        for year in (2024, 2025):
            if not enterprise.is_listed(year):
                continue
            if year == 2025 and n == MISSING:
                AnnualReport.objects.get_or_create(enterprise=enterprise, year=year)
                continue
            report, _created = AnnualReport.objects.get_or_create(
                enterprise=enterprise, year=year, defaults={"scope": AnnualReport.Scope.FULL}
            )
            filed = dt.date(year + 1, 3, 1 + n % 12)
            if year == 2025 and n == LATE:
                filed = dt.date(2026, 3, 20)
            _version(report, _content(enterprise.name, industry, n), 1, filed)
            if year == 2024 and n == CORRECTED:
                corrected = _content(enterprise.name, industry, n)
                corrected["emissions"][0]["amount"] = str(9 + n)
                _version(
                    report,
                    corrected,
                    2,
                    dt.date(2025, 4, 8),
                    reason="更正二氧化硫年排放量（原填报数据含试生产期间数据）。",
                )
    voluntary = enterprises[20]
    report, _created = AnnualReport.objects.get_or_create(
        enterprise=voluntary, year=2025, defaults={"scope": AnnualReport.Scope.CARBON}
    )
    _version(report, _content(voluntary.name, "", 20, carbon_only=True), 1, dt.date(2026, 3, 10))


def ensure_temporary(enterprises) -> None:
    rows = [
        (
            5,
            "penalty",
            "攀东环罚〔2026〕3号",
            "攀枝花市东区生态环境局（示例）",
            dt.date(2026, 2, 10),
            dt.date(2026, 2, 24),
        ),
        (
            7,
            "penalty",
            "攀东环罚〔2026〕5号",
            "攀枝花市东区生态环境局（示例）",
            dt.date(2026, 4, 1),
            dt.date(2026, 4, 20),
        ),
        (
            1,
            "permit",
            "91510402MA600001XX001P（变更）",
            "攀枝花市生态环境局（示例）",
            dt.date(2026, 6, 2),
            dt.date(2026, 6, 5),
        ),
    ]
    for n, kind, number, issuer, received, filed in rows:
        due = deadlines.temporary_due(received)
        text = f"收到{number}，已按要求整改（示例数据）。"
        TemporaryReport.objects.get_or_create(
            enterprise=enterprises[n],
            document_number=number,
            defaults={
                "document_kind": kind,
                "issued_by": issuer,
                "received_on": received,
                "due_on": due,
                "content": text,
                "submitted_at": _at(filed),
                "is_late": filed > due,
                "fingerprint": report_format.temporary_fingerprint(
                    document_kind=kind,
                    document_number=number,
                    issued_by=issuer,
                    received_on=received,
                    content=text,
                ),
            },
        )


def ensure_attachments(enterprises) -> None:
    """The 2025 report of enterprise 1 was submitted with its self-monitoring report (a PDF)."""
    report = AnnualReport.objects.filter(enterprise=enterprises[1], year=2025).first()
    version = report.versions.filter(number=1).first() if report else None
    if version is None or version.attachments:
        return
    data = sample_pdf("Self-monitoring annual report 2025 (demo)")
    attachment = ReportAttachment(
        enterprise=report.enterprise,
        report=report,
        title="2025年度自行监测年度报告（示例）",
        filename="self-monitoring-2025.pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    attachment.file.save(attachment.filename, ContentFile(data), save=False)
    attachment.save()
    version.attachments = [attachment.frozen()]
    version.fingerprint = report_format.fingerprint(version.content, version.attachments)
    version.save(update_fields=["attachments", "fingerprint"])


def ensure_documents(enterprises, today: dt.date) -> None:
    """Legal documents the bureau registered: the penalty enterprise 5 answered (late), one
    enterprise 3 never answered (missing), and one the demo account's enterprise received
    yesterday (its temporary report is due within 5 working days)."""
    answered = TemporaryReport.objects.filter(
        enterprise=enterprises[5], document_number="攀东环罚〔2026〕3号"
    ).first()
    rows = [
        (5, "penalty", "攀东环罚〔2026〕3号", dt.date(2026, 2, 10), answered),
        (3, "coercive", "攀东环责改〔2026〕11号", dt.date(2026, 11, 2), None),
        (ACCOUNT, "penalty", "攀东环罚〔2026〕21号", today - dt.timedelta(days=1), None),
    ]
    for n, kind, number, served, report in rows:
        if served > today:
            continue
        document, _created = LegalDocument.objects.get_or_create(
            enterprise=enterprises[n],
            document_number=number,
            defaults={
                "document_kind": kind,
                "issued_by": "攀枝花市东区生态环境局（示例）",
                "served_on": served,
                "due_on": deadlines.temporary_due(served),
            },
        )
        if report is not None and report.legal_document_id is None:
            report.legal_document = document
            report.save(update_fields=["legal_document"])


def ensure_account(enterprises) -> None:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username="enterprise", defaults={"email": ACCOUNT_EMAIL}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=ACCOUNT_EMAIL, defaults={"verified": True, "primary": True}
    )
    user.groups.add(Group.objects.get(name=roles.ENTERPRISE_FILER))
    EnterpriseAccount.objects.get_or_create(user=user, enterprise=enterprises[ACCOUNT])


@transaction.atomic
def seed(today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    enterprises = ensure_enterprises()
    ensure_outlets(enterprises)
    ensure_monitoring(enterprises, today)
    ensure_reports(enterprises)
    ensure_temporary(enterprises)
    ensure_attachments(enterprises)
    ensure_documents(enterprises, today)
    ensure_account(enterprises)
