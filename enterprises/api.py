"""The monitoring API: POST results with an enterprise's token (``Authorization: Bearer …``).

Body: ``{"results": [{"outlet": "DA001", "pollutant": "so2", "measured_at": "2026-03-01T10:00",
"value": 21.5, "unit": "mg/m3", "method": "automatic"}, …]}`` (at most 500 rows). All rows are
checked before any is saved; errors are 400 JSON with the row number and field. A token reaches
its own enterprise's outlets only. Rate limits: ``ENTERPRISES_RATE_LIMITS``.
"""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from enterprises import services, values
from enterprises.models import MonitoringResult
from portal import ratelimit

MAX_ROWS = 500


def _limited(scope: str, value: str) -> bool:
    limit, window = ratelimit.configured("ENTERPRISES_RATE_LIMITS", scope)
    return not ratelimit.hit(f"enterprises:{scope}", value, limit=limit, window=window)


def _error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def monitoring(request):
    if _limited("api_client", ratelimit.client_ip(request)):
        return _error(429, _("Too many requests. Try again later."))
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.startswith("Bearer ") else ""
    token = services.token_authenticate(raw)
    if token is None:
        response = _error(401, _("A valid enterprise token is required (Authorization: Bearer …)."))
        response["WWW-Authenticate"] = 'Bearer realm="enterprises"'
        return response
    if _limited("api_token", str(token.pk)):
        return _error(429, _("Too many requests. Try again later."))
    enterprise = token.enterprise
    if request.method == "GET":
        outlets = [
            {
                "code": outlet.code,
                "name": outlet.name,
                "limits": [
                    {
                        "pollutant": lim.pollutant,
                        "unit": values.pollutant_unit(lim.pollutant),
                        "limit": str(lim.limit),
                    }
                    for lim in outlet.limits.all()
                ],
            }
            for outlet in enterprise.outlets.prefetch_related("limits")
        ]
        return JsonResponse({"enterprise": enterprise.credit_code, "outlets": outlets})
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error(400, _("The body is not valid JSON."))
    rows = body.get("results") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return _error(400, _("Send a non-empty list of results under “results”."))
    if len(rows) > MAX_ROWS:
        return _error(400, _("At most %(n)s results per request.") % {"n": MAX_ROWS})
    try:
        saved = services.monitoring_record(
            enterprise=enterprise, rows=rows, source=MonitoringResult.Source.API
        )
    except services.MonitoringErrors as exc:
        return _error(
            400,
            _("Nothing was saved: %(n)s problems.") % {"n": len(exc.errors)},
            problems=[{"row": r, "field": f, "message": m} for r, f, m in exc.errors],
        )
    return JsonResponse(
        {"saved": len(saved), "exceedances": sum(1 for r in saved if r.exceeded)}, status=201
    )
