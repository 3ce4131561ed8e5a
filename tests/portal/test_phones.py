"""Phone numbers through phonenumbers (libphonenumber): one E.164 form for login, uniqueness
and rate limits; national format on pages; stored numbers normalised by a data migration."""

from importlib import import_module

import phonenumbers
import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from portal.phones import format_phone, normalize_phone
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "written",
    ["13812345678", "+8613812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678"],
)
def test_every_way_of_writing_a_number_is_one_e164_number(written):
    assert normalize_phone(written) == "+8613812345678"
    # The contract: libphonenumber itself reads our stored form back as the same number.
    parsed = phonenumbers.parse(normalize_phone(written))
    assert phonenumbers.is_valid_number(parsed) and parsed.national_number == 13812345678


def test_invalid_numbers_and_landlines_where_a_mobile_is_needed_are_refused():
    for bad in ("12345", "call-me", "+86123"):
        with pytest.raises(ValidationError):
            normalize_phone(bad)
    assert normalize_phone("0812-3334444") == "+868123334444"  # a landline contact number
    with translation.override("en"), pytest.raises(ValidationError, match="mobile"):
        normalize_phone("0812-3334444", mobile=True)


def test_pages_show_the_national_format():
    assert format_phone("+8613812345678") == "138 1234 5678"
    assert format_phone("+16502530000") == "+1 650-253-0000"
    rendered = Template("{% load portal_tags %}{{ p|phone_display }}").render(
        Context({"p": "+8613812345678"})
    )
    assert rendered == "138 1234 5678"


def test_a_national_number_and_its_e164_form_are_one_account(client):
    user = UserFactory(phone="13912345678", phone_verified=True)
    user.refresh_from_db()
    assert user.phone == "+8613912345678"
    from allauth.account.adapter import get_adapter

    assert get_adapter().get_user_by_phone("139 1234 5678") == user
    # Uniqueness: another account cannot take the same number written differently.
    other = UserFactory.build(username="other", phone="+86 139 1234 5678")
    with pytest.raises(ValidationError) as caught:
        other.full_clean()
    assert "phone" in caught.value.message_dict


def test_sign_in_by_phone_accepts_the_national_form(client):
    user = UserFactory(phone="+8613900000001", phone_verified=True)
    response = client.post(
        reverse("account_login"), {"login": "139 0000 0001", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_data_migration_normalises_stored_numbers():
    User = global_apps.get_model("portal", "User")
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(phone="138 1234 5678")
    keep = UserFactory(username="odd")
    User.objects.filter(pk=keep.pk).update(phone="12345")
    migration = import_module("portal.migrations.0008_user_phone_e164")
    migration.normalise_user_phones(global_apps, None)
    assert User.objects.get(pk=user.pk).phone == "+8613812345678"
    assert User.objects.get(pk=keep.pk).phone == "12345"  # not a number: left for a person


def test_the_report_forms_phone_field_gives_rate_limits_one_key():
    """The tip-off form's phone (the rate-limit key) is the same for both ways of writing."""
    from portal.tipoffs.forms import TipoffForm

    field = TipoffForm.base_fields["phone"]
    assert field.clean("13912345678") == field.clean("+86 139 1234 5678") == "+8613912345678"
