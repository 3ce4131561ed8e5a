import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from enterprises.models import Outlet, OutletLimit
from tests.factories import persona_enterprises


@pytest.fixture
def own_and_other(db):
    """(the enterprise persona's enterprise, another enterprise)."""
    return persona_enterprises()


@pytest.fixture
def own(own_and_other):
    return own_and_other[0]


@pytest.fixture
def other(own_and_other):
    return own_and_other[1]


@pytest.fixture
def outlet(own):
    outlet = Outlet.objects.create(enterprise=own, code="DA001", name="烧结机头", kind="air")
    OutletLimit.objects.create(outlet=outlet, pollutant="so2", limit=Decimal("35"))
    OutletLimit.objects.create(outlet=outlet, pollutant="nox", limit=Decimal("50"))
    return outlet


def full_content(**overrides):
    content = {
        "basic": "示例企业基本信息",
        "management": "持有排污许可证",
        "pollution": "设施运行正常",
        "carbon": "按指南核算",
        "emergency": "无",
        "violations": "无",
        "temporary": "无",
        "other": "无",
        "emissions": [{"outlet": "DA001", "pollutant": "二氧化硫", "amount": "12.5", "unit": "t"}],
        "hazardous_waste": [
            {
                "code": "900-041-49",
                "name": "废矿物油",
                "amount": "1.2",
                "route": "contracted_disposal",
            }
        ],
        "carbon_emissions": [{"scope": "direct", "amount": "1200"}],
    }
    content.update(overrides)
    return content


def aware(*args):
    return timezone.make_aware(dt.datetime(*args))
