from wagtail.snippets.models import register_snippet

from portal.viewsets import ReferenceDataViewSetGroup

register_snippet(ReferenceDataViewSetGroup)
