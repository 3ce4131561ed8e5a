"""The column's three-step review workflow and the editor/administrator rights on categories.

编辑提交 (approved by the 编辑 group) → 审核 (管理员) → 终审发布 (管理员). The workflow is assigned to
every column index page: to any that already exist here, and to new ones by cms.signals.
"""

from django.db import migrations

from portal import roles

WORKFLOW_NAME = "生态文明建设专栏三审发布"
STEPS = [
    ("编辑提交", [roles.EDITOR]),
    ("审核", [roles.ADMINISTRATOR]),
    ("终审发布", [roles.ADMINISTRATOR]),
]
CATEGORY = ["cms.add_columncategory", "cms.change_columncategory", "cms.view_columncategory"]


def forwards(apps, schema_editor):
    roles.grant_permissions(apps, roles.EDITOR, CATEGORY)
    roles.grant_permissions(apps, roles.ADMINISTRATOR, [*CATEGORY, "cms.delete_columncategory"])

    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ColumnIndexPage = apps.get_model("cms", "ColumnIndexPage")

    task_type, _created = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    for order, (name, group_names) in enumerate(STEPS):
        task = GroupApprovalTask.objects.filter(name=name, content_type=task_type).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=name, content_type=task_type, active=True)
        task.groups.set(Group.objects.filter(name__in=group_names))
        WorkflowTask.objects.update_or_create(
            workflow=workflow, task=task, defaults={"sort_order": order}
        )
    for page in ColumnIndexPage.objects.all():
        WorkflowPage.objects.get_or_create(page_id=page.pk, defaults={"workflow": workflow})


def backwards(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_column_categories"),
        ("portal", "0003_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
