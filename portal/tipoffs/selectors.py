"""The only ways to read guarded report data; each one checks who is asking.

- ``tipoffs_for_user``: the reports a member of staff may see (all for intake officers and
  administrators, their departments' for handlers, none for anyone else);
- ``tipoff_for_user``: one report, or PermissionDenied;
- ``reporter_identity_for``: the reporter's identity, only for those ``identity_policy`` lets
  reveal it, and every call is logged in ``IdentityAccessLog``;

Who may do what is ``portal.tipoffs.policies``; the ``can_*`` helpers below only ask it.
- ``tipoff_by_tracking_code``: the reporter's own view;
- ``public_cases`` / ``similar_open_cases``: what anyone may see (``public_cases`` serves both the
  public case list and the Open311 request list, so the two never disagree).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from portal.tipoffs.models import (
    OPEN_STATES,
    IdentityAccessLog,
    ReporterIdentity,
    State,
    Tipoff,
    TipoffAssignment,
    TipoffEvent,
    TipoffPhoto,
    normalise_tracking_code,
)
from portal.tipoffs.policies import identity_policy, tipoff_policy
from portal.tipoffs.text import similarity

# Every check below asks a policy, which asks for an explicit grant (a group of the user's, or
# the permission on the account): superuser status is not a role for cases, identities or
# evidence (portal.policies).


def can_open_cases(user) -> bool:
    """The case screens at all (intake officers, handlers, administrators by their group)."""
    return tipoff_policy.user_has_permission(user, "view")


def can_see_all(user) -> bool:
    return tipoff_policy.user_has_permission(user, "view_all")


def can_export(user) -> bool:
    return tipoff_policy.user_has_permission(user, "export")


def can_view_identity(user) -> bool:
    """Intake officers and holders of the dedicated permission (环保法 Art. 57: kept confidential).

    A superuser implicitly holds every Django permission; the identity still needs an explicit
    grant (the intake group or the permission itself), so a technical administrator account does
    not see who reported. Grants and revocations are logged (``IdentityRightChange``).
    """
    return identity_policy.user_has_permission(user, "reveal")


def tipoffs_for_user(*, user) -> QuerySet[Tipoff]:
    """The reports ``user`` may open (``tipoff_policy``'s ``view`` scope)."""
    return tipoff_policy.instances_user_has_permission_for(user, "view").select_related(
        "category", "category__parent", "subdistrict", "owner"
    )


QUEUE_LIST_FIELDS = (
    "id",
    "state",
    "reported_party",
    "due_date",
    "submitted_at",
    "category__name",
    "category__parent__name",
    "subdistrict__name",
)


def for_queue_list(qs: QuerySet[Tipoff]) -> QuerySet[Tipoff]:
    """Narrow a (scoped) queue to the columns the staff list shows.

    Only the listed columns are read (no description, address or answers), so sorting a large
    queue stays in memory, and each row's departments come with one extra query per page.
    """
    return (
        qs.select_related(None)
        .select_related("category__parent", "subdistrict")
        .only(*QUEUE_LIST_FIELDS)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TipoffAssignment.objects.select_related("department").only(
                    "tipoff_id", "department__name", "department__short_name"
                ),
            )
        )
    )


def tipoff_for_user(*, user, pk: int) -> Tipoff:
    tipoff = tipoffs_for_user(user=user).filter(pk=pk).first()
    if tipoff is None:
        raise PermissionDenied
    return tipoff


def reporter_identity_for(*, user, tipoff: Tipoff, purpose: str) -> ReporterIdentity | None:
    """The identity of a real-name reporter, for staff allowed to see it; each look is logged."""
    if not identity_policy.user_has_permission_for_tipoff(user, "reveal", tipoff):
        raise PermissionDenied
    IdentityAccessLog.objects.create(tipoff=tipoff, user=user, purpose=purpose[:64])
    return ReporterIdentity.objects.filter(tipoff=tipoff).first()


def tipoffs_of_reporter(*, user) -> QuerySet[Tipoff]:
    """The reports ``user`` filed under their real name while signed in (我的), newest first.
    Anonymous reports are never linked to an account; a purged identity no longer names one."""
    if not getattr(user, "is_authenticated", False):
        return Tipoff.objects.none()
    return (
        Tipoff.objects.filter(identity__user=user, identity__purged_at__isnull=True)
        .select_related("category")
        .order_by("-submitted_at", "-pk")
    )


def tipoff_by_tracking_code(*, code: str) -> Tipoff | None:
    code = normalise_tracking_code(code)
    if len(code) != 20:
        return None
    return (
        Tipoff.objects.select_related("category", "category__parent", "subdistrict", "master")
        .filter(tracking_code=code)
        .first()
    )


def public_events(tipoff: Tipoff) -> QuerySet[TipoffEvent]:
    return tipoff.events.filter(is_public=True).select_related("department")


def public_cases() -> QuerySet[Tipoff]:
    """Resolved or closed reports left "published as a case", newest answer first.

    The one definition of which reports the public may see: the public case list and the Open311
    request list and look-up both read it, so unticking "published as a case" (or a case not yet
    answered) hides a report from both. No identity is joined.
    """
    return (
        Tipoff.objects.filter(state__in=[State.RESOLVED, State.CLOSED], is_public=True)
        .exclude(resolved_at__isnull=True)
        .select_related("category", "category__parent", "subdistrict")
        .order_by("-resolved_at")
    )


def similar_open_cases(
    *,
    category,
    subdistrict,
    description: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    limit: int = 3,
    threshold: float = 0.2,
    radius_m: float = 500.0,
    exclude_pk: int | None = None,
) -> list[Tipoff]:
    """Open cases of the same category and sub-district whose text (or place) is close."""
    since = timezone.now() - dt.timedelta(days=120)
    candidates = (
        Tipoff.objects.filter(
            category=category,
            subdistrict=subdistrict,
            state__in=OPEN_STATES,
            submitted_at__gte=since,
        )
        .select_related("category", "subdistrict")
        .only(
            "pk",
            "tracking_code",
            "description",
            "latitude",
            "longitude",
            "public_address",
            "submitted_at",
            "state",
            "category__name",
            "subdistrict__name",
        )
        .exclude(pk=exclude_pk)
        .order_by("-submitted_at")[:200]
    )
    scored = []
    for case in candidates:
        score = similarity(description, case.description)
        near = (
            latitude is not None
            and case.latitude is not None
            and distance_m(latitude, longitude, case.latitude, case.longitude) <= radius_m
        )
        if score >= threshold or (near and score >= threshold / 2):
            scored.append((score + (0.2 if near else 0), case))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [case for _score, case in scored[:limit]]


NEARBY_DAYS = 120  # how far back the report form looks for reports of the same thing


def nearby_cases(
    *,
    category,
    subdistrict=None,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    radius_m: float,
    limit: int = 5,
) -> list[Tipoff]:
    """Reports of the same category that a resident should see before filing another one:
    open reports, and answered ones published as cases, from the last ``NEARBY_DAYS`` days —
    within ``radius_m`` of the point when one is given, otherwise in the same sub-district.
    Callers show only public fields (category, sub-district, road, month, state); never the
    tracking code, description or anything about the reporter."""
    since = timezone.now() - dt.timedelta(days=NEARBY_DAYS)
    qs = (
        Tipoff.objects.filter(category=category, submitted_at__gte=since)
        .filter(
            Q(state__in=OPEN_STATES)
            | Q(state__in=[State.RESOLVED, State.CLOSED], is_public=True, resolved_at__isnull=False)
        )
        .select_related("category", "subdistrict")
        .only(
            "pk",
            "latitude",
            "longitude",
            "public_address",
            "submitted_at",
            "state",
            "is_public",
            "category__name",
            "subdistrict__name",
        )
        .order_by("-submitted_at")
    )
    if latitude is not None and longitude is not None:
        # A bounding box in the database, the exact distance here.
        lat, lon = float(latitude), float(longitude)
        dlat = radius_m / 111_320
        dlon = radius_m / (111_320 * max(0.01, math.cos(math.radians(lat))))
        qs = qs.filter(
            latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon)
        )
        found = [
            case
            for case in qs[:200]
            if distance_m(lat, lon, case.latitude, case.longitude) <= radius_m
        ]
        return found[:limit]
    if subdistrict is None:
        return []
    return list(qs.filter(subdistrict=subdistrict)[:limit])


def distance_m(lat1, lon1, lat2, lon2) -> float:
    import math

    lat1, lon1, lat2, lon2 = (float(v) for v in (lat1, lon1, lat2, lon2))
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def reward_eligible_cases(*, user) -> QuerySet[Tipoff]:
    if not tipoff_policy.user_has_permission(user, "view_reward_eligibility"):
        raise PermissionDenied
    return (
        Tipoff.objects.filter(reward_eligible=True)
        .select_related("category", "subdistrict")
        .order_by("-resolved_at")
    )


# --- Start page counts (portal_home_panels) ---------------------------------------------------

DUE_SOON_DAYS = 3  # the "due within 3 days" queue of the case list


def photos_awaiting_approval_q() -> Q:
    """Public, finished cases with a photo not yet approved for the public case page."""
    pending = TipoffPhoto.objects.filter(tipoff=OuterRef("pk"), public_approved=False)
    return Q(is_public=True, state__in=(State.RESOLVED, State.CLOSED)) & Q(Exists(pending))


def intake_home_counts(*, user, today: dt.date) -> dict[str, int]:
    """The intake officer's start page: new, due soon, overdue, photos awaiting approval.

    One query (the same scopes as the case list's queues, so each count matches its list).
    """
    open_q = Q(state__in=OPEN_STATES)
    return tipoffs_for_user(user=user).aggregate(
        new=Count("pk", filter=Q(state=State.SUBMITTED)),
        due_soon=Count(
            "pk",
            filter=open_q
            & Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS)),
        ),
        overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
        photos=Count("pk", filter=photos_awaiting_approval_q()),
    )


def handler_home_cases(*, user, today: dt.date, limit: int = 10) -> dict:
    """A handler's start page: their departments' open cases, the nearest deadline first.

    Three queries: the user's departments, the counts and the first ``limit`` rows.
    """
    open_cases = tipoffs_for_user(user=user).filter(state__in=OPEN_STATES)
    counts = open_cases.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        due_soon=Count(
            "pk",
            filter=Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS)),
        ),
    )
    rows = list(
        open_cases.select_related(None)
        .select_related("category", "subdistrict")
        .only("id", "state", "due_date", "submitted_at", "category__name", "subdistrict__name")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:limit]
    )
    return {"counts": counts, "cases": rows}
