"""Register the learning admin, and award reading points when a signed-in resident opens a
column article.

The reading award runs in ``before_serve_page``, which Wagtail calls only when serving a live
page (never for previews), and it does nothing for anonymous visitors, whose pages the cms cache
serves: the award neither reads nor changes anything the cached HTML depends on.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.db import DatabaseError
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.integration import SITE_MAP_HOOK, MeItem, MeSection, SiteMapGroup
from portal.learning.viewsets import MENU_HOOK, LearningViewSetGroup, learning_admin_viewset

logger = logging.getLogger(__name__)

MY_REDEMPTIONS_SHOWN = 10

register_snippet(LearningViewSetGroup)
hooks.register(MENU_HOOK, learning_admin_viewset.get_desk_menu_item)


@hooks.register("before_serve_page")
def award_reading_points(page, request, serve_args, serve_kwargs):
    if request.method != "GET" or getattr(request, "is_preview", False):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from cms.models import ColumnArticlePage

    if not isinstance(page, ColumnArticlePage) or not page.live:
        return None
    from portal.learning import services

    try:
        entry = services.award_reading(user=user, page=page)
    except DatabaseError:
        logger.exception("Could not award reading points")
        return None
    if entry is not None:
        messages.success(
            request,
            ngettext(
                "+%(points)d point for reading this article.",
                "+%(points)d points for reading this article.",
                entry.amount,
            )
            % {"points": entry.amount},
        )
    return None


@hooks.register("portal_me_sections")
def points_and_rewards_section(request):
    """The 积分 card on 我的: my balance and my redemptions (pickup code, state)."""
    from portal.learning import selectors, services

    user = request.user
    balance = services.balance_of(user)
    redemptions = list(selectors.redemptions_for(user=user)[:MY_REDEMPTIONS_SHOWN])
    return MeSection(
        key="points",
        title=_("Points and rewards"),
        items=[
            MeItem(
                label=_("Balance: %(points)s points") % {"points": balance},
                url=reverse("learning:me"),
            ),
            *(
                MeItem(
                    label=redemption.reward.name,
                    url=reverse("learning:redemption", args=[redemption.pk]),
                    status=redemption.get_state_display(),
                    meta=[
                        services.format_code(redemption.code),
                        formats.date_format(timezone.localtime(redemption.created_at), "Y-m-d"),
                    ],
                )
                for redemption in redemptions
            ),
        ],
        links=[
            (_("My points"), reverse("learning:me")),
            (_("Daily quiz"), reverse("learning:daily")),
            (_("Redeem points"), reverse("learning:rewards")),
        ],
        note=_("A redemption can be cancelled until you collect the reward."),
        order=40,
    )


@hooks.register(SITE_MAP_HOOK)
def site_map_group(request):
    return SiteMapGroup(
        title=_("Learn and earn points"),
        links=[
            (_("Learn and earn points"), reverse("learning:index")),
            (_("Try the quiz"), reverse("learning:try")),
            (_("Rewards"), reverse("learning:rewards")),
            (_("Leaderboard"), reverse("learning:leaderboard")),
        ],
        order=50,
    )


@hooks.register("personal_data_providers")
def personal_data_provider():
    from portal.learning import personal_data

    return personal_data.provider()
