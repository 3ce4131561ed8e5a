"""The columns of the case queue's CSV/XLSX export — never with the reporter's identity.

The export itself is Wagtail's ``SpreadsheetExportMixin`` on the queue's ``IndexView``
(``list_export`` = the keys below, ``export_headings``, ``to_row_dict`` from ``COLUMNS``); no
hand-written writer. Values are typed so the spreadsheet gets dates as dates: days are
``datetime.date``, times are naive local ``datetime`` (Asia/Shanghai, as staff read them;
Wagtail would convert aware datetimes to UTC), counts are numbers, empty is ``None``. Cells are
formula-safe through ``portal.spreadsheets.protect_wagtail_exports`` (an address typed as
``=HYPERLINK(...)`` is text, not a formula).

The columns are a fixed list of case fields; the identity lives in another table that this
module does not read, so no option can add it.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def local(moment):
    """An aware datetime as the naive local wall-clock time to the minute (None stays None)."""
    if not moment:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)


COLUMNS = [
    ("reference", lambda t: t.reference),
    ("category", lambda t: str(t.category)),
    ("subdistrict", lambda t: t.subdistrict.name),
    ("public_location", lambda t: t.public_address),
    ("state", lambda t: t.get_state_display()),
    ("submitted_at", lambda t: local(t.submitted_at)),
    ("acceptance_due", lambda t: t.acceptance_due),
    ("handling_due", lambda t: t.handling_due),
    ("current_deadline", lambda t: t.due_date),
    ("extension_days", lambda t: t.extension_days or None),
    ("departments", lambda t: "、".join(a.department.name for a in t.assignments.all())),
    ("finding", lambda t: t.get_finding_display() if t.finding else ""),
    ("resolved_at", lambda t: local(t.resolved_at)),
    ("rating", lambda t: t.rating or None),
    ("confidentiality", lambda t: t.get_confidentiality_display()),
    ("channel", lambda t: t.get_channel_display()),
]


#: Column headings (translated when written).
HEADINGS = {
    "reference": _("Case number"),
    "category": _("Category"),
    "subdistrict": _("Sub-district"),
    "public_location": _("Public location"),
    "state": _("State"),
    "submitted_at": _("Submitted at"),
    "acceptance_due": _("Acceptance due"),
    "handling_due": _("Handling due"),
    "current_deadline": _("Current deadline"),
    "extension_days": _("Extension (days)"),
    "departments": _("Departments"),
    "finding": _("Finding"),
    "resolved_at": _("Resolved at"),
    "rating": _("Rating"),
    "confidentiality": _("Confidentiality"),
    "channel": _("Channel"),
}


#: What the export says about personal fields (docs/privacy.md): the case columns only, offered
#: to roles whose policy grants ``export``; the reporter's identity is never among them.
PERSONAL_DATA_HEADER = "X-Personal-Data"
PERSONAL_DATA_STATEMENT = "none (case fields only; reporter identities are never exported)"
