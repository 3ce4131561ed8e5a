"""The privacy admin: one menu group with the notices (versioned, edited by administrators),
the requests from people without an account (15-working-day clock, event log) and the
read-only consent and reveal logs."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.panels import Panel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from portal.audit_admin import AuditViewSetMixin
from portal.privacy import services
from portal.privacy.models import (
    ConsentRecord,
    DataReveal,
    PrivacyNotice,
    SubjectRequest,
)
from portal.privacy.policies import notice_policy, subject_request_policy


class PrivacyNoticeViewSet(SnippetViewSet):
    model = PrivacyNotice
    icon = "doc-full"
    menu_label = _("Privacy notices")
    permission_policy = notice_policy
    list_display = ["title", "point", "version", "effective_from", "legal_basis"]
    list_filter = ["point"]
    copy_view_enabled = True


class DaysLeftColumn(Column):
    def get_value(self, instance):
        if not instance.is_open:
            return instance.get_status_display()
        left = instance.working_days_left()
        if left < 0:
            return ngettext(
                "overdue by %(n)d working day", "overdue by %(n)d working days", -left
            ) % {"n": -left}
        return ngettext("%(n)d working day left", "%(n)d working days left", left) % {"n": left}


class EventLogPanel(Panel):
    """The request's event log, read-only, under the form."""

    class BoundPanel(Panel.BoundPanel):
        def render_html(self, parent_context=None):
            instance = self.instance
            if instance is None or instance.pk is None:
                return ""
            rows = format_html_join(
                "",
                "<li>{} — {} — {}</li>",
                (
                    (event.at.strftime("%Y-%m-%d %H:%M"), event.actor or "—", event.what)
                    for event in instance.events.select_related("actor").order_by("at", "pk")
                ),
            )
            return format_html(
                '<section data-testid="request-events"><h3>{}</h3><ul>{}</ul></section>',
                _("Event log"),
                rows,
            )


class _LogChangeMixin:
    def save_instance(self):
        before = None
        if getattr(self, "object", None) is not None and self.object.pk:
            before = SubjectRequest.objects.filter(pk=self.object.pk).first()
        instance = super().save_instance()
        services.log_request_event(
            instance, actor=self.request.user, what=services.describe_change(before, instance)
        )
        return instance


class SubjectRequestCreateView(_LogChangeMixin, CreateView):
    pass


class SubjectRequestEditView(_LogChangeMixin, EditView):
    pass


class SubjectRequestViewSet(SnippetViewSet):
    model = SubjectRequest
    icon = "user"
    menu_label = _("Requests without an account")
    permission_policy = subject_request_policy
    add_view_class = SubjectRequestCreateView
    edit_view_class = SubjectRequestEditView
    list_display = [
        "reference",
        "kind",
        "relation",
        "received_on",
        "due_on",
        DaysLeftColumn("days_left", label=_("Clock")),
        "status",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["reference", "records"]
    delete_view_enabled = False
    copy_view_enabled = False

    def get_edit_handler(self):
        from wagtail.admin.panels import ObjectList

        return ObjectList([*SubjectRequest.panels, EventLogPanel()]).bind_to_model(self.model)


class ConsentRecordViewSet(AuditViewSetMixin, SnippetViewSet):
    model = ConsentRecord
    icon = "tick-inverse"
    menu_label = _("Consent records")
    list_display = ["at", "point", "version", "action", "user_id_value", "subject_ref"]
    list_filter = ["point", "action"]


class DataRevealViewSet(AuditViewSetMixin, SnippetViewSet):
    model = DataReveal
    icon = "view"
    menu_label = _("Reveals of masked fields")
    list_display = ["at", "actor", "record", "field", "purpose"]


class PrivacyViewSetGroup(SnippetViewSetGroup):
    items = (
        SubjectRequestViewSet,
        PrivacyNoticeViewSet,
        ConsentRecordViewSet,
        DataRevealViewSet,
    )
    menu_icon = "lock"
    menu_label = _("Personal information")
    menu_name = "personal_information"
    menu_order = 850
