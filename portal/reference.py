"""The district's reference data: sub-districts and responsible departments of East District.

Loaded by `manage.py seed_reference` (production) and `manage.py seed_demo` (development). Another
district edits these rows in the admin (Reference data) instead of changing code.
"""

from __future__ import annotations

from django.db import transaction

from portal.models import Department, Subdistrict

# 5 街道 + 1 镇, as listed in the plan (《攀枝花市东区国家生态文明建设示范区创建规划》).
SUBDISTRICTS = [
    ("donghua", "东华街道", Subdistrict.Kind.SUBDISTRICT),
    ("bingcaogang", "炳草岗街道", Subdistrict.Kind.SUBDISTRICT),
    ("nongnongping", "弄弄坪街道", Subdistrict.Kind.SUBDISTRICT),
    ("dadukou", "大渡口街道", Subdistrict.Kind.SUBDISTRICT),
    ("guaziping", "瓜子坪街道", Subdistrict.Kind.SUBDISTRICT),
    ("yinjiang", "银江镇", Subdistrict.Kind.TOWN),
]

# Responsible units (责任单位) named in the plan's indicator table and key-project list.
DEPARTMENTS = [
    ("eco-env", "东区生态环境局", "生态环境局"),
    ("statistics", "区统计局", "统计局"),
    ("law-enforcement", "区综合行政执法局", "综合执法局"),
    ("housing", "区住房和城乡建设局", "住建局"),
    ("agri-water", "区农业农村和交通水利局", "农交水局"),
    ("forestry", "区林业局", "林业局"),
    ("natural-resources", "市自然资源和规划局东区分局", "自然资源分局"),
    ("development-reform", "区发展和改革局", "发改局"),
    ("economy-it", "区经济和信息化局", "经信局"),
    ("commerce", "区商务局", "商务局"),
    ("finance", "区财政局", "财政局"),
    ("emergency", "区应急管理局", "应急局"),
    ("health", "区卫生健康局", "卫健局"),
    ("justice", "区司法局", "司法局"),
    ("petitions", "区信访局", "信访局"),
    ("e-gov", "区电子政务中心", "电子政务中心"),
    ("hi-tech-park", "东区高新技术产业园区管理委员会", "高新区管委会"),
]


@transaction.atomic
def ensure_reference_data() -> None:
    """Create or update the rows above, matched by code (idempotent)."""
    for order, (code, name, kind) in enumerate(SUBDISTRICTS, start=1):
        Subdistrict.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "sort_order": order}
        )
    for order, (code, name, short_name) in enumerate(DEPARTMENTS, start=1):
        Department.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name, "sort_order": order}
        )
