"""The shape of the admin menu: one entry per app, plus Pages and one "Site" entry.

Each app registers ONE menu group (a ``SnippetViewSetGroup`` in its ``viewsets.py``) holding its
snippets and its custom staff screens; the custom screens are ``GuardedViewSet`` subclasses whose
menu entry is shown only to users the app's guard admits. A group's ``submenu_hook`` lets an app
add a second entry to its own group from a ViewSet that serves several screens.

Wagtail's own site-wide entries (Images, Documents, Reports, Settings, Help) and the shell's
site-wide tables (reference data, column categories) are gathered under one "Site" entry by
``group_site_entries`` (a ``construct_main_menu`` hook), so no role sees more than six top-level
entries: Pages, Site, and at most one per app (pollution reports, disclosure, surveys, learning).
"""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import pgettext_lazy
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.base import ViewSet

#: Names of the top-level entries that live under "Site" (Wagtail's and the shell's).
SITE_ENTRY_NAMES = (
    "images",
    "documents",
    "column-categories",
    "error-reports",
    "reference_data",
    "personal_information",
    "reports",
    "settings",
    "help",
)
SITE_ENTRY_ORDER = 9000


class GuardedMenuItem(MenuItem):
    """A menu entry shown to users for whom ``guard(user)`` is true."""

    def __init__(self, label, url, *, guard, **kwargs):
        super().__init__(label, url, **kwargs)
        self.guard = guard

    def is_shown(self, request):
        return bool(self.guard(request.user))


class GuardedViewSet(ViewSet):
    """A ViewSet of custom staff screens (views mounted by ``get_urlpatterns``).

    Who may open them is answered by ``permission_policy`` when one is set (Wagtail's idiom:
    ``permission_policy = SomePolicy(Model)``), otherwise by ``guard``, the app's existing
    access function (``guard = staticmethod(selectors.can_...)``). The views check the same
    question again on every request: the menu only hides what a user could not open anyway.
    """

    permission_policy = None
    #: The action ``permission_policy`` is asked about.
    permission_action = "view"
    #: ``guard(user) -> bool``, used while no ``permission_policy`` is set.
    guard = None

    def user_can_open(self, user) -> bool:
        if self.permission_policy is not None:
            return self.permission_policy.user_has_permission(user, self.permission_action)
        if self.guard is None:
            raise NotImplementedError(f"{type(self).__name__} needs a guard or a permission_policy")
        return bool(self.guard(user))

    @cached_property
    def menu_item_class(self):
        viewset = self

        class ViewSetMenuItem(MenuItem):
            def is_shown(self, request):
                return viewset.user_can_open(request.user)

        ViewSetMenuItem.__name__ = f"{type(self).__name__}MenuItem"
        return ViewSetMenuItem

    def guarded_menu_item(self, label, url_name, *, guard, name, icon, order):
        """A second entry for a screen this ViewSet serves (registered in the app's group)."""
        from django.urls import reverse

        return GuardedMenuItem(
            label,
            reverse(self.get_url_name(url_name)),
            guard=guard,
            name=name,
            icon_name=icon,
            order=order,
        )


def group_site_entries(request, menu_items: list) -> None:
    """``construct_main_menu``: move the site-wide entries this user sees under one "Site" entry.

    The entries keep their own ``is_shown`` checks (they were already applied to build
    ``menu_items``), so the "Site" entry shows exactly what the user could see before. A user
    with only one site-wide entry keeps it at the top level: a folder of one is no help.
    """
    site = [item for item in menu_items if item.name in SITE_ENTRY_NAMES]
    if len(site) < 2:
        return
    for item in site:
        menu_items.remove(item)
    menu_items.append(
        SubmenuMenuItem(
            pgettext_lazy("admin menu", "Site"),
            Menu(items=sorted(site, key=lambda item: item.order)),
            name="site",
            icon_name="site",
            order=SITE_ENTRY_ORDER,
        )
    )
