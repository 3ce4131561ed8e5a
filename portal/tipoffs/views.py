"""Public views: file a report, track it, the public case list and statistics, photos.

Thin: parse, call workflow/selectors, render. The tracking code is never put in a URL (it would
end up in logs and Referer headers): a look-up is a POST, after which the report's id is kept in
the session and the tracking page checks it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from portal import integration
from portal.models import Subdistrict
from portal.pagecache import anonymous_page
from portal.storage import private_file_response
from portal.tipoffs import ratelimit, selectors, stats, workflow
from portal.tipoffs.filters import PublicCaseFilterSet
from portal.tipoffs.forms import (
    AddInformationForm,
    RateForm,
    ReviewForm,
    TipoffForm,
    TrackForm,
)
from portal.tipoffs.models import Category, Confidentiality, State, Tipoff, TipoffPhoto
from portal.workdays import WorkdayCalendarUnknown

logger = logging.getLogger(__name__)

SESSION_KEY = "tipoffs_tracking"
SESSION_LIMIT = 20


def _remember(request, tipoff: Tipoff) -> None:
    tracked = [pk for pk in request.session.get(SESSION_KEY, []) if pk != tipoff.pk]
    request.session[SESSION_KEY] = [tipoff.pk, *tracked][:SESSION_LIMIT]


def _tracked(request, pk: int) -> Tipoff:
    if pk not in request.session.get(SESSION_KEY, []):
        raise Http404
    tipoff = (
        Tipoff.objects.select_related("category", "category__parent", "subdistrict", "master")
        .filter(pk=pk)
        .first()
    )
    if tipoff is None:
        raise Http404
    return tipoff


@never_cache
@sensitive_post_parameters("name", "phone", "email")
def new(request):
    """The report form (anyone, signed in or not)."""
    if request.method == "POST":
        # Every attempt counts, refused ones too: invalid forms with large photos must not be a
        # free way to make the server work. Counted before anything is validated or decoded.
        if not ratelimit.hit("ip", ratelimit.client_ip(request)):
            messages.error(
                request,
                _(
                    "Too many reports from your network in a short time. Please try again later or call the hotline."
                ),
            )
            # An unbound copy keeps what was typed: rendering a bound form would validate it
            # and so decode the photos the limit is there to refuse.
            form = TipoffForm(initial=_typed_values(request.POST))
            return render(
                request, "tipoffs/tipoff_form.html", _form_context(request, form), status=429
            )
        form = TipoffForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            phone = (
                data.get("phone") if data["confidentiality"] == Confidentiality.REAL_NAME else ""
            )
            if phone and not ratelimit.peek("phone", phone):
                form.add_error("phone", _("Too many reports with this phone number today."))
                return render(
                    request,
                    "tipoffs/tipoff_form.html",
                    _form_context(request, form, match=True),
                    status=429,
                )
            try:
                tipoff = workflow.tipoff_submit(
                    category=data["category"],
                    subdistrict=data["subdistrict"],
                    address=data["address"],
                    latitude=data.get("latitude"),
                    longitude=data.get("longitude"),
                    observed_at=data["observed_at"],
                    description=data["description"],
                    extra_answers=data["extra_answers"],
                    confidentiality=data["confidentiality"],
                    name=data.get("name", ""),
                    phone=phone,
                    email=data.get("email", ""),
                    consent=data.get("consent", False),
                    reported_party=data.get("reported_party", ""),
                    user=request.user,
                    photos=data.get("photos") or [],
                )
            except WorkdayCalendarUnknown:
                logger.exception("Working-day calendar missing; report not filed")
                messages.error(
                    request,
                    _(
                        "The report could not be filed because the working-day calendar is not set up. Please call the hotline."
                    ),
                )
                return render(
                    request,
                    "tipoffs/tipoff_form.html",
                    _form_context(request, form, match=True),
                    status=503,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if phone:
                    ratelimit.hit("phone", phone)
                _remember(request, tipoff)
                request.session["tipoffs_new_code"] = tipoff.tracking_code
                return redirect("tipoffs:submitted", pk=tipoff.pk)
        return render(
            request,
            "tipoffs/tipoff_form.html",
            _form_context(request, form, match=True),
            status=400,
        )
    initial = {"observed_at": timezone.localtime().replace(second=0, microsecond=0)}
    return render(
        request, "tipoffs/tipoff_form.html", _form_context(request, TipoffForm(initial=initial))
    )


def _typed_values(post) -> dict:
    """What the person typed, to show again in an unbound form (never files, never the token)."""
    return {key: value for key, value in post.items() if key != "csrfmiddlewaretoken"}


def _form_context(request, form, *, match: bool = False):
    """The form's template context. ``match``: the form was sent back, so the apps that help
    with the reported unit (``tipoff_form_aids``) show their matches for what was typed —
    without JavaScript. A submission refused by the per-client limit (an unbound form) gets
    no look-up: the limit is there to refuse work."""
    categories = Category.objects.filter(is_active=True).select_related("parent")
    typed = form.data if match and form.is_bound else {}
    return {
        "form": form,
        "urgent": [c for c in categories if c.urgent_notice],
        "map": map_config(),
        "form_aids": integration.tipoff_form_aids(
            request,
            party=_typed(typed, "reported_party"),
            address=_typed(typed, "address"),
        ),
    }


def _typed(data, name: str) -> str:
    """A text field as typed, for a look-up only: one line, empty when longer than the field."""
    value = " ".join(str(data.get(name, "")).split())
    return value if len(value) <= TipoffForm.base_fields[name].max_length else ""


def map_config() -> dict | None:
    """The map picker's tiles from settings, or None: no tiles configured, no map (and no
    request to any tile server); the address field alone is enough to file a report."""
    if not settings.TIPOFFS_MAP_TILE_URL:
        return None
    token = settings.TIPOFFS_MAP_TOKEN

    def url(template: str) -> str:
        return template.replace("{token}", token) if template else ""

    attribution = " · ".join(
        part
        for part in (
            settings.TIPOFFS_MAP_ATTRIBUTION,
            _("Map review number %(n)s") % {"n": settings.TIPOFFS_MAP_REVIEW_NUMBER}
            if settings.TIPOFFS_MAP_REVIEW_NUMBER
            else "",
        )
        if part
    )
    return {
        "tiles": url(settings.TIPOFFS_MAP_TILE_URL),
        "labels": url(settings.TIPOFFS_MAP_LABEL_URL),
        "subdomains": settings.TIPOFFS_MAP_SUBDOMAINS,
        "attribution": attribution,
        "lat": settings.TIPOFFS_MAP_CENTER_LAT,
        "lon": settings.TIPOFFS_MAP_CENTER_LON,
    }


def _coordinate(raw: str | None, limit: float) -> float | None:
    try:
        value = float(raw) if raw and len(raw) <= 20 else None
    except ValueError:
        return None
    return value if value is not None and -limit <= value <= limit else None


@never_cache
def nearby(request):
    """JSON for the report form: reports of the same category near the point (or in the
    sub-district), anonymised, shown before the resident files another one. Rate limited."""
    if not ratelimit.hit("nearby", ratelimit.client_ip(request)):
        return JsonResponse(
            {"error": _("Too many look-ups. Please wait a few minutes.")}, status=429
        )
    category_id = request.GET.get("category", "")
    category = (
        Category.objects.filter(pk=int(category_id), is_active=True).first()
        if category_id.isdigit() and len(category_id) <= 18
        else None
    )
    if category is None:
        return JsonResponse({"error": _("Choose a category first.")}, status=400)
    subdistrict_id = request.GET.get("subdistrict", "")
    subdistrict = (
        Subdistrict.objects.filter(pk=int(subdistrict_id), is_active=True).first()
        if subdistrict_id.isdigit() and len(subdistrict_id) <= 18
        else None
    )
    lat = _coordinate(request.GET.get("lat"), 90)
    lon = _coordinate(request.GET.get("lon"), 180)
    if (lat is None) != (lon is None):
        return JsonResponse({"error": _("Give both coordinates or none.")}, status=400)
    radius = settings.TIPOFFS_NEARBY_RADIUS_M
    found = selectors.nearby_cases(
        category=category,
        subdistrict=subdistrict,
        latitude=lat,
        longitude=lon,
        radius_m=radius,
    )
    cases_url = reverse("tipoffs:cases")
    results = []
    for case in found:
        answered = case.state in (State.RESOLVED, State.CLOSED)
        results.append(
            {
                "category": case.category.name,
                "subdistrict": case.subdistrict.name,
                "place": case.public_address,
                "month": case.submitted_at.strftime("%Y-%m"),
                "state": case.get_state_display(),
                "answered": answered,
                "url": f"{cases_url}?q=&category=&subdistrict={case.subdistrict_id}#case-{case.pk}"
                if answered
                else "",
            }
        )
    return JsonResponse({"radius_m": radius, "by_point": lat is not None, "results": results})


@never_cache
def submitted(request, pk: int):
    tipoff = _tracked(request, pk)
    code = request.session.pop("tipoffs_new_code", None)
    if code != tipoff.tracking_code:
        return redirect("tipoffs:track_case", pk=pk)
    similar = selectors.similar_open_cases(
        category=tipoff.category,
        subdistrict=tipoff.subdistrict,
        description=tipoff.description,
        latitude=tipoff.latitude,
        longitude=tipoff.longitude,
        exclude_pk=tipoff.pk,
    )
    for case in similar:
        case.follow_offer = follow_offer(tipoff=tipoff, master=case)
    return render(
        request,
        "tipoffs/submitted.html",
        {"tipoff": tipoff, "code": tipoff.display_code, "similar": similar},
    )


# A report may follow only a case the duplicate check offered to that very report: the offer is a
# signed, expiring token naming both, so no other case can be chosen by sending its id.
FOLLOW_OFFER_SALT = "portal.tipoffs.follow-offer"
FOLLOW_OFFER_MAX_AGE = 3600  # seconds


def follow_offer(*, tipoff: Tipoff, master: Tipoff) -> str:
    """The token that lets ``tipoff`` follow ``master`` (signed with a timestamp)."""
    return signing.dumps({"report": tipoff.pk, "master": master.pk}, salt=FOLLOW_OFFER_SALT)


def offered_master_id(*, token: str, tipoff: Tipoff) -> int | None:
    """The case offered to ``tipoff`` by ``token``, or None if forged, expired or for another."""
    if not token or len(token) > 200:
        return None
    try:
        offer = signing.loads(token, salt=FOLLOW_OFFER_SALT, max_age=FOLLOW_OFFER_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(offer, dict) or offer.get("report") != tipoff.pk:
        return None
    master = offer.get("master")
    return master if isinstance(master, int) and master != tipoff.pk else None


@never_cache
@require_POST
def follow(request, pk: int):
    """The reporter chose to follow a case offered after submission: their report merges into it."""
    tipoff = _tracked(request, pk)
    master_id = offered_master_id(token=request.POST.get("offer", ""), tipoff=tipoff)
    master = Tipoff.objects.filter(pk=master_id).first() if master_id else None
    if master is None:
        messages.error(
            request,
            _(
                "This offer to follow another case is not valid or has expired (offers last an hour). "
                "Your report stays as it was filed."
            ),
        )
        return render(
            request, "tipoffs/track_case.html", _track_context(request, tipoff), status=400
        )
    try:
        workflow.tipoff_follow(tipoff=tipoff, master=master)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Your report now follows the existing case; you will see its progress here.")
        )
    return redirect("tipoffs:track_case", pk=pk)


@never_cache
@login_required
def track_mine(request, pk: int):
    """Open the tracking page of a report the signed-in user filed (from 我的): only their own."""
    tipoff = selectors.tipoffs_of_reporter(user=request.user).filter(pk=pk).first()
    if tipoff is None:
        raise Http404
    _remember(request, tipoff)
    return redirect("tipoffs:track_case", pk=tipoff.pk)


@never_cache
def track(request):
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit("track", ratelimit.client_ip(request)):
            messages.error(request, _("Too many look-ups. Please wait a few minutes."))
            return render(request, "tipoffs/track.html", {"form": form}, status=429)
        tipoff = selectors.tipoff_by_tracking_code(code=form.cleaned_data["code"])
        if tipoff is None:
            form.add_error(
                "code", _("No report has this tracking code. Check the characters and try again.")
            )
        else:
            _remember(request, tipoff)
            return redirect("tipoffs:track_case", pk=tipoff.pk)
    return render(request, "tipoffs/track.html", {"form": form}, status=400 if form.errors else 200)


@dataclass(frozen=True)
class CaseProgress:
    """What a tracking page shows of the case that handles a report: its state, deadline and
    answer. For a report that follows another case this is all it sees of that case — never its
    tracking code, description, address, additions or photos."""

    state: str
    state_display: str
    due_date: dt.date | None
    overdue: bool
    resolved_at: dt.datetime | None
    finding_display: str
    measures: str
    penalty_reference: str
    public_reply: str

    @classmethod
    def of(cls, case: Tipoff) -> CaseProgress:
        return cls(
            state=case.state,
            state_display=case.get_state_display(),
            due_date=case.due_date,
            overdue=case.is_overdue(),
            resolved_at=case.resolved_at,
            finding_display=case.get_finding_display() if case.finding else "",
            measures=case.measures,
            penalty_reference=case.penalty_reference,
            public_reply=case.public_reply,
        )


def _track_context(request, tipoff: Tipoff, **forms):
    """The reporter's page. Every action on it (rate, 复查, add information) acts on the
    reporter's own report; a report that follows another case shows that case's progress and
    public events, and offers no action at all (a merged report cannot be rated, reviewed or
    added to — the handling and its answer belong to the case it follows)."""
    follows = tipoff.state == State.MERGED and tipoff.master_id is not None
    handling = tipoff.master if follows else tipoff
    events = list(selectors.public_events(tipoff))
    if follows:
        events += list(selectors.public_events(handling))
    own_events = tipoff.events.filter(
        kind__in=["info_added", "rated", "review_requested"]
    ).order_by("created_at")
    can_rate = (
        not follows and tipoff.state in workflow.TRANSITIONS["rate"] and tipoff.rating is None
    )
    review_until = workflow.review_deadline(tipoff)
    can_review = (
        not follows
        and tipoff.state in workflow.TRANSITIONS["request_review"]
        and tipoff.review_requested_at is None
        and review_until is not None
        and timezone.localdate() <= review_until
    )
    can_add = not follows and tipoff.state in workflow.TRANSITIONS["add_information"]
    progress = CaseProgress.of(handling)
    return {
        "tipoff": tipoff,
        "shown": progress,
        "follows": follows,
        "events": sorted(events, key=lambda e: (e.created_at, e.pk)),
        "own_events": own_events,
        "photos": tipoff.photos.all(),
        "rate_form": forms.get("rate_form") or (RateForm() if can_rate else None),
        "review_form": forms.get("review_form") or (ReviewForm() if can_review else None),
        "info_form": forms.get("info_form") or (AddInformationForm() if can_add else None),
        "review_until": review_until,
        "overdue": progress.overdue,
    }


@never_cache
def track_case(request, pk: int):
    tipoff = _tracked(request, pk)
    forms = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if not ratelimit.hit("followup", str(tipoff.pk)):
            messages.error(
                request,
                _("Too many additions to this report today. Please try again tomorrow."),
            )
            return render(
                request, "tipoffs/track_case.html", _track_context(request, tipoff), status=429
            )
        try:
            if action == "rate":
                form = forms["rate_form"] = RateForm(request.POST)
                if form.is_valid():
                    workflow.tipoff_rate(
                        tipoff=tipoff,
                        rating=form.cleaned_data["rating"],
                        comment=form.cleaned_data["comment"],
                    )
                    messages.success(request, _("Thank you for your rating."))
                    return redirect("tipoffs:track_case", pk=pk)
            elif action == "review":
                form = forms["review_form"] = ReviewForm(request.POST)
                if form.is_valid():
                    workflow.tipoff_request_review(
                        tipoff=tipoff, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("Your request for a review has been received."))
                    return redirect("tipoffs:track_case", pk=pk)
            elif action == "add":
                form = forms["info_form"] = AddInformationForm(request.POST, request.FILES)
                if form.is_valid():
                    workflow.tipoff_add_information(
                        tipoff=tipoff,
                        text=form.cleaned_data["text"],
                        photos=form.cleaned_data["photos"] or [],
                    )
                    messages.success(request, _("Your information has been added to the report."))
                    return redirect("tipoffs:track_case", pk=pk)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("tipoffs:track_case", pk=pk)
        tipoff.refresh_from_db()
        return render(
            request, "tipoffs/track_case.html", _track_context(request, tipoff, **forms), status=400
        )
    return render(request, "tipoffs/track_case.html", _track_context(request, tipoff))


# Free-text searches (q) are answered but never stored: only the fixed filters are cached.
@anonymous_page(params=("category", "subdistrict", "state", "date_from", "date_to", "page"))
def cases(request):
    """Answered cases published for the public, searchable and filtered (PublicCaseFilterSet);
    a filter with a bad value is shown with its error and left out."""
    filterset = PublicCaseFilterSet(request.GET or None, queryset=selectors.public_cases())
    page = Paginator(filterset.qs.prefetch_related(_approved_photos()), 20).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tipoffs/cases.html",
        {"page_obj": page, "filter": filterset, "query": query.urlencode()},
    )


def _approved_photos():
    from django.db.models import Prefetch

    return Prefetch(
        "photos", queryset=TipoffPhoto.objects.filter(public_approved=True), to_attr="public_photos"
    )


@anonymous_page(params=())
def stats_view(request):
    return render(request, "tipoffs/stats.html", {"stats": stats.public_stats()})


def photo(request, pk: int):
    """The cleaned copy of a photo, to those allowed to see it."""
    item = get_object_or_404(TipoffPhoto.objects.select_related("tipoff"), pk=pk)
    tipoff = item.tipoff
    public = (
        item.public_approved and tipoff.is_public and tipoff.state in (State.RESOLVED, State.CLOSED)
    )
    allowed = public or tipoff.pk in request.session.get(SESSION_KEY, [])
    if not allowed and request.user.is_authenticated:
        try:
            selectors.tipoff_for_user(user=request.user, pk=tipoff.pk)
            allowed = True
        except PermissionDenied:
            allowed = False
    if not allowed:
        raise Http404
    return private_file_response(
        item.cleaned.name,
        content_type="image/jpeg",
        cache_control="public, max-age=86400" if public else "private, no-store",
        shared_cache=public,
    )


def index(request):
    return HttpResponseRedirect(reverse("tipoffs:new"))
