from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.admin_menu import group_site_entries
from portal.viewsets import ReferenceDataViewSetGroup

register_snippet(ReferenceDataViewSetGroup)
hooks.register("construct_main_menu", group_site_entries)
