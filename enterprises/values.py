"""Fixed vocabularies of enterprise disclosure (办法 24号令 and the 格式准则). Pure: no models.

Codes are stored; labels are translated at display time.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The district's industries (a short list on purpose: the bureau's supervision groups).
INDUSTRIES = (
    ("steel", _("Iron and steel")),
    ("vanadium_titanium", _("Vanadium and titanium")),
    ("power", _("Power generation")),
    ("chemicals", _("Chemicals")),
    ("mining", _("Mining")),
    ("building_materials", _("Building materials")),
    ("other", pgettext_lazy("industry", "Other")),
)

# The five kinds of enterprise that must disclose (办法 第七条/第八条), as boolean fields of
# Enterprise: (field name, label).
CATEGORIES = (
    ("is_key_polluter", _("Key pollutant discharging unit (重点排污单位)")),
    ("is_clean_production_audit", _("Mandatory clean-production audit (强制性清洁生产审核)")),
    ("is_listed_company", _("Listed company meeting Art. 8 (上市公司)")),
    ("is_bond_issuer", _("Bond issuer meeting Art. 8 (发债企业)")),
    ("is_other_by_law", _("Other enterprises required by law")),
)

# Legal documents that start the 5-working-day clock of a temporary report (办法 第十七条).
DOCUMENT_KINDS = (
    ("permit", _("Administrative permit granted, changed or revoked")),
    ("penalty", _("Administrative penalty")),
    ("coercive", _("Administrative coercive measure (seizure, limiting production)")),
    ("criminal", _("Criminal judgment for an environmental offence")),
    ("other", pgettext_lazy("document kind", "Other legal document")),
)

OUTLET_KINDS = (
    ("air", _("Air emission outlet")),
    ("water", _("Waste water outlet")),
)

MONITORING_METHODS = (
    ("automatic", _("Automatic (online) monitoring")),
    ("manual", _("Manual sampling")),
)

# Pollutants that outlets may monitor: code -> (label, the only unit accepted, outlet kind).
POLLUTANTS = {
    "so2": (_("Sulphur dioxide (SO₂)"), "mg/m3", "air"),
    "nox": (_("Nitrogen oxides (NOx)"), "mg/m3", "air"),
    "pm": (_("Particulate matter"), "mg/m3", "air"),
    "cod": (_("Chemical oxygen demand (COD)"), "mg/L", "water"),
    "nh3n": (_("Ammonia nitrogen (NH₃-N)"), "mg/L", "water"),
    "ph": (_("pH"), "pH", "water"),
}


def pollutant_label(code: str) -> str:
    entry = POLLUTANTS.get(code)
    return str(entry[0]) if entry else code


def pollutant_unit(code: str) -> str:
    entry = POLLUTANTS.get(code)
    return entry[1] if entry else ""


# Units of annual emission amounts in the report's tables.
EMISSION_UNITS = ("t", "kg")
CARBON_UNIT = "tCO2e"
WASTE_UNIT = "t"

WASTE_ROUTES = (
    ("self_use", _("Used on site")),
    ("self_disposal", _("Disposed of on site")),
    ("contracted_use", _("Passed to a licensed user")),
    ("contracted_disposal", _("Passed to a licensed disposer")),
    ("storage", _("Stored at year end")),
)

CARBON_SCOPES = (
    ("direct", _("Direct emissions (fuel, processes)")),
    ("indirect", _("Indirect emissions (purchased power and heat)")),
)

ZERO = Decimal("0")
