"""The public request form, its bad input, and the status check (no enumeration, rate limit)."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from disclosure import workflow
from disclosure.models import DisclosureRequest
from disclosure.validators import (
    is_valid_resident_id,
    resident_id_check_digit,
    validate_resident_id,
)

pytestmark = pytest.mark.django_db
VALID_ID = "11010519491231002X"


def form_data(**overrides):
    data = {
        "submission_token": str(uuid.uuid4()),
        "applicant_type": "person",
        "applicant_name": "张三",
        "id_type": "resident_id",
        "id_number": VALID_ID,
        "phone": "13800000000",
        "email": "zhang@example.org",
        "address": "",
        "description": "请公开2024年东区饮用水水源地水质月报。",
        "delivery": "email",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_resident_id_check_digits_follow_gb_11643():
    assert resident_id_check_digit("11010519491231002") == "X"
    assert is_valid_resident_id("11010519491231002X")
    assert is_valid_resident_id("11010519491231002x")
    assert not is_valid_resident_id("110105194912310021")  # wrong check digit
    assert not is_valid_resident_id("110105194913310020")  # month 13
    assert not is_valid_resident_id("1101051949123100")  # too short


def test_a_resident_files_a_request_and_gets_a_tracking_number(client):
    response = client.post(reverse("disclosure:request_new"), form_data())
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("disclosure:request_receipt")
    )
    request = DisclosureRequest.objects.get()
    receipt = client.get(response["Location"])
    assert request.display_number in receipt.content.decode()
    assert request.events.get().kind == "received"
    assert "no-cache" in receipt["Cache-Control"] or "no-store" in receipt["Cache-Control"]


def test_a_double_clicked_submit_files_one_request(client):
    data = form_data()
    client.post(reverse("disclosure:request_new"), data)
    response = client.post(reverse("disclosure:request_new"), data)
    assert response.status_code == 302
    assert DisclosureRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"applicant_name": "张" * 101}, "applicant_name"),
        ({"description": "x" * 2001}, "description"),
        ({"consent": ""}, "consent"),
        ({"delivery": "post", "address": ""}, "address"),
        ({"applicant_type": "business", "id_type": "resident_id"}, "id_type"),
        ({"id_type": "credit_code", "id_number": "abc"}, "id_number"),
        ({"phone": "call me"}, "phone"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(client, overrides, field):
    response = client.post(reverse("disclosure:request_new"), form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert DisclosureRequest.objects.count() == 0


def test_contact_by_phone_or_email_is_required(client):
    response = client.post(
        reverse("disclosure:request_new"), form_data(phone="", email="", delivery="online")
    )
    assert response.context["form"].non_field_errors()
    assert DisclosureRequest.objects.count() == 0


def make_request():
    request, _ = workflow.request_submit(
        data={
            "applicant_type": "person",
            "applicant_name": "张三",
            "id_type": "resident_id",
            "id_number": VALID_ID,
            "email": "z@example.org",
            "description": "请公开……",
            "delivery": "email",
        },
        submission_token=uuid.uuid4(),
        on_date=dt.date(2025, 9, 25),
    )
    return request


def test_the_applicant_checks_the_status_with_the_tracking_number_and_last_4_id_digits(client):
    request = make_request()
    response = client.post(
        reverse("disclosure:request_status"),
        {"tracking_number": request.tracking_number.lower(), "id_last4": "002x"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert request.display_number in body and "2025-10-29" in body
    assert VALID_ID not in body and "张三" not in body  # no personal data echoed


def test_a_wrong_id_and_an_unknown_number_get_the_same_answer(client):
    request = make_request()
    wrong_id = client.post(
        reverse("disclosure:request_status"),
        {"tracking_number": request.tracking_number, "id_last4": "1234"},
    )
    unknown = client.post(
        reverse("disclosure:request_status"),
        {"tracking_number": "YSQ2025AAAAAAAA", "id_last4": "002X"},
    )
    assert wrong_id.context["req"] is None and unknown.context["req"] is None
    assert wrong_id.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_status_checks_are_rate_limited_per_client(client):
    request = make_request()
    for _ in range(10):
        client.post(
            reverse("disclosure:request_status"),
            {"tracking_number": "YSQ2025AAAAAAAA", "id_last4": "0000"},
        )
    response = client.post(
        reverse("disclosure:request_status"),
        {"tracking_number": request.tracking_number, "id_last4": "002X"},
    )
    assert response.status_code == 429
    assert response.context["req"] is None


def test_identifiers_are_checked_by_python_stdnum_region_birth_date_and_check_character():
    """Contract: our validators agree with python-stdnum (cn.ric, cn.uscc), a library we did
    not write, including the region code and the credit code's check character."""
    from django.core.exceptions import ValidationError
    from stdnum.cn import ric, uscc

    from disclosure.demo import VALID_ID as DEMO_ID
    from disclosure.validators import is_valid_credit_code, validate_credit_code

    assert ric.is_valid(DEMO_ID) and is_valid_resident_id(DEMO_ID)
    assert ric.get_birth_place(DEMO_ID)["county"] == "东区"  # 510402: Panzhihua East District
    assert not is_valid_resident_id("990105194912310021")  # no such region
    with translation.override("en"), pytest.raises(ValidationError, match="check digit"):
        validate_resident_id("110105194912310021")
    good = "91510400MA62X0XX3P"
    assert uscc.is_valid(good) and is_valid_credit_code(good)
    assert not is_valid_credit_code("91510400MA62X0XX3L")  # the check character is wrong
    with translation.override("en"), pytest.raises(ValidationError, match="check character"):
        validate_credit_code("91510400MA62X0XX3L")
    with pytest.raises(ValidationError):
        validate_credit_code("abc")
