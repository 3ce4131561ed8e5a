"""The annual report's format (格式准则): eight parts, their narrative text and their tables.

Content is a plain dict, stored as JSON on a draft and frozen in each submitted version::

    {"basic": "…", "management": "…", "pollution": "…", "carbon": "…", "emergency": "…",
     "violations": "…", "temporary": "…", "other": "…",
     "emissions": [{"outlet": "DA001", "pollutant": "二氧化硫", "amount": "12.5", "unit": "t"}],
     "hazardous_waste": [{"code": "900-041-49", "name": "废矿物油", "amount": "1.2",
                          "route": "contracted_disposal"}],
     "carbon_emissions": [{"scope": "direct", "amount": "1200"}]}

``clean_content`` checks it (pure: plain values in, errors out); a carbon-only report (voluntary
filers, 第四章 of the plan) has only the carbon part and its table.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises import values
from portal.uploads import canonical_sha256

# (key, label) of the eight parts, in the format's order.
PARTS = (
    ("basic", gettext_lazy("1. Basic information of the enterprise")),
    (
        "management",
        gettext_lazy(
            "2. Environmental management (permits, environmental tax, pollution liability "
            "insurance, credit rating)"
        ),
    ),
    (
        "pollution",
        gettext_lazy(
            "3. Pollutants: treatment facilities, emissions, toxic substances, solid and "
            "hazardous waste, self-monitoring"
        ),
    ),
    ("carbon", gettext_lazy("4. Carbon emissions")),
    ("emergency", gettext_lazy("5. Environmental emergencies")),
    ("violations", gettext_lazy("6. Environmental violations")),
    ("temporary", gettext_lazy("7. Temporary disclosures during the year")),
    ("other", gettext_lazy("8. Other information")),
)
PART_KEYS = tuple(key for key, _label in PARTS)
# The extra parts some enterprises add (办法 第十二条, 第十三条): (key, label, the categories that
# owe it). Required like the four main parts for those enterprises (write 无 if nothing applies).
EXTRA_PARTS = (
    (
        "clean_production",
        gettext_lazy(
            "Additional: mandatory clean-production audit (why it is required, how it was carried "
            "out, its assessment and acceptance)"
        ),
        ("is_clean_production_audit",),
    ),
    (
        "financing",
        gettext_lazy(
            "Additional: listed companies and bond issuers — climate and environmental "
            "information of the projects the financing went to"
        ),
        ("is_listed_company", "is_bond_issuer"),
    ),
)
ALL_PARTS = PARTS + tuple((key, label) for key, label, _owed_by in EXTRA_PARTS)
CARBON_PARTS = ("carbon",)
TABLES = ("emissions", "hazardous_waste", "carbon_emissions")
CARBON_TABLES = ("carbon_emissions",)
# Parts that a full report must not leave empty (a "none" is written as 无).
REQUIRED_PARTS = ("basic", "management", "pollution", "carbon")

WASTE_CODE = re.compile(r"^\d{3}-\d{3}-\d{2}$")
MAX_TEXT = 20000


class ContentErrors(Exception):
    """``errors``: a list of (where, message) pairs; ``where`` is a part key or "table:row"."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{w}: {m}" for w, m in errors))
        self.errors = errors


def _amount(raw, where: str, errors: list) -> str | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        errors.append((where, _("Enter an amount.")))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append((where, _("“%(value)s” is not a number.") % {"value": text}))
        return None
    if not value.is_finite():
        errors.append((where, _("“%(value)s” is not a number.") % {"value": text}))
        return None
    if value < 0:
        errors.append((where, _("An amount cannot be negative.")))
        return None
    return f"{value.normalize():f}"


def _blank(row: dict) -> bool:
    return not any(str(v or "").strip() for v in row.values())


def clean_emission(row: dict, where: str, errors: list) -> dict | None:
    outlet = str(row.get("outlet") or "").strip()
    pollutant = str(row.get("pollutant") or "").strip()
    unit = str(row.get("unit") or "").strip()
    start = len(errors)
    if not outlet:
        errors.append((where, _("Name the outlet.")))
    if not pollutant:
        errors.append((where, _("Name the pollutant.")))
    if not unit:
        errors.append((where, _("Give the unit of the amount (t or kg).")))
    elif unit not in values.EMISSION_UNITS:
        errors.append((where, _("Unknown unit “%(unit)s”: use t or kg.") % {"unit": unit}))
    amount = _amount(row.get("amount"), where, errors)
    if len(errors) > start:
        return None
    return {"outlet": outlet, "pollutant": pollutant, "amount": amount, "unit": unit}


def clean_waste(row: dict, where: str, errors: list) -> dict | None:
    code = str(row.get("code") or "").strip()
    name = str(row.get("name") or "").strip()
    route = str(row.get("route") or "").strip()
    start = len(errors)
    if not WASTE_CODE.match(code):
        errors.append(
            (where, _("Give the hazardous waste code as in the national list, e.g. 900-041-49."))
        )
    if not name:
        errors.append((where, _("Name the waste.")))
    if route not in dict(values.WASTE_ROUTES):
        errors.append((where, _("Choose how the waste was handled.")))
    amount = _amount(row.get("amount"), where, errors)
    if len(errors) > start:
        return None
    return {"code": code, "name": name, "amount": amount, "unit": values.WASTE_UNIT, "route": route}


def clean_carbon(row: dict, where: str, errors: list) -> dict | None:
    scope = str(row.get("scope") or "").strip()
    start = len(errors)
    if scope not in dict(values.CARBON_SCOPES):
        errors.append((where, _("Choose direct or indirect emissions.")))
    amount = _amount(row.get("amount"), where, errors)
    if len(errors) > start:
        return None
    return {"scope": scope, "amount": amount, "unit": values.CARBON_UNIT}


CLEANERS = {
    "emissions": clean_emission,
    "hazardous_waste": clean_waste,
    "carbon_emissions": clean_carbon,
}


def extra_parts_for(categories) -> tuple[str, ...]:
    """The extra parts an enterprise of these categories (``Enterprise.category_codes``) owes."""
    return tuple(key for key, _label, owed_by in EXTRA_PARTS if set(owed_by) & set(categories))


def part_keys(*, carbon_only: bool = False, extras=()) -> tuple[str, ...]:
    """The parts of a report, in the format's order: the carbon part alone, or the eight parts
    and the ``extras`` owed."""
    if carbon_only:
        return CARBON_PARTS
    return PART_KEYS + tuple(key for key, _label, _owed in EXTRA_PARTS if key in extras)


def clean_content(
    content: dict, *, carbon_only: bool = False, final: bool = False, extras=()
) -> dict:
    """The canonical content, or ContentErrors. ``final``: for submission (required parts);
    ``extras``: the extra parts the enterprise owes (``extra_parts_for``)."""
    parts = part_keys(carbon_only=carbon_only, extras=extras)
    tables = CARBON_TABLES if carbon_only else TABLES
    errors: list[tuple[str, str]] = []
    clean: dict = {}
    for key in parts:
        text = str(content.get(key) or "").strip()
        if len(text) > MAX_TEXT:
            errors.append((key, _("This part is too long.")))
        required = ("carbon",) if carbon_only else REQUIRED_PARTS + tuple(extras)
        if final and key in required and not text:
            errors.append(
                (key, _("This part is required; write 无 if there is nothing to report."))
            )
        clean[key] = text
    for table in tables:
        rows = []
        for i, row in enumerate(content.get(table) or [], start=1):
            if not isinstance(row, dict) or _blank(row):
                continue
            cleaned = CLEANERS[table](row, f"{table}:{i}", errors)
            if cleaned is not None:
                rows.append(cleaned)
        clean[table] = rows
    if final and carbon_only and not clean["carbon_emissions"]:
        errors.append(("carbon_emissions:1", _("Enter at least one carbon emission row.")))
    if errors:
        raise ContentErrors(errors)
    return clean


def carbon_total(content: dict) -> Decimal:
    return sum((Decimal(r["amount"]) for r in content.get("carbon_emissions") or []), Decimal(0))


def fingerprint(content: dict, attachments: list[dict] | None = None) -> str:
    """SHA-256 over the canonical JSON of the content and each attachment's title, file name and
    content hash, in order (a version without attachments hashes ``"attachments": []``)."""
    return canonical_sha256(
        {
            "content": content,
            "attachments": [[a["title"], a["filename"], a["sha256"]] for a in attachments or []],
        }
    )


def temporary_fingerprint(
    *,
    document_kind: str,
    document_number: str,
    issued_by: str,
    received_on,
    content: str,
    attachments: list[dict] | None = None,
) -> str:
    """SHA-256 of a temporary report's fields and attachments (canonical JSON)."""
    return fingerprint(
        {
            "document_kind": document_kind,
            "document_number": document_number,
            "issued_by": issued_by,
            "received_on": str(received_on),
            "content": content,
        },
        attachments,
    )
