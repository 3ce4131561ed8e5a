"""Register the tip-off admin: one menu group (viewsets.py) and its reward-eligibility entry."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.tipoffs.viewsets import MENU_HOOK, TipoffViewSetGroup, tipoff_case_viewset

register_snippet(TipoffViewSetGroup)
hooks.register(MENU_HOOK, tipoff_case_viewset.get_reward_menu_item)
