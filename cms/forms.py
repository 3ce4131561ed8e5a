"""Public forms of the cms app: 纠错 (report an error on a page)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.models import PageErrorReport


def page_path(value: str, *, host: str) -> str:
    """The on-site path of ``value`` (a path, or an absolute URL on ``host``), or "" if foreign."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    foreign = parts.scheme not in ("http", "https") or parts.netloc != host
    if (parts.scheme or parts.netloc) and foreign:
        return ""
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return ""
    return path + (f"?{parts.query}" if parts.query else "")


class PageErrorReportForm(forms.ModelForm):
    class Meta:
        model = PageErrorReport
        fields = ["page_url", "description", "contact"]
        labels = {
            "page_url": _("Address of the page with the error"),
            "description": _("What is wrong, and what would be right?"),
            "contact": _("Your e-mail or telephone (optional, only if you want a reply)"),
        }
        widgets = {
            "page_url": forms.TextInput(attrs={"autocomplete": "off"}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "contact": forms.TextInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "page_url": {"required": _("Enter the address of the page with the error.")},
            "description": {"required": _("Describe the error.")},
        }

    def __init__(self, *args, host: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.host = host

    def clean_page_url(self) -> str:
        path = page_path(self.cleaned_data["page_url"], host=self.host)
        if not path:
            raise forms.ValidationError(
                _("Enter the address of a page on this site, e.g. /disclosure/."),
                code="foreign_page",
            )
        return path

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if len(text) < 5:
            raise forms.ValidationError(
                _("Please describe the error in at least five characters."), code="too_short"
            )
        return text
