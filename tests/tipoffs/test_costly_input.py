"""Costly input is checked last and counted (issue 12): photos are decoded only once every cheap
field is valid, and refused submissions count against the per-client limit like filed ones."""

from __future__ import annotations

import pytest
from PIL import Image

from portal.tipoffs.forms import AddInformationForm, TipoffForm
from portal.tipoffs.models import Tipoff
from tests.tipoffs.conftest import jpeg_bytes, upload
from tests.tipoffs.test_intake import NEW, form_data

pytestmark = pytest.mark.django_db

NOT_A_PHOTO = "is not a JPEG, PNG, WebP or HEIC photo"
TOO_SHORT = "at least 10 characters"


def hostile_file(name="huge.jpg"):
    """Bytes no decoder accepts, posing as a large JPEG."""
    return upload(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 200_000, name=name)


@pytest.fixture
def decoder_calls(monkeypatch):
    """Count calls of Pillow's decoder; every call still goes through to the real one."""
    calls = []
    real_open = Image.open

    def spy(*args, **kwargs):
        calls.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Image, "open", spy)
    return calls


def test_a_hostile_photo_with_an_invalid_description_is_refused_for_the_description_only(
    client, category, subdistrict, decoder_calls
):
    response = client.post(
        NEW, form_data(category, subdistrict, description="太短", photos=[hostile_file()])
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert TOO_SHORT in page
    assert NOT_A_PHOTO not in page  # the photo was never opened
    assert decoder_calls == []
    assert not Tipoff.objects.exists()


def test_the_same_photo_with_valid_fields_is_opened_and_refused(
    client, category, subdistrict, decoder_calls
):
    response = client.post(NEW, form_data(category, subdistrict, photos=[hostile_file()]))
    assert response.status_code == 400
    assert NOT_A_PHOTO in response.content.decode()
    assert len(decoder_calls) == 1
    assert not Tipoff.objects.exists()


@pytest.mark.parametrize(
    "broken",
    [
        {"consent": ""},  # a form-level rule (real name needs consent)
        {"latitude": "26.5"},  # one coordinate without the other
        {"website": "http://spam.example"},  # the honeypot
        {"address": ""},  # a required field
    ],
)
def test_no_photo_is_decoded_while_any_other_check_fails(category, subdistrict, broken):
    form = TipoffForm(form_data(category, subdistrict, **broken), {"photos": [hostile_file()]})
    assert not form.is_valid()
    assert NOT_A_PHOTO not in str(form.errors)
    assert "photos" not in form.errors


def test_a_valid_report_has_its_photos_decoded(client, category, subdistrict, decoder_calls):
    response = client.post(NEW, form_data(category, subdistrict, photos=[upload(jpeg_bytes())]))
    assert response.status_code == 302
    assert len(decoder_calls) == 1 and Tipoff.objects.get().photos.count() == 1


def test_additions_decode_photos_only_when_the_text_is_valid(decoder_calls):
    form = AddInformationForm({"text": "长" * 5001}, {"photos": [hostile_file()]})
    assert not form.is_valid()
    assert list(form.errors) == ["text"] and decoder_calls == []
    form = AddInformationForm({"text": "补充"}, {"photos": [hostile_file()]})
    assert not form.is_valid()
    assert list(form.errors) == ["photos"] and len(decoder_calls) == 1


def test_refused_submissions_count_against_the_limit(
    client, category, subdistrict, settings, decoder_calls
):
    settings.TIPOFFS_RATE_LIMITS = {**settings.TIPOFFS_RATE_LIMITS, "ip": (3, 3600)}
    for _ in range(3):
        response = client.post(
            NEW, form_data(category, subdistrict, description="太短", photos=[hostile_file()])
        )
        assert response.status_code == 400
    response = client.post(
        NEW, form_data(category, subdistrict, description="太短了吧", photos=[hostile_file()])
    )
    assert response.status_code == 429
    assert "太短了吧" in response.content.decode()  # what was typed is kept, unvalidated
    # Over the limit even a valid report waits, and its photo is not opened.
    response = client.post(NEW, form_data(category, subdistrict, photos=[upload(jpeg_bytes())]))
    assert response.status_code == 429
    assert decoder_calls == []
    assert not Tipoff.objects.exists()
    # Another network is not affected.
    response = client.post(NEW, form_data(category, subdistrict), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302


def test_filed_and_refused_submissions_share_one_count(client, category, subdistrict, settings):
    settings.TIPOFFS_RATE_LIMITS = {**settings.TIPOFFS_RATE_LIMITS, "ip": (2, 3600)}
    assert client.post(NEW, form_data(category, subdistrict, description="短")).status_code == 400
    assert client.post(NEW, form_data(category, subdistrict)).status_code == 302
    assert client.post(NEW, form_data(category, subdistrict)).status_code == 429
    assert Tipoff.objects.count() == 1
