"""The routing table: which department(s) the intake officer is offered for a report."""

from __future__ import annotations

from django.db.models import Q

from portal.models import Department
from portal.tipoffs.models import RoutingRule


def suggest_departments(tipoff) -> list[Department]:
    """Departments from the most specific matching rules.

    Specificity: leaf category + sub-district, leaf + any sub-district, top category +
    sub-district, top + any. The first level with a match wins.
    """
    category = tipoff.category
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = list(
        RoutingRule.objects.filter(category_id__in=categories)
        .filter(Q(subdistrict=tipoff.subdistrict_id) | Q(subdistrict__isnull=True))
        .select_related("department")
    )
    levels = [
        (category.pk, tipoff.subdistrict_id),
        (category.pk, None),
        (category.parent_id, tipoff.subdistrict_id),
        (category.parent_id, None),
    ]
    for category_id, subdistrict_id in levels:
        if category_id is None:
            continue
        found = [
            r.department
            for r in rules
            if r.category_id == category_id
            and r.subdistrict_id == subdistrict_id
            and r.department.is_active
        ]
        if found:
            return sorted(set(found), key=lambda d: (d.sort_order, d.pk))
    return []
