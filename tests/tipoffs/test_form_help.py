"""The report form that helps: nearby reports before sending, the map only when configured,
an error summary and plain messages, the reporter's own text on the tracking page, one code
format, and the public case list's search and filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from portal import codes
from portal.tipoffs.models import State, Tipoff

pytestmark = pytest.mark.django_db

NEARBY = "/en/tipoffs/nearby"
NEW = "/tipoffs/new"


def at(tipoff, lat, lon, **fields):
    Tipoff.objects.filter(pk=tipoff.pk).update(
        latitude=Decimal(lat), longitude=Decimal(lon), submitted_at=timezone.now(), **fields
    )


def test_nearby_lists_open_reports_of_the_category_within_the_radius_anonymised(
    client, submit, category, subdistrict, settings
):
    settings.TIPOFFS_NEARBY_RADIUS_M = 500
    near = submit(real_name=True, description="夜间施工扬尘，未覆盖防尘网，影响居民休息。")
    far = submit(real_name=True)
    at(near, "26.585300", "101.718000", public_address="攀枝花大道东段")
    at(far, "26.600000", "101.718000")  # about 1.6 km north
    response = client.get(NEARBY, {"category": category.pk, "lat": "26.5856", "lon": "101.7182"})
    assert response.status_code == 200
    data = response.json()
    assert data["by_point"] is True and data["radius_m"] == 500
    assert [r["place"] for r in data["results"]] == ["攀枝花大道东段"]
    body = response.content.decode()
    # Nothing that identifies the report or the reporter.
    for secret in (near.tracking_code, near.description, "张保密", "13912345678"):
        assert secret not in body


def test_nearby_without_a_point_uses_the_sub_district(client, submit, category, subdistrict):
    report = submit(real_name=False)
    Tipoff.objects.filter(pk=report.pk).update(submitted_at=timezone.now())
    data = client.get(NEARBY, {"category": category.pk, "subdistrict": subdistrict.pk}).json()
    assert len(data["results"]) == 1 and data["by_point"] is False
    assert data["results"][0]["answered"] is False and data["results"][0]["url"] == ""


def test_nearby_refuses_bad_input_with_a_clear_json_error(client, category):
    assert client.get(NEARBY).status_code == 400
    assert "category" in client.get(NEARBY).json()["error"].lower()
    bad = client.get(NEARBY, {"category": category.pk, "lat": "26.5"})
    assert bad.status_code == 400 and bad.json()["error"]
    assert client.get(NEARBY, {"category": "x" * 40}).status_code == 400


def test_nearby_is_rate_limited(client, category, settings):
    settings.TIPOFFS_RATE_LIMITS = {**settings.TIPOFFS_RATE_LIMITS, "nearby": (2, 600)}
    for _ in range(2):
        assert client.get(NEARBY, {"category": category.pk}).status_code == 200
    refused = client.get(NEARBY, {"category": category.pk})
    assert refused.status_code == 429 and refused.json()["error"]


def test_without_tiles_there_is_no_map_and_no_external_address(client, category, settings):
    settings.TIPOFFS_MAP_TILE_URL = ""
    html = client.get(NEW).content.decode()
    assert 'id="tipoff-map"' not in html and "leaflet" not in html
    assert 'data-testid="nearby"' in html  # nearby reports work without the map


def test_tianditu_layers_token_attribution_and_review_number(client, category, settings):
    settings.TIPOFFS_MAP_TILE_URL = (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={token}"
    )
    settings.TIPOFFS_MAP_LABEL_URL = (
        "https://t{s}.tianditu.gov.cn/cva_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={token}"
    )
    settings.TIPOFFS_MAP_TOKEN = "browser-key"
    settings.TIPOFFS_MAP_ATTRIBUTION = "© 天地图"
    settings.TIPOFFS_MAP_REVIEW_NUMBER = "GS(2024)0568号"
    html = client.get(NEW).content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "tk=browser-key" in html and "{token}" not in html
    assert "cva_w" in html
    assert "© 天地图 · 审图号：GS(2024)0568号" in html


def test_the_form_sent_back_has_an_error_summary_linked_to_fields_in_plain_chinese(
    client, category, subdistrict
):
    response = client.post(
        NEW,
        {
            "category": "",
            "subdistrict": subdistrict.pk,
            "address": "东华街道",
            "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "description": "太脏",
            "confidentiality": "anonymous",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in html and 'tabindex="-1"' in html
    assert 'href="#id_category"' in html and 'href="#id_description"' in html
    assert "请至少填写 10 个字（现在是 2 个）。" in html
    assert "请选择一项。" in html
    assert "确保" not in html


def test_selects_say_please_choose(client, category):
    html = client.get(NEW).content.decode()
    assert '<option value="" selected>请选择</option>' in html
    assert "---------" not in html


def test_the_tracking_page_shows_what_the_reporter_wrote(client, submit):
    report = submit(real_name=False, description="河道里有人倾倒建筑垃圾，水面发黑。")
    session = client.session
    session["tipoffs_tracking"] = [report.pk]
    session.save()
    html = client.get(f"/tipoffs/track/{report.pk}").content.decode()
    assert "河道里有人倾倒建筑垃圾，水面发黑。" in html
    assert "您举报的内容" in html


def test_one_code_format_for_tip_offs_requests_and_pickup_codes():
    assert codes.format_code("ABCDEFGHJKMNPQRSTVWX") == "ABCD-EFGH-JKMN-PQRS-TVWX"
    assert codes.format_code("ABCDEFGHJK") == "ABCD-EFGH-JK"
    assert codes.format_code("YSQ2026ABCDEFGH", prefix_length=7) == "YSQ2026-ABCD-EFGH"
    assert codes.normalise_code(" ysq2026-abcd efgh ") == "YSQ2026ABCDEFGH"


def test_the_case_list_is_searchable_filtered_and_newest_first(client, case_in, category):
    old = case_in(State.RESOLVED)
    new = case_in(State.CLOSED)
    Tipoff.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=40), measures="已责令停工整改"
    )
    Tipoff.objects.filter(pk=new.pk).update(submitted_at=timezone.now(), measures="已洒水降尘")
    html = client.get("/tipoffs/cases").content.decode()
    assert html.index(f'id="case-{new.pk}"') < html.index(f'id="case-{old.pk}"')
    found = client.get("/tipoffs/cases", {"q": "停工"}).content.decode()
    assert f'id="case-{old.pk}"' in found and f'id="case-{new.pk}"' not in found
    closed = client.get("/tipoffs/cases", {"state": State.CLOSED}).content.decode()
    assert f'id="case-{new.pk}"' in closed and f'id="case-{old.pk}"' not in closed
    since = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    recent = client.get("/tipoffs/cases", {"date_from": since}).content.decode()
    assert f'id="case-{new.pk}"' in recent and f'id="case-{old.pk}"' not in recent
    bad = client.get("/tipoffs/cases", {"date_from": "0001-01-01"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
