"""The pollution taxonomy and default routing seeded by migration 0002 (editable in the admin).

Plain data so the migration, the demo and the tests read the same lists.
"""

from __future__ import annotations

SPILL_NOTICE = (
    "如污染正在发生并危及人身安全（如危险化学品泄漏、油品泄漏、爆炸起火），请立即拨打 110 或 12345，"
    "我们仍会受理您的网上举报。"
)
WATER_NOTICE = (
    "如发现大量污水正在排入河道、鱼类大面积死亡等紧急情况，请立即拨打 12345 或 110，"
    "我们仍会受理您的网上举报。"
)
FIRE_NOTICE = "如火势正在蔓延，请立即拨打 119；我们仍会受理您的网上举报。"

TIME_QUESTION = {
    "key": "time_pattern",
    "label": "污染通常出现在什么时段？",
    "choices": ["白天", "夜间", "全天", "不固定"],
    "required": False,
}
COLOUR_QUESTION = {
    "key": "water_colour",
    "label": "水体颜色或气味",
    "choices": ["发黑", "发黄", "发白浑浊", "有油膜", "有臭味", "其他"],
    "required": False,
}

# (code, name, [(code, name, urgent_notice, extra_questions)]) — a top level without children is
# itself a leaf that citizens can pick.
TAXONOMY: list[tuple[str, str, str, list[tuple[str, str, str, list[dict]]]]] = [
    (
        "air",
        "大气污染",
        "",
        [
            ("air-industrial", "工业废气", SPILL_NOTICE, [TIME_QUESTION]),
            ("air-dust", "扬尘", "", [TIME_QUESTION]),
            ("air-cooking", "餐饮油烟", "", [TIME_QUESTION]),
            ("air-burning", "露天焚烧", FIRE_NOTICE, []),
            ("air-odour", "异味", "", [TIME_QUESTION]),
        ],
    ),
    (
        "water",
        "水污染",
        "",
        [
            ("water-industrial", "工业废水", WATER_NOTICE, [COLOUR_QUESTION]),
            ("water-domestic", "生活污水", "", [COLOUR_QUESTION]),
            ("water-outfall", "入河排污口", WATER_NOTICE, [COLOUR_QUESTION]),
            ("water-black", "黑臭水体", "", [COLOUR_QUESTION]),
        ],
    ),
    (
        "noise",
        "噪声",
        "",
        [
            ("noise-industrial", "工业噪声", "", [TIME_QUESTION]),
            ("noise-construction", "建筑施工噪声", "", [TIME_QUESTION]),
            ("noise-social", "社会生活噪声", "", [TIME_QUESTION]),
            ("noise-traffic", "交通噪声", "", [TIME_QUESTION]),
        ],
    ),
    (
        "waste",
        "固体废物",
        "",
        [
            ("waste-hazardous", "危险废物", SPILL_NOTICE, []),
            ("waste-industrial", "工业固废", "", []),
            ("waste-construction", "建筑垃圾", "", []),
            ("waste-household", "生活垃圾", "", []),
        ],
    ),
    ("soil", "土壤污染", "", []),
    ("radiation", "辐射", SPILL_NOTICE, []),
    (
        "ecology",
        "生态破坏",
        "",
        [
            ("eco-sand", "非法采砂", "", []),
            ("eco-forest", "毁林", FIRE_NOTICE, []),
            ("eco-fishing", "非法捕捞/禁渔", "", []),
        ],
    ),
    ("other", "其他", "", []),
]

# English names of the categories (shown under /en/; editors may change them in the admin).
NAMES_EN = {
    "air": "Air pollution",
    "air-industrial": "Industrial emissions",
    "air-dust": "Dust",
    "air-cooking": "Restaurant cooking fumes",
    "air-burning": "Open burning",
    "air-odour": "Odour",
    "water": "Water pollution",
    "water-industrial": "Industrial wastewater",
    "water-domestic": "Domestic sewage",
    "water-outfall": "Outfall into a river",
    "water-black": "Black and odorous water",
    "noise": "Noise",
    "noise-industrial": "Industrial noise",
    "noise-construction": "Construction noise",
    "noise-social": "Neighbourhood and business noise",
    "noise-traffic": "Traffic noise",
    "waste": "Solid waste",
    "waste-hazardous": "Hazardous waste",
    "waste-industrial": "Industrial solid waste",
    "waste-construction": "Construction waste",
    "waste-household": "Household waste",
    "soil": "Soil pollution",
    "radiation": "Radiation",
    "ecology": "Damage to ecosystems",
    "eco-sand": "Illegal sand mining",
    "eco-forest": "Deforestation",
    "eco-fishing": "Illegal fishing / fishing ban",
    "other": "Other",
}


def fill_english_names(Category) -> int:
    """Fill empty English names from NAMES_EN (an editor's English name is kept)."""
    return sum(
        Category.objects.filter(code=code, name_en="").update(name_en=name)
        for code, name in NAMES_EN.items()
    )


# Category code (top level or leaf) → department code, for every sub-district.
DEFAULT_ROUTING = {
    "air": "eco-env",
    "air-dust": "housing",
    "air-cooking": "law-enforcement",
    "air-burning": "law-enforcement",
    "water": "eco-env",
    "water-domestic": "housing",
    "water-black": "housing",
    "noise": "eco-env",
    "noise-construction": "housing",
    "noise-social": "law-enforcement",
    "noise-traffic": "agri-water",
    "waste": "eco-env",
    "waste-construction": "law-enforcement",
    "waste-household": "law-enforcement",
    "soil": "eco-env",
    "radiation": "eco-env",
    "eco-sand": "agri-water",
    "eco-forest": "forestry",
    "eco-fishing": "agri-water",
    "other": "eco-env",
}


def seed_taxonomy(Category, RoutingRule=None, Department=None) -> None:
    """Create or update the categories (and default routing when the departments exist)."""
    order = 0
    for code, name, notice, children in TAXONOMY:
        order += 10
        top, _created = Category.objects.update_or_create(
            code=code, defaults={"name": name, "urgent_notice": notice, "sort_order": order}
        )
        for child_code, child_name, child_notice, questions in children:
            order += 1
            Category.objects.update_or_create(
                code=child_code,
                defaults={
                    "name": child_name,
                    "parent": top,
                    "urgent_notice": child_notice,
                    "extra_questions": questions,
                    "sort_order": order,
                },
            )
    if RoutingRule is None or Department is None:
        return
    departments = {d.code: d for d in Department.objects.filter(code__in=DEFAULT_ROUTING.values())}
    for category_code, department_code in DEFAULT_ROUTING.items():
        department = departments.get(department_code)
        if department is None:
            continue
        RoutingRule.objects.get_or_create(
            category=Category.objects.get(code=category_code),
            subdistrict=None,
            department=department,
        )
