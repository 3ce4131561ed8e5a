"""The column's three-step review: 编辑提交 → 审核 → 终审发布.

The workflow and its three group-approval tasks are created by the data migration
``cms/0004_column_workflow``; this module assigns it to every column index page (see
``cms.signals``), so a column created by an editor, by ``seed_demo`` or by a district's own
import is under review from the start. Editors draft and submit (they have no publish
permission); the 编辑 group passes the first step, the 管理员 group the second and the final one.
Administrators may change the groups of each task in the admin (Settings → Workflow tasks).
"""

from __future__ import annotations

from portal import roles

COLUMN_WORKFLOW_NAME = "生态文明建设专栏三审发布"
# (task name, role groups that may approve it), in order.
COLUMN_WORKFLOW_STEPS = [
    ("编辑提交", [roles.EDITOR]),
    ("审核", [roles.ADMINISTRATOR]),
    ("终审发布", [roles.ADMINISTRATOR]),
]


def column_workflow():
    from wagtail.models import Workflow

    return Workflow.objects.filter(name=COLUMN_WORKFLOW_NAME, active=True).first()


def assign_column_workflow(page) -> bool:
    """Put ``page`` (a column index) under the three-step workflow unless it has its own.

    Returns True when an assignment was made.
    """
    from wagtail.models import WorkflowPage

    workflow = column_workflow()
    if workflow is None:
        return False
    _assignment, created = WorkflowPage.objects.get_or_create(
        page_id=page.pk, defaults={"workflow": workflow}
    )
    return created
