"""Seed the column's categories: the seven kinds of content the plan (第七章 二(四)) names, plus
政策解读. Editors may add more in the admin (Snippets → Column categories)."""

from django.db import migrations

CATEGORIES = [
    ("achievements", "主要成果", "生态文明建设取得的主要成果"),
    ("plans", "重要计划", "生态文明建设的重要计划和工作部署"),
    ("rectification", "环境问题整改情况", "中央和省级环保督察等发现问题的整改进展"),
    ("facilities", "环保设施建设推进情况", "污水、垃圾、除尘等环保设施的建设进度"),
    ("quality", "生态环境质量现状", "空气、水、土壤等生态环境质量状况"),
    ("campaigns", "生态保护专项行动", "禁渔、外来物种防控、矿山整治等专项行动"),
    ("cases", "生态环境治理典型案例", "可复制推广的生态环境治理经验"),
    ("policy", "政策解读", "生态环境政策法规的解读"),
]


def seed(apps, schema_editor):
    ColumnCategory = apps.get_model("cms", "ColumnCategory")
    for order, (slug, name, description) in enumerate(CATEGORIES, start=1):
        ColumnCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    ColumnCategory = apps.get_model("cms", "ColumnCategory")
    ColumnCategory.objects.filter(slug__in=[c[0] for c in CATEGORIES], articles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_column")]

    operations = [migrations.RunPython(seed, unseed)]
