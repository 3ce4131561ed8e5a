from wagtail import hooks
from wagtail.snippets.models import register_snippet

from cms.home_panels import EditorHomePanel
from cms.viewsets import column_category_viewset, page_error_report_viewset

register_snippet(column_category_viewset)
register_snippet(page_error_report_viewset)


@hooks.register("portal_home_panels")
def editor_home_panel(request):
    return EditorHomePanel(request)
