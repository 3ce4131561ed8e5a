"""The public side: filing a report (photos, bad input, rate limits), tracking, duplicates."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image

from portal.sms import MemorySmsSender
from portal.tipoffs.models import (
    CODE_ALPHABET,
    EventKind,
    ReporterIdentity,
    State,
    Tipoff,
    TipoffPhoto,
    format_tracking_code,
)
from portal.tipoffs.photos import process_upload
from tests.tipoffs.conftest import jpeg_bytes, upload

pytestmark = pytest.mark.django_db

NEW = "/en/tipoffs/new"


def form_data(category, subdistrict, **overrides):
    data = {
        "category": category.pk,
        "subdistrict": subdistrict.pk,
        "address": "东华街道攀枝花大道东段123号",
        "observed_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "description": "建筑工地夜间施工扬尘严重，没有洒水降尘。",
        "confidentiality": "real_name",
        "name": "张保密",
        "phone": "13912345678",
        "email": "secret.reporter@example.org",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_the_form_renders_for_anyone_with_the_taxonomy_and_notice(client, category, subdistrict):
    response = client.get(NEW)
    assert response.status_code == 200
    body = response.content.decode()
    chinese = client.get("/tipoffs/new").content.decode()  # /en/ shows the English names
    assert "扬尘" in chinese and "餐饮油烟" in chinese and "非法捕捞/禁渔" in chinese
    assert "Personal-information notice" in body
    assert 'name="website"' in body  # honeypot, no CAPTCHA service


def test_the_map_appears_only_with_a_configured_tile_server(client, category, settings):
    settings.TIPOFFS_MAP_TILE_URL = ""
    page = client.get(NEW).content.decode()
    assert 'id="tipoff-map"' not in page and "{z}" not in page  # no external request at all
    settings.TIPOFFS_MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    page = client.get(NEW).content.decode()
    assert 'id="tipoff-map"' in page
    assert 'data-tiles="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in page


def test_a_real_name_report_with_a_photo_is_filed_hashed_stripped_and_notified(
    client, category, subdistrict, django_capture_on_commit_callbacks
):
    original = jpeg_bytes()
    assert b"SecretCam" in original
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW, {**form_data(category, subdistrict), "photos": [upload(original)]}
        )
    assert response.status_code == 302
    tipoff = Tipoff.objects.get()
    assert response["Location"] == f"/en/tipoffs/new/{tipoff.pk}/done"
    assert tipoff.state == State.SUBMITTED
    assert tipoff.public_address == "攀枝花大道东段"
    photo = TipoffPhoto.objects.get()
    assert photo.original_sha256 == hashlib.sha256(original).hexdigest()
    assert photo.original.read() == original
    cleaned = photo.cleaned.read()
    assert b"SecretCam" not in cleaned
    assert not Image.open(io.BytesIO(cleaned)).getexif()
    identity = ReporterIdentity.objects.get(tipoff=tipoff)
    assert identity.phone == "+8613912345678" and identity.consent_version  # E.164
    # The tracking code is sent to the reporter.
    assert MemorySmsSender.outbox[0].phone == "+8613912345678"
    assert MemorySmsSender.outbox[0].params["code"] == tipoff.display_code
    assert mail.outbox[0].to == ["secret.reporter@example.org"]

    done = client.get(response["Location"])
    assert tipoff.display_code in done.content.decode()


def test_tracking_codes_are_long_grouped_and_unambiguous(submit):
    codes = {submit(real_name=False).tracking_code for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) == 20 and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("01OILU")
    import math

    assert 20 * math.log2(len(CODE_ALPHABET)) >= 80
    assert format_tracking_code("ABCDEFGHJKMNPQRSTVWX") == "ABCD-EFGH-JKMN-PQRS-TVWX"


def test_an_anonymous_report_keeps_no_identity(client, category, subdistrict):
    data = form_data(category, subdistrict, confidentiality="anonymous")
    assert client.post(NEW, data).status_code == 302
    assert not ReporterIdentity.objects.exists()
    assert not MemorySmsSender.outbox


@pytest.mark.parametrize(
    ("name", "payload", "content_type"),
    [
        ("renamed.jpg", b"MZ\x90\x00 this is an executable, not a photo" * 10, "image/jpeg"),
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        (
            "evil.jpg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/jpeg",
        ),
        ("gif.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/jpeg"),
    ],
)
def test_files_that_are_not_photos_are_refused_and_nothing_is_saved(
    client, category, subdistrict, name, payload, content_type
):
    response = client.post(
        NEW, {**form_data(category, subdistrict), "photos": [upload(payload, name, content_type)]}
    )
    assert response.status_code == 400
    assert "is not a JPEG, PNG, WebP or HEIC photo" in response.content.decode()
    assert not Tipoff.objects.exists() and not TipoffPhoto.objects.exists()


def test_a_decompression_bomb_is_refused(client, category, subdistrict, settings):
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, format="PNG")  # ~144 Mpx in a few KB
    assert len(bomb.getvalue()) < 100_000
    response = client.post(
        NEW,
        {
            **form_data(category, subdistrict),
            "photos": [upload(bomb.getvalue(), "bomb.png", "image/png")],
        },
    )
    assert response.status_code == 400
    assert "too many pixels" in response.content.decode()
    assert not Tipoff.objects.exists()


def test_an_oversized_upload_is_refused_without_reading_it_all(
    settings, category, subdistrict, client
):
    settings.TIPOFFS_PHOTO_MAX_BYTES = 1024 * 1024
    big = jpeg_bytes() + b"\0" * (2 * 1024 * 1024)
    response = client.post(NEW, {**form_data(category, subdistrict), "photos": [upload(big)]})
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not Tipoff.objects.exists()


def test_a_fifty_megabyte_upload_is_refused(category, subdistrict):
    class Huge:
        name = "huge.jpg"
        size = 50 * 1024 * 1024

        def seek(self, n):
            pass

        def read(self, n=-1):
            raise AssertionError("must not be read")

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="larger than|超过"):
        process_upload(Huge())


def test_seven_photos_are_too_many(client, category, subdistrict):
    photos = [upload(jpeg_bytes(), f"p{i}.jpg") for i in range(7)]
    response = client.post(NEW, {**form_data(category, subdistrict), "photos": photos})
    assert response.status_code == 400
    assert not Tipoff.objects.exists()


def test_an_invalid_phone_is_refused_with_a_message(client, category, subdistrict):
    response = client.post(NEW, form_data(category, subdistrict, phone="call-me-maybe"))
    assert response.status_code == 400
    assert "Enter a valid phone number" in response.content.decode()
    assert not Tipoff.objects.exists()


def test_a_landline_is_not_a_mobile_number(client, category, subdistrict):
    response = client.post(NEW, form_data(category, subdistrict, phone="0812-3334444"))
    assert response.status_code == 400
    assert "Enter a mobile phone number" in response.content.decode()


def test_real_name_without_consent_is_refused(client, category, subdistrict):
    data = form_data(category, subdistrict)
    del data["consent"]
    assert client.post(NEW, data).status_code == 400
    assert not Tipoff.objects.exists()


def test_script_in_the_description_is_stored_as_text_and_escaped(client, category, subdistrict):
    data = form_data(category, subdistrict, description="<script>alert('x')</script> 扬尘很大很大")
    client.post(NEW, data, follow=True)
    tipoff = Tipoff.objects.get()
    assert tipoff.description.startswith("<script>")
    page = client.get(f"/en/tipoffs/track/{tipoff.pk}").content.decode()
    assert "<script>alert" not in page


def test_the_honeypot_refuses_bots(client, category, subdistrict):
    response = client.post(NEW, form_data(category, subdistrict, website="http://spam"))
    assert response.status_code == 400
    assert not Tipoff.objects.exists()


def test_submissions_are_rate_limited_per_ip(client, category, subdistrict, settings):
    settings.TIPOFFS_RATE_LIMITS = {
        **settings.TIPOFFS_RATE_LIMITS,
        "ip": (2, 3600),
        "phone": (10, 3600),
    }
    for _ in range(2):
        assert (
            client.post(
                NEW, form_data(category, subdistrict, confidentiality="anonymous")
            ).status_code
            == 302
        )
    response = client.post(NEW, form_data(category, subdistrict, confidentiality="anonymous"))
    assert response.status_code == 429
    assert Tipoff.objects.count() == 2


def test_submissions_are_rate_limited_per_phone(client, category, subdistrict, settings):
    settings.TIPOFFS_RATE_LIMITS = {
        **settings.TIPOFFS_RATE_LIMITS,
        "ip": (10, 3600),
        "phone": (1, 3600),
    }
    assert client.post(NEW, form_data(category, subdistrict)).status_code == 302
    response = client.post(NEW, form_data(category, subdistrict), REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    assert "Too many reports with this phone number" in response.content.decode()


def test_a_guessed_tracking_code_finds_nothing_and_look_ups_are_limited(client, submit, settings):
    settings.TIPOFFS_RATE_LIMITS = {**settings.TIPOFFS_RATE_LIMITS, "track": (3, 600)}
    submit()
    for _ in range(3):
        response = client.post("/en/tipoffs/track", {"code": "2345-6789-ABCD-EFGH-JKMN"})
        assert response.status_code == 400
        assert "No report has this tracking code" in response.content.decode()
    assert client.post("/en/tipoffs/track", {"code": "2345-6789-ABCD-EFGH-JKMN"}).status_code == 429


def test_a_tracking_page_needs_the_code_first(client, submit):
    tipoff = submit()
    assert client.get(f"/en/tipoffs/track/{tipoff.pk}").status_code == 404
    response = client.post("/en/tipoffs/track", {"code": tipoff.display_code.lower()})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Submitted" in page and tipoff.display_code in page


def _track(client, tipoff):
    client.post("/en/tipoffs/track", {"code": tipoff.tracking_code})
    return f"/en/tipoffs/track/{tipoff.pk}"


def test_the_reporter_sees_public_events_and_the_outcome_but_not_internal_notes(
    client, case_in, handler_a
):
    from portal.tipoffs import workflow

    tipoff = case_in(State.INVESTIGATING)
    workflow.tipoff_add_note(tipoff=tipoff, actor=handler_a, text="内部备注：企业老板是熟人")
    workflow.tipoff_resolve(
        tipoff=tipoff,
        actor=handler_a,
        finding="true",
        measures="责令停工",
        public_reply="已处理完毕",
    )
    page = client.get(_track(client, tipoff)).content.decode()
    assert "已处理完毕" in page and "责令停工" in page and "甲局" in page
    assert "内部备注" not in page
    assert "handler_a" not in page


def test_the_reporter_rates_then_cannot_rate_again(client, case_in):
    tipoff = case_in(State.RESOLVED)
    url = _track(client, tipoff)
    assert client.post(url, {"action": "rate", "rating": "5", "comment": "满意"}).status_code == 302
    tipoff.refresh_from_db()
    assert tipoff.rating == 5 and tipoff.state == State.CLOSED
    client.post(url, {"action": "rate", "rating": "1"})
    tipoff.refresh_from_db()
    assert tipoff.rating == 5


def test_the_reporter_asks_for_review_and_adds_information(client, case_in):
    tipoff = case_in(State.RESOLVED, now=timezone.now() - dt.timedelta(days=3))
    url = _track(client, tipoff)
    client.post(url, {"action": "review", "reason": "问题仍然存在"})
    tipoff.refresh_from_db()
    assert tipoff.state == State.REOPENED
    client.post(url, {"action": "add", "text": "今天又有扬尘", "photos": [upload(jpeg_bytes())]})
    assert tipoff.events.filter(kind=EventKind.INFO_ADDED).exists()
    assert tipoff.photos.count() == 1


def test_additions_to_a_report_are_rate_limited(client, case_in, settings):
    settings.TIPOFFS_RATE_LIMITS = {**settings.TIPOFFS_RATE_LIMITS, "followup": (2, 86400)}
    tipoff = case_in(State.ASSIGNED)
    url = _track(client, tipoff)
    for text in ("第一次补充", "第二次补充"):
        assert client.post(url, {"action": "add", "text": text}).status_code == 302
    response = client.post(url, {"action": "add", "text": "第三次补充"})
    assert response.status_code == 429
    assert "Too many additions to this report today" in response.content.decode()
    assert tipoff.events.filter(kind=EventKind.INFO_ADDED).count() == 2


def test_a_forged_action_in_a_post_changes_nothing(client, case_in):
    tipoff = case_in(State.ASSIGNED)
    url = _track(client, tipoff)
    client.post(url, {"action": "resolve", "finding": "untrue"})
    client.post(url, {"action": "rate", "rating": "5"})
    tipoff.refresh_from_db()
    assert tipoff.state == State.ASSIGNED and tipoff.rating is None


def test_similar_open_cases_are_offered_and_the_reporter_can_follow_one(
    client, submit, case_in, category, subdistrict
):
    master = case_in(State.ASSIGNED)
    response = client.post(
        NEW,
        form_data(
            category, subdistrict, description="工地扬尘很大，夜间也在施工，没有覆盖防尘网！"
        ),
    )
    tipoff = Tipoff.objects.latest("pk")
    done = client.get(response["Location"]).content.decode()
    assert "Follow this case instead" in done
    assert master.description not in done  # other reporters' words are never shown
    offer = re.search(r'name="offer" value="([^"]+)"', done).group(1)
    client.post(f"/en/tipoffs/new/{tipoff.pk}/follow", {"offer": offer})
    tipoff.refresh_from_db()
    assert tipoff.state == State.MERGED and tipoff.master == master
    page = client.get(f"/en/tipoffs/track/{tipoff.pk}").content.decode()
    assert "your report follows this case" in page


def test_a_citizen_cannot_follow_on_behalf_of_someone_elses_report(client, submit, case_in):
    from portal.tipoffs.views import follow_offer

    other = submit()
    master = case_in(State.ASSIGNED)
    offer = follow_offer(tipoff=other, master=master)
    assert client.post(f"/en/tipoffs/new/{other.pk}/follow", {"offer": offer}).status_code == 404
    assert Tipoff.objects.get(pk=other.pk).state == State.SUBMITTED


def test_error_reports_hide_the_reporters_details(client, category, subdistrict):
    from django.views.debug import SafeExceptionReporterFilter

    response = client.post(NEW, form_data(category, subdistrict))
    cleansed = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    for field in ("name", "phone", "email"):
        assert cleansed[field] == SafeExceptionReporterFilter.cleansed_substitute
    assert cleansed["address"] == form_data(category, subdistrict)["address"]


def test_the_public_location_drops_the_district_named_in_the_site_settings(submit):
    """The province/city/district prefix is site data (PortalSettings), not code."""
    from wagtail.models import Site

    from portal.models import PortalSettings

    default = submit(address="四川省攀枝花市东区东华街道攀枝花大道东段123号")
    assert default.public_address == "攀枝花大道东段"
    elsewhere = "云南省昆明市盘龙区双龙乡北京路5号"
    assert submit(address=elsewhere).public_address.startswith("云南省")  # not a known prefix
    settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    settings.address_prefixes = "云南省 昆明市 盘龙区"
    settings.save()
    assert submit(address=elsewhere).public_address == "北京路"
