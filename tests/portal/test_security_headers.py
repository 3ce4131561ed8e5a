"""Content-Security-Policy and Permissions-Policy (issue 12, part 9).

The public site runs under a policy without inline script or style; the Wagtail admin gets a
looser one under /admin/ only. The template scan keeps inline scripts and handlers from coming
back: the browser journeys (tests/e2e/test_shell.py) check that no violation is reported.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_public_pages_forbid_inline_script_and_style(client):
    response = client.get(reverse("tipoffs:new"))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_permissions_policy_allows_only_the_position_for_this_site(client):
    header = client.get(reverse("tipoffs:new"))["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    assert features["geolocation"] == "(self)"
    for feature in ("camera", "microphone", "payment", "usb"):
        assert features[feature] == "()"


def test_the_admin_gets_its_looser_policy_only_under_admin(client, editor):
    client.force_login(editor)
    admin = directives(client.get("/admin/")["Content-Security-Policy"])
    assert "'unsafe-inline'" in admin["script-src"]
    assert admin["frame-ancestors"] == ["'self'"]
    assert admin["object-src"] == ["'none'"]
    public = directives(client.get(reverse("me"))["Content-Security-Policy"])
    assert public["script-src"] == ["'self'"]


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("portal/*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]*\sstyle\s*=|<style[\s>]", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def project_templates():
    for directory in TEMPLATE_DIRS:
        yield from directory.rglob("*.html")


def test_templates_have_no_inline_script_handler_or_javascript_url():
    offenders = []
    for path in project_templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            offenders += [
                f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text)
            ]
    assert not offenders, "Move these to a static JS file:\n" + "\n".join(offenders)


def test_public_templates_have_no_inline_style():
    """Admin templates (under a templates/<app>/admin/ folder) run under the admin's policy."""
    offenders = []
    for path in project_templates():
        if "admin" in path.relative_to(ROOT).parts[:-1]:
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [
            f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for m in INLINE_STYLE.finditer(text)
        ]
    assert not offenders, "Use a class in static/css instead:\n" + "\n".join(offenders)
