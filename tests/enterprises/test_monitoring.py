"""Monitoring data: the token API (auth, scoping, validation, all-or-nothing), the bureau's import
with row/column problems, the public chart with its limit line and the exceedances."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises import imports, services
from enterprises.models import MonitoringResult, Outlet, OutletLimit

pytestmark = pytest.mark.django_db

URL = "/api/enterprises/v1/monitoring/"


@pytest.fixture
def token(enterprise, own, outlet):
    _token, raw = services.token_create(enterprise=own, label="DCS", user=enterprise)
    return raw


def _row(**overrides):
    when = (timezone.localtime() - dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    row = {
        "outlet": "DA001",
        "pollutant": "so2",
        "measured_at": when.replace(tzinfo=None).isoformat(timespec="minutes"),
        "value": "21.5",
        "unit": "mg/m3",
        "method": "automatic",
    }
    row.update(overrides)
    return row


def _post(client, token, rows):
    return client.post(
        URL,
        data=json.dumps({"results": rows}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}" if token else "",
    )


def test_api_requires_a_valid_token(client, token):
    assert _post(client, None, [_row()]).status_code == 401
    response = _post(client, "ent_wrong", [_row()])
    assert response.status_code == 401
    assert "error" in response.json()


def test_api_saves_results_and_flags_exceedances(client, token, outlet):
    response = _post(client, token, [_row(), _row(pollutant="nox", value="60")])
    assert response.status_code == 201, response.content
    assert response.json() == {"saved": 2, "exceedances": 1}
    over = MonitoringResult.objects.get(pollutant="nox")
    assert over.exceeded and over.limit == 50


def test_api_rejects_bad_rows_and_saves_nothing(client, token):
    rows = [
        _row(),
        _row(outlet="DA999"),
        _row(unit="mg/L", measured_at=_row()["measured_at"][:-2] + "30"),
        _row(value="-1", measured_at=_row()["measured_at"][:-2] + "45"),
        _row(value="abc"),
    ]
    response = _post(client, token, rows)
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert {(p["row"], p["field"]) for p in problems} == {
        (2, "outlet"),
        (3, "unit"),
        (4, "value"),
        (5, "value"),
    }
    assert not MonitoringResult.objects.exists()


def test_a_token_reaches_its_own_enterprise_only(client, other, token):
    foreign = Outlet.objects.create(enterprise=other, code="DW009", name="外厂排口", kind="water")
    OutletLimit.objects.create(outlet=foreign, pollutant="cod", limit=60)
    response = _post(client, token, [_row(outlet="DW009", pollutant="cod", unit="mg/L")])
    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "outlet"
    assert not MonitoringResult.objects.exists()


def test_a_revoked_token_is_refused(client, enterprise, token):
    api_token = services.token_authenticate(token)
    services.token_revoke(token=api_token, user=enterprise)
    assert _post(client, token, [_row()]).status_code == 401


def test_api_rejects_malformed_bodies(client, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.post(URL, data="{", content_type="application/json", **auth).status_code == 400
    assert _post(client, token, []).status_code == 400


def test_api_rate_limit(client, settings, token):
    settings.ENTERPRISES_RATE_LIMITS = {"api_client": (2, 60), "api_token": (600, 3600)}
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 429


def test_duplicate_times_are_refused(client, token):
    assert _post(client, token, [_row()]).status_code == 201
    response = _post(client, token, [_row()])
    assert response.status_code == 400
    assert MonitoringResult.objects.count() == 1


def test_monitoring_import_reports_row_and_column(own, outlet):
    csv_text = "排放口,污染物,监测时间,监测值,单位\nDA001,so2,2026-03-01T10:00,20,mg/m3\nDA404,so2,2026-03-01T11:00,20,mg/m3\nDA001,nox,2026-03-01T10:00,,mg/m3\n"
    saved, problems = imports.import_monitoring(
        enterprise=own, filename="m.csv", content=csv_text.encode("utf-8")
    )
    assert saved == []
    assert {(p.row, p.column) for p in problems} == {(3, "排放口"), (4, "监测值")}
    assert not MonitoringResult.objects.exists()
    good = "排放口,污染物,监测时间,监测值,单位\nDA001,so2,2026-03-01T10:00,40,mg/m3\n"
    saved, problems = imports.import_monitoring(
        enterprise=own, filename="m.csv", content=good.encode()
    )
    assert problems == [] and saved[0].exceeded


def test_public_chart_has_the_limit_line_and_a_table(client, own, outlet):
    services.monitoring_record(
        enterprise=own,
        rows=[
            _row(measured_at=_row()["measured_at"][:-5] + f"0{h}:00", value=str(10 + h))
            for h in range(5)
        ]
        + [_row(measured_at=_row()["measured_at"][:-5] + "07:00", value="40")],
        source="api",
    )
    response = client.get(reverse("enterprises:monitoring", kwargs={"code": own.credit_code}))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="limit-line"' in text
    assert "<table" in text and 'data-testid="exceedances"' in text
    assert "style=" not in text.split("<svg", 1)[1].split("</svg>", 1)[0]  # CSP: no inline style


def test_report_workbook_import_problems_and_success(disclosure_officer, own):
    from openpyxl import Workbook

    def workbook(emission_amount):
        wb = Workbook()
        ws = wb.active
        ws.title = "正文"
        ws.append(["部分", "内容"])
        for key in ("basic", "management", "pollution", "carbon"):
            ws.append([key, "示例"])
        em = wb.create_sheet("排放")
        em.append(["排放口", "污染物", "排放量", "单位"])
        em.append(["DA001", "二氧化硫", emission_amount, "t"])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    version, problems = imports.import_report(
        enterprise=own, year=2025, content=workbook("-5"), user=disclosure_officer
    )
    assert version is None
    assert [(p.sheet, p.row) for p in problems] == [("排放", 2)]
    version, problems = imports.import_report(
        enterprise=own, year=2025, content=workbook("5"), user=disclosure_officer
    )
    assert problems == [] and version.source == "import"
    assert version.content["emissions"][0]["amount"] == "5"
    # The template is a readable workbook with the four sheets.
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(imports.report_template_xlsx()))
    assert book.sheetnames == ["正文", "排放", "危险废物", "碳排放"]
