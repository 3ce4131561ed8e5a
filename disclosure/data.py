"""Loading the plan's 表1 (indicators), 表2 (systems) and 附表 (key projects) from disclosure/data.

The CSV files keep every value exactly as the plan writes it (see disclosure/data/README.md).
The loaders take model classes so that data migrations can pass historical models.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# The plan these tables come from; shown as the source of an indicator's baseline value.
PLAN_TITLE = "《攀枝花市东区国家生态文明建设示范区创建规划（2021-2025）》"
PLAN_BASELINE_PERIOD = "2020"
PLAN_INDICATOR_SOURCE_NOTE = f"{PLAN_TITLE}表1"

CATEGORIES = [
    ("organisation", "机构职能"),
    ("policy", "政策文件"),
    ("planning", "规划计划"),
    ("quality", "环境质量"),
    ("monitoring", "环境监测"),
    ("licensing", "行政许可"),
    ("penalties", "行政处罚"),
    ("incidents", "突发环境事件"),
    ("eia", "建设项目环评"),
    ("discharge-permits", "排污许可"),
    ("enterprises", "企业环境信息"),
    ("rectification", "问题整改"),
    ("drinking-water", "饮用水水质"),
    ("finance", "财政资金"),
    ("annual-reports", "年度报告"),
]

# English names of the categories (shown under /en/; editors may change them in the admin).
CATEGORY_NAMES_EN = {
    "organisation": "Organisation and functions",
    "policy": "Policy documents",
    "planning": "Plans and programmes",
    "quality": "Environmental quality",
    "monitoring": "Environmental monitoring",
    "licensing": "Administrative licensing",
    "penalties": "Administrative penalties",
    "incidents": "Environmental emergencies",
    "eia": "Environmental impact assessment of projects",
    "discharge-permits": "Pollutant discharge permits",
    "enterprises": "Enterprise environmental information",
    "rectification": "Rectification of problems",
    "drinking-water": "Drinking water quality",
    "finance": "Public funds",
    "annual-reports": "Annual reports",
}


def read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def unit_names(text: str, known: set[str]) -> list[str]:
    """Department names in a 责任单位 cell, re-joining names the plan wraps over two lines."""
    lines = [line.strip() for line in (text or "").replace("、", "\n").splitlines() if line.strip()]
    names, i = [], 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i] not in known and lines[i] + lines[i + 1] in known:
            names.append(lines[i] + lines[i + 1])
            i += 2
        else:
            names.append(lines[i])
            i += 1
    return names


ALIASES = {
    # The plan's spellings that differ from the reference department names.
    "区电子政务建设服务中心": "区电子政务中心",
    "攀枝花东区高新技术产业园区管理委员会": "东区高新技术产业园区管理委员会",
}


def _departments_for(text: str, departments: dict[str, object]) -> list:
    known = set(departments) | set(ALIASES)
    out = []
    for name in unit_names(text, known):
        department = departments.get(ALIASES.get(name, name))
        if department is not None:
            out.append(department)
    return out


def load_categories(Category) -> int:
    for order, (slug, name) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": order})
    return len(CATEGORIES)


def load_indicators(Indicator, Department) -> int:
    """Create or update the 表1 rows (idempotent); returns the number of rows."""
    departments = {d.name: d for d in Department.objects.all()}
    rows = read_csv("indicators.csv")
    parents = {}
    for row in rows:
        number, part = int(row["number"]), int(row["part"] or 0)
        parent = parents.get(number) if part else None
        source = parents[number] if part else None
        indicator, _created = Indicator.objects.update_or_create(
            number=number,
            part=part,
            defaults={
                "parent": parent,
                "field": row["field"],
                "task": row["task"],
                "name": row["name"],
                "qualifier": row["qualifier"],
                "unit": row["unit"] or (source.unit if source else ""),
                "target_value": row["target_value"],
                "baseline_value": row["baseline_value"],
                "baseline_status": row["baseline_status"],
                "planned_2025": row["planned_2025"],
                "attribute": row["attribute"],
                "responsible_units": row["responsible_units"],
            },
        )
        if not part:
            parents[number] = indicator
            indicator.departments.set(_departments_for(row["responsible_units"], departments))
    return len(rows)


def load_projects(ProjectSystem, KeyProject, Department) -> int:
    departments = {d.name: d for d in Department.objects.all()}
    systems = {}
    for row in read_csv("systems.csv"):
        system, _created = ProjectSystem.objects.update_or_create(
            number=int(row["number"]),
            defaults={
                "name": row["system"],
                "planned_investment": Decimal(row["investment"]),
                "share": Decimal(row["share"]),
            },
        )
        systems[system.name] = system
    rows = read_csv("projects.csv")
    for row in rows:
        project, _created = KeyProject.objects.update_or_create(
            number=int(row["number"]),
            defaults={
                "system": systems[row["system"]],
                "name": row["name"],
                "content": row["content"],
                "location": row["location"],
                "period": row["period"],
                "total_investment": Decimal(row["total_investment"].replace(",", "")),
                "total_investment_text": row["total_investment"],
                "responsible_units": row["responsible_units"],
            },
        )
        project.departments.set(_departments_for(row["responsible_units"], departments))
    return len(rows)


def load_english_names(Category, Indicator, ProjectSystem, KeyProject) -> int:
    """Fill the empty English names from the ``name_en`` columns (an editor's name is kept)."""
    count = 0
    for slug, name_en in CATEGORY_NAMES_EN.items():
        count += Category.objects.filter(slug=slug, name_en="").update(name_en=name_en)
    for row in read_csv("indicators.csv"):
        count += Indicator.objects.filter(
            number=int(row["number"]), part=int(row["part"] or 0), name_en=""
        ).update(name_en=row["name_en"])
    for row in read_csv("systems.csv"):
        count += ProjectSystem.objects.filter(number=int(row["number"]), name_en="").update(
            name_en=row["name_en"]
        )
    for row in read_csv("projects.csv"):
        count += KeyProject.objects.filter(number=int(row["number"]), name_en="").update(
            name_en=row["name_en"]
        )
    return count
