"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Services are the leaf categories; each has a required ``subdistrict`` attribute (a list of the
district's sub-districts) and the category's extra questions. ``POST requests`` needs an
``api_key`` issued in the admin (Report settings → Open311 API keys). Everything returned is
public-safe: no contact details, no description text (it may name the reporter), the address cut
to the road and coordinates rounded to about 100 m; photos only once staff approved them. ``GET
requests`` and ``requests/<id>`` show only the reports of the public case list.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal, InvalidOperation
from functools import cache, wraps
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from portal.models import PortalSettings, Subdistrict
from portal.tipoffs import ratelimit, selectors, workflow
from portal.tipoffs.models import (
    Category,
    Channel,
    Confidentiality,
    Open311Client,
    State,
    Tipoff,
)
from portal.tipoffs.validators import check_report_details
from portal.workdays import WorkdayCalendarUnknown

CLOSED_STATES = {State.RESOLVED, State.CLOSED, State.NOT_ACCEPTED}
MAX_RESULTS = 1000


# --- rendering ------------------------------------------------------------------------------


FORMATS = ("json", "xml")
#: The XML element of one entry of each list (GeoReport v2 and the discovery document).
_SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
#: When this interface last changed (the discovery document's ``changeset``).
CHANGESET = "2026-12-06T00:00:00+08:00"
OPENAPI_FILE = Path(__file__).with_name("open311_openapi.json")


def _xml(root_name: str, item_name: str | None, data) -> bytes:
    root = Element(root_name)
    if item_name is None:
        _xml_fill(root, data)
    else:
        for item in data:
            _xml_fill(SubElement(root, item_name), item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(root, encoding="unicode").encode()


# Characters XML 1.0 cannot carry (a reporter's address may contain them); dropped from XML output.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value) -> str:
    return _XML_INVALID.sub("", str(value))


def _xml_fill(node, item: dict) -> None:
    for key, value in item.items():
        if value is None:
            continue  # unknown: no element at all (never an empty one)
        child = SubElement(node, key)
        if isinstance(value, list):
            singular = _SINGULAR.get(key, "item")
            for entry in value:
                sub = SubElement(child, singular)
                if isinstance(entry, dict):
                    _xml_fill(sub, entry)
                else:
                    sub.text = _xml_text(entry)
        elif isinstance(value, dict):
            _xml_fill(child, value)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        else:
            child.text = _xml_text(value)


def _known(data: dict) -> dict:
    """``data`` without the values that are unknown (None or empty): omitted, as the spec wants
    for optional fields, rather than an empty element in XML or a null/empty string in JSON."""
    return {key: value for key, value in data.items() if value is not None and value != ""}


def respond(
    data, fmt: str, *, root: str, item: str | None = None, status: int = 200
) -> HttpResponse:
    """``data`` (a list of ``item`` elements, or with ``item=None`` one object that is the root
    element's content) as JSON or XML."""
    if fmt == "xml":
        return HttpResponse(
            _xml(root, item, data), content_type="text/xml; charset=utf-8", status=status
        )
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        status=status,
    )


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """A GeoReport v2 error list: one ``{code, description}`` per problem."""
    return respond(
        [{"code": status, "description": str(d)} for d in descriptions],
        fmt if fmt in FORMATS else "json",
        root="errors",
        item="error",
        status=status,
    )


def api_view(*methods: str):
    """An Open311 view: the format checked, other methods refused with 405 and ``Allow``.

    No CSRF check: the API has no session or cookie authentication (POST needs an api_key).
    """
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt: str = "json", **kwargs):
            with translation.override(api_language(request)):
                response = _dispatch(request, *args, fmt=fmt, **kwargs)
                response.headers.setdefault("Content-Language", translation.get_language())
                patch_vary_headers(response, ["Accept-Language"])
                return response

        def _dispatch(request, *args, fmt: str, **kwargs):
            if fmt not in FORMATS:
                return unknown_format(fmt)
            if request.method not in allowed:
                response = error(
                    fmt,
                    405,
                    _("Method %(method)s is not allowed here.") % {"method": request.method},
                )
                response["Allow"] = ", ".join(m for m in ("GET", "HEAD", "POST") if m in allowed)
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        return wrapper

    return decorate


def api_language(request) -> str:
    """The language of the messages: /open311/ has no language prefix, so the site's
    path-based choice (always Chinese there) does not apply; the client's Accept-Language (or
    language cookie) does, Chinese by default."""
    return translation.get_language_from_request(request, check_path=False)


def unknown_format(fmt: str) -> HttpResponse:
    return error(
        "json", 404, _("Unknown format “%(format)s”: use .json or .xml.") % {"format": fmt[:20]}
    )


@csrf_exempt
def not_found(request, rest: str = ""):
    """Anything else under /open311/: a GeoReport error in XML for a ``.xml`` path, else JSON."""
    with translation.override(api_language(request)):
        return _not_found(rest)


def _not_found(rest: str) -> HttpResponse:
    name = rest.rsplit("/", 1)[-1]
    if "." in name and name.rsplit(".", 1)[1] not in FORMATS:
        return unknown_format(name.rsplit(".", 1)[1])
    fmt = "xml" if name.endswith(".xml") else "json"
    return error(fmt, 404, _("No such resource. The API is described at /open311/v2/openapi.json."))


def _has_nul(request) -> bool:
    """A NUL character in any parameter: PostgreSQL cannot store or compare it, so refuse early."""
    return any("\x00" in value for query in (request.GET, request.POST) for value in _values(query))


def _values(query):
    for key, values in query.lists():
        yield key
        yield from values


def _ids(text: str) -> list[int]:
    """Ids from a comma-separated list; anything that cannot be a row id is ignored."""
    ids = []
    for part in text.split(","):
        part = part.strip()
        if part.isdigit() and len(part) <= 18:
            ids.append(int(part))
    return ids


# --- discovery and description ----------------------------------------------------------------


@api_view("GET")
def discovery(request, fmt):
    """The Open311 discovery document (http://wiki.open311.org/Service_discovery)."""
    site = PortalSettings.for_request(request)
    contact = " ".join(p for p in (site.operator, site.contact_email, site.contact_phone) if p)
    data = {
        "changeset": CHANGESET,
        "contact": contact or site.site_name,
        "key_service": _(
            "API keys for creating requests are issued by the site's administrators (%(contact)s)."
        )
        % {"contact": contact or site.site_name},
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": request.build_absolute_uri(
                    reverse("open311:services", kwargs={"fmt": "json"})
                ).removesuffix("/services.json"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return respond(data, fmt, root="discovery")


@cache
def _openapi_document() -> bytes:
    return OPENAPI_FILE.read_bytes()


@csrf_exempt
def openapi(request):
    """The OpenAPI 3.1 description of /open311/v2/ (``open311_openapi.json``)."""
    if request.method not in ("GET", "HEAD"):
        with translation.override(api_language(request)):
            response = error(
                "json",
                405,
                _("Method %(method)s is not allowed here.") % {"method": request.method},
            )
        response["Allow"] = "GET, HEAD"
        return response
    return HttpResponse(_openapi_document(), content_type="application/json; charset=utf-8")


# --- services -------------------------------------------------------------------------------


def _leaf_categories():
    categories = list(
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .prefetch_related("children")
    )
    return [c for c in categories if not c.children.all()]


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.urgent_notice or category.description or str(category),
        "metadata": True,
        "type": "realtime",
        # A comma-separated string, as the spec types it.
        "keywords": ",".join(
            [category.name] + ([category.parent.name] if category.parent_id else [])
        ),
        "group": category.parent.name if category.parent_id else category.name,
    }


@api_view("GET")
def services(request, fmt):
    return respond([_service(c) for c in _leaf_categories()], fmt, root="services", item="service")


@api_view("GET")
def service_definition(request, code, fmt):
    category = next((c for c in _leaf_categories() if c.code == code), None)
    if category is None:
        return error(fmt, 404, _("No service has this service_code."))
    attributes = [
        {
            "variable": True,
            "code": "subdistrict",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": _("Sub-district or town"),
            "order": 1,
            "description": _("Sub-district or town"),
            "values": [
                {"key": s.code, "name": s.name} for s in Subdistrict.objects.filter(is_active=True)
            ],
        }
    ]
    for order, question in enumerate(category.extra_questions or [], start=2):
        attribute = {
            "variable": True,
            "code": question["key"],
            "datatype": "singlevaluelist" if question.get("choices") else "string",
            "required": bool(question.get("required")),
            "datatype_description": "",
            "order": order,
            "description": question.get("label", question["key"]),
        }
        if question.get("choices"):
            attribute["values"] = [{"key": c, "name": c} for c in question["choices"]]
        attributes.append(attribute)
    # <service_definition><service_code/><attributes>…, without a wrapper element.
    data = {"service_code": category.code, "attributes": attributes}
    return respond(data, fmt, root="service_definition")


# --- requests -------------------------------------------------------------------------------


def _status(tipoff: Tipoff) -> str:
    return "closed" if tipoff.state in CLOSED_STATES else "open"


def _status_notes(tipoff: Tipoff) -> str:
    if tipoff.state == State.NOT_ACCEPTED:
        return f"{tipoff.get_not_accepted_reason_display()}"
    if tipoff.state in (State.RESOLVED, State.CLOSED):
        return f"{tipoff.get_finding_display()}：{tipoff.measures}"
    return str(tipoff.get_state_display())


def _round(value) -> float | None:
    return None if value is None else round(float(value), 3)


def _request_data(tipoff: Tipoff, base: str) -> dict:
    agency = "、".join(a.department.name for a in tipoff.assignments.all())
    updated = tipoff.closed_at or tipoff.resolved_at or tipoff.accepted_at or tipoff.submitted_at
    media = ""
    approved = [p for p in tipoff.photos.all() if p.public_approved]
    if approved and tipoff.state in (State.RESOLVED, State.CLOSED):
        media = base + reverse("tipoffs:photo", args=[approved[0].pk])
    data = {
        "service_request_id": str(tipoff.pk),
        "status": _status(tipoff),
        "status_notes": _status_notes(tipoff),
        "service_name": tipoff.category.name,
        "service_code": tipoff.category.code,
        # No "description": the reporter's text may name them. No service_notice, address_id or
        # zipcode: none is known, and unknown values are omitted.
        "agency_responsible": agency,
        "requested_datetime": timezone.localtime(tipoff.submitted_at).isoformat(),
        "updated_datetime": timezone.localtime(updated).isoformat(),
        "expected_datetime": (
            dt.datetime.combine(
                tipoff.due_date, dt.time(17, 30), tzinfo=timezone.get_current_timezone()
            ).isoformat()
            if tipoff.due_date
            else None
        ),
        "address": f"{tipoff.subdistrict.name}{tipoff.public_address}",
        "lat": _round(tipoff.latitude),
        "long": _round(tipoff.longitude),
        "media_url": media or None,
    }
    return _known(data)


def _public_requests():
    """Exactly the reports of the public case list (``selectors.public_cases``): answered and
    "published as a case". Open, undecided, not-accepted, merged and unpublished reports are never
    listed or looked up here — an open report made public would tell the polluter before the
    inspection, and ids are sequential, so the look-up by id must hide what the list hides."""
    return selectors.public_cases().prefetch_related("assignments__department", "photos")


def _parse_date(value: str):
    parsed = parse_datetime(value) if value else None
    if value and parsed is None:
        raise ValueError(value)
    if parsed is not None and not 1900 <= parsed.year <= 2100:
        raise ValueError(value)  # near year 1 or 9999 the time-zone shift overflows
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@sensitive_post_parameters("api_key", "first_name", "last_name", "phone", "email")
@api_view("GET", "POST")
def requests_view(request, fmt):
    if _has_nul(request):
        return error(fmt, 400, _("Parameters must not contain NUL characters."))
    if request.method == "POST":
        return _create(request, fmt)
    qs = _public_requests()
    ids = request.GET.get("service_request_id")
    if ids:
        qs = qs.filter(pk__in=_ids(ids))
    else:
        try:
            start = _parse_date(request.GET.get("start_date", ""))
            end = _parse_date(request.GET.get("end_date", ""))
        except ValueError:
            return error(fmt, 400, _("start_date and end_date must be W3C date-times."))
        end = end or timezone.now()
        start = start or end - dt.timedelta(days=90)
        qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
        codes = [c for c in request.GET.get("service_code", "").split(",") if c]
        if codes:
            qs = qs.filter(category__code__in=codes)
        status = request.GET.get("status", "")
        if status:
            wanted = set(status.split(","))
            if not wanted <= {"open", "closed"}:
                return error(fmt, 400, _("status must be open or closed."))
            if wanted == {"open"}:
                qs = qs.exclude(state__in=CLOSED_STATES)
            elif wanted == {"closed"}:
                qs = qs.filter(state__in=CLOSED_STATES)
    base = request.build_absolute_uri("/").rstrip("/")
    data = [_request_data(t, base) for t in qs.order_by("-submitted_at")[:MAX_RESULTS]]
    return respond(data, fmt, root="service_requests", item="request")


@api_view("GET")
def request_detail(request, pk, fmt):
    tipoff = _public_requests().filter(pk__in=_ids(pk)).first()
    if tipoff is None:
        return error(fmt, 404, _("No public request has this service_request_id."))
    base = request.build_absolute_uri("/").rstrip("/")
    return respond([_request_data(tipoff, base)], fmt, root="service_requests", item="request")


@api_view("GET")
def token_view(request, token, fmt):
    try:
        token = uuid.UUID(token)
    except ValueError:
        return error(fmt, 404, _("No request has this token."))
    tipoff = Tipoff.objects.filter(open311_token=token).only("pk", "open311_token").first()
    if tipoff is None:
        return error(fmt, 404, _("No request has this token."))
    return respond(
        [{"service_request_id": str(tipoff.pk), "token": str(tipoff.open311_token)}],
        fmt,
        root="service_requests",
        item="request",
    )


@sensitive_variables("post", "phone", "email", "name")
def _create(request, fmt):
    post = request.POST
    client = Open311Client.objects.filter(api_key=post.get("api_key", ""), is_active=True).first()
    if client is None:
        return error(fmt, 403, _("The api_key is missing or not valid."))
    if not ratelimit.hit("api", str(client.pk)):
        return error(fmt, 429, _("Too many requests for this api_key. Try again later."))
    category = next((c for c in _leaf_categories() if c.code == post.get("service_code")), None)
    if category is None:
        return error(fmt, 404, _("No service has this service_code."))
    subdistrict = Subdistrict.objects.filter(
        code=post.get("attribute[subdistrict]", ""), is_active=True
    ).first()
    if subdistrict is None:
        return error(
            fmt, 400, _("attribute[subdistrict] is required (see the service definition).")
        )
    address = post.get("address_string", "").strip()
    lat, lon = post.get("lat"), post.get("long")
    try:
        latitude = Decimal(lat).quantize(Decimal("0.000001")) if lat else None
        longitude = Decimal(lon).quantize(Decimal("0.000001")) if lon else None
    except InvalidOperation:
        return error(fmt, 400, _("lat and long must be numbers."))
    if any(v is not None and not v.is_finite() for v in (latitude, longitude)):
        return error(fmt, 400, _("lat and long must be numbers."))
    if (latitude is None) != (longitude is None) or (
        latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        return error(fmt, 400, _("lat and long must be given together and be valid."))
    if not address and latitude is None:
        return error(fmt, 400, _("address_string or lat and long are required."))
    # The web form's rules (validators.check_report_details): description, extra questions.
    questions = category.extra_questions or []
    details = check_report_details(
        questions,
        description=post.get("description"),
        answers={q["key"]: post.get(f"attribute[{q['key']}]") for q in questions},
    )
    if details.errors:
        return error(
            fmt,
            400,
            *(
                f"{'description' if key == 'description' else f'attribute[{key}]'}: {message}"
                for key, messages in details.errors.items()
                for message in messages
            ),
        )
    phone = post.get("phone", "").strip().replace(" ", "")
    email = post.get("email", "").strip()
    if len(email) > 254 or len(phone) > 20:
        return error(fmt, 400, _("The phone number or email address is too long."))
    name = f"{post.get('last_name', '')}{post.get('first_name', '')}".strip()
    real_name = bool(phone or email)
    from django.core.validators import validate_email

    from portal.models import phone_validator

    try:
        if phone:
            phone_validator(phone)
        if email:
            validate_email(email)
        tipoff = workflow.tipoff_submit(
            category=category,
            subdistrict=subdistrict,
            address=address[:255] or f"({latitude}, {longitude})",
            latitude=latitude,
            longitude=longitude,
            observed_at=timezone.now(),
            description=details.description,
            extra_answers=details.answers,
            confidentiality=Confidentiality.REAL_NAME if real_name else Confidentiality.ANONYMOUS,
            name=name[:64],
            phone=phone,
            email=email,
            consent=real_name,  # API clients must show the notice (docs/tipoffs.md)
            channel=Channel.OPEN311,
            open311_client=client,
        )
    except ValidationError as exc:
        return error(fmt, 400, *exc.messages)
    except WorkdayCalendarUnknown:
        return error(fmt, 503, _("The working-day calendar is not configured."))
    # The spec returns service_request_id or token: the request exists at once, so its id.
    # tracking_code (an extension) is the reporter's code for the site's tracking page.
    data = {
        "service_request_id": str(tipoff.pk),
        "service_notice": category.urgent_notice,
        "tracking_code": tipoff.display_code,
    }
    return respond([_known(data)], fmt, root="service_requests", item="request")
