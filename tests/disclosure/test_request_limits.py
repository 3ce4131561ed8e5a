"""依申请公开 is rate limited per client and per ID number: a flood of requests (valid or not)
from one address, or many requests in one person's name, is refused with a clear message and a
429, and nothing is saved."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from disclosure.models import DisclosureRequest

pytestmark = pytest.mark.django_db

VALID_IDS = ["11010519491231002X", "110105198001010016", "510402198506151238"]


def form_data(**overrides):
    data = {
        "submission_token": str(uuid.uuid4()),
        "applicant_type": "person",
        "applicant_name": "张三",
        "id_type": "resident_id",
        "id_number": VALID_IDS[0],
        "phone": "13800000000",
        "email": "zhang@example.org",
        "address": "",
        "description": "请公开2024年东区饮用水水源地水质月报。",
        "delivery": "email",
        "consent": "on",
    }
    data.update(overrides)
    return data


def post(client, headers=None, **overrides):
    return client.post(reverse("disclosure:request_new"), form_data(**overrides), headers=headers)


def test_the_sample_id_numbers_are_valid():
    from disclosure.validators import is_valid_resident_id

    assert all(is_valid_resident_id(n) for n in VALID_IDS)


def test_a_flood_from_one_address_is_refused_after_the_hourly_limit(settings):
    settings.DISCLOSURE_RATE_LIMITS = {**settings.DISCLOSURE_RATE_LIMITS, "request_id": (99, 60)}
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for i in range(5):
        assert post(attacker, applicant_name=f"申请人{i}").status_code == 302
    refused = post(attacker, applicant_name="第六个")
    assert refused.status_code == 429
    assert "请求过多" in refused.content.decode()
    assert refused.context["form"]["applicant_name"].value() == "第六个"  # input kept
    assert DisclosureRequest.objects.count() == 5
    # Another address is not affected.
    assert post(Client(REMOTE_ADDR="198.51.100.1")).status_code == 302


def test_invalid_submissions_count_against_the_client_limit_too():
    prober = Client(REMOTE_ADDR="203.0.113.6")
    for _ in range(5):
        response = post(prober, id_number="110105194912310021")  # wrong check digit
        assert response.status_code == 200 and "id_number" in response.context["form"].errors
    # The sixth attempt is refused before validation answers anything, even a valid one.
    refused = post(prober)
    assert refused.status_code == 429
    assert DisclosureRequest.objects.count() == 0


def test_requests_in_one_persons_name_are_limited_per_day_across_addresses():
    for i in range(3):
        response = post(Client(REMOTE_ADDR=f"203.0.113.{10 + i}"))
        assert response.status_code == 302
    refused = post(Client(REMOTE_ADDR="203.0.113.50"), id_number=VALID_IDS[0].lower())
    assert refused.status_code == 429
    assert "该身份证件号码" in refused.content.decode()
    assert DisclosureRequest.objects.count() == 3
    # Someone else, from the same address, may still apply.
    assert post(Client(REMOTE_ADDR="203.0.113.50"), id_number=VALID_IDS[1]).status_code == 302


def test_a_reload_of_a_filed_request_still_gets_its_receipt_at_the_id_limit():
    data = form_data()
    browser = Client(REMOTE_ADDR="203.0.113.20")
    for i in range(2):
        assert post(Client(REMOTE_ADDR=f"203.0.113.{30 + i}")).status_code == 302
    assert browser.post(reverse("disclosure:request_new"), data).status_code == 302
    again = browser.post(reverse("disclosure:request_new"), data)
    assert again.status_code == 302 and again["Location"].endswith(
        reverse("disclosure:request_receipt")
    )
    assert DisclosureRequest.objects.count() == 3


def test_the_limits_come_from_settings(settings):
    settings.DISCLOSURE_RATE_LIMITS = {
        **settings.DISCLOSURE_RATE_LIMITS,
        "request_client": (1, 3600),
    }
    client = Client(REMOTE_ADDR="203.0.113.40")
    assert post(client).status_code == 302
    assert post(client).status_code == 429


def test_the_limits_are_read_behind_a_trusted_proxy(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    settings.DISCLOSURE_RATE_LIMITS = {
        **settings.DISCLOSURE_RATE_LIMITS,
        "request_client": (1, 3600),
    }
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert post(proxy, headers={"x-forwarded-for": "203.0.113.60"}).status_code == 302
    assert post(proxy, headers={"x-forwarded-for": "203.0.113.60"}).status_code == 429
    assert post(proxy, headers={"x-forwarded-for": "203.0.113.61"}).status_code == 302
