import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from portal import health
from portal.integration import me_sections
from portal.roles import can_access_admin

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a query, 503 otherwise (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: database unavailable")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_GET
def readyz(request):
    """200 when this process may take traffic (database, cache, storage, schema, task queue);
    503 naming the failing checks otherwise. See portal/health.py."""
    checks = health.readiness()
    failing = health.failing(checks)
    body = {"status": "error" if failing else "ok", "checks": checks}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def set_language(request):
    """Django's set_language, resolving ``next`` in the language of its own URL.

    The view runs outside i18n_patterns, so without this /en/column/ would be read as a Chinese
    path with a page slug "en" and switching back to Chinese would stay on the English page.
    """
    next_path = urlsplit(request.POST.get("next") or request.GET.get("next") or "").path
    with translation.override(
        translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    ):
        return django_set_language(request)


@login_required
def me(request):
    """我的: the resident's own page; each app adds its cards through the
    ``portal_me_sections`` hook (portal/integration.py)."""
    return render(
        request,
        "portal/me.html",
        {
            "sections": me_sections(request),
            "admin_url": reverse("wagtailadmin_home") if can_access_admin(request.user) else "",
        },
    )


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


def bad_request(request, exception=None):
    return _render_error(request, "400.html", 400)


def server_error(request):
    return _render_error(request, "500.html", 500)


def _render_error(request, template_name: str, status: int):
    # Error templates extend base_error.html, which reads nothing from the database, so they
    # render even when the database is the thing that failed.
    body = loader.get_template(template_name).render({"request": request})
    return HttpResponse(body, status=status)
