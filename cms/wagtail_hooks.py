from wagtail.snippets.models import register_snippet

from cms.viewsets import column_category_viewset

register_snippet(column_category_viewset)
