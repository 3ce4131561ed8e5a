"""我的数据: the export holds all and only the person's own data; deletion leaves none of their
email, phone, name or ID number in the database except where docs/privacy.md keeps it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from disclosure.models import DisclosureRequest
from portal.learning.models import PointsAccount, QuizAttempt
from portal.phones import normalize_phone
from portal.privacy import services
from portal.privacy.models import CollectionPoint, ConsentRecord
from portal.tipoffs.models import ReporterIdentity
from surveys.models import Participation
from tests.factories import PASSWORD
from tests.privacy.conftest import dump_database

pytestmark = pytest.mark.django_db

#: Tables where docs/privacy.md ("Account deletion") keeps what a person gave on a case file
#: until that file's own retention period ends, unlinked from the account.
KEPT_WITH_CASE_FILES = {"tipoffs_reporteridentity", "disclosure_disclosurerequest"}


def _secrets(person) -> list[str]:
    return [person.email, person.phone, person.name, person.id_number]


def _download(client, user):
    client.force_login(user)
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_export_holds_all_and_only_the_persons_own_data(client, people):
    wang, li = people
    archive = _download(client, wang.user)
    names = set(archive.namelist())
    assert {"data.json", "index.html"} <= names
    assert {f"csv/{k}.csv" for k in ("account", "tipoffs", "disclosure_requests")} <= names
    everything = "\n".join(archive.read(n).decode("utf-8-sig") for n in names)

    data = json.loads(archive.read("data.json"))
    sections = {s["key"]: s["rows"] for s in data["sections"]}
    assert sections["account"][0]["email"] == wang.email
    assert sections["account"][0]["phone"] == normalize_phone(wang.phone)
    assert [r["tracking_code"] for r in sections["tipoffs"]] == [wang.tipoff.tracking_code]
    assert sections["tipoffs"][0]["name_given"] == wang.name
    assert [r["tracking_number"] for r in sections["disclosure_requests"]] == [
        wang.request.tracking_number
    ]
    assert sections["disclosure_requests"][0]["id_number"] == wang.id_number
    assert [r["points"] for r in sections["points_ledger"]] == [5, -1]
    assert len(sections["redemptions"]) == 1 and len(sections["quiz_history"]) == 1
    assert sections["points_account"][0]["nickname"] == "wangnick"
    assert [r["survey"] for r in sections["survey_participation"]] == ["测试调查"]
    assert {r["collection_point"] for r in sections["consents"]} >= {
        str(CollectionPoint.SIGNUP.label),
        str(CollectionPoint.TIPOFF_REAL_NAME.label),
        str(CollectionPoint.DISCLOSURE_REQUEST.label),
        str(CollectionPoint.LEARNING.label),
    }
    # The readable rendering has the same records.
    html = archive.read("index.html").decode()
    assert wang.tipoff.tracking_code in html and wang.request.tracking_number in html

    # Only the person's own: nothing of the other person, and no survey answer.
    for secret in [*_secrets(li), li.tipoff.tracking_code, li.request.tracking_number, "linick"]:
        assert secret not in everything
    assert set(sections["survey_participation"][0]) == {"survey", "date"}


def test_my_data_page_lists_the_records_and_needs_sign_in(client, people):
    wang, _li = people
    assert client.get(reverse("privacy:my_data")).status_code == 302
    client.force_login(wang.user)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert reverse("privacy:download") in page and reverse("privacy:delete_account") in page
    me = client.get(reverse("me")).content.decode()
    assert reverse("privacy:my_data") in me


def test_profile_is_corrected_in_place(client, people):
    wang, _li = people
    client.force_login(wang.user)
    response = client.post(reverse("privacy:profile"), {"last_name": "汪", "first_name": "秀英"})
    assert response.status_code == 302
    wang.user.refresh_from_db()
    assert wang.user.last_name == "汪"


def _delete_account(client, person):
    """Sign in, ask to delete, give the password again when asked, confirm."""
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    response = client.post(reverse("privacy:delete_account"), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    person.user.refresh_from_db()
    assert person.user.is_active  # nothing happened yet
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client.post(reverse("privacy:delete_account"), {"confirm": "on"})


def test_deletion_needs_the_password_again_and_shows_what_is_kept(client, people):
    wang, _li = people
    client.post(reverse("account_login"), {"login": wang.email, "password": PASSWORD})
    page = client.get(reverse("privacy:delete_account")).content.decode()
    assert 'data-testid="erasure-table"' in page
    assert page.count("<tr>") >= len(services.erasure_rules()) + 1
    # Without the confirmation box, after re-authentication: the form comes back with an error.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("privacy:delete_account"), {})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    wang.user.refresh_from_db()
    assert wang.user.is_active


def test_after_deletion_the_database_holds_the_person_only_where_the_retention_table_says(
    client, people
):
    wang, li = people
    response = _delete_account(client, wang)
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:account_deleted")
    assert "_auth_user_id" not in client.session

    dump = dump_database()
    for secret in _secrets(wang):
        holders = {table for table, text in dump.items() if secret in text}
        assert holders <= KEPT_WITH_CASE_FILES, (secret, holders)
    # The other person is untouched.
    for secret in _secrets(li):
        assert any(secret in text for text in dump.values())

    # What was kept is no longer linked to the account; the account cannot sign in.
    assert ReporterIdentity.objects.get(tipoff=wang.tipoff).user is None
    assert DisclosureRequest.objects.get(pk=wang.request.pk).user is None
    assert not PointsAccount.objects.filter(user=wang.user).exists()
    assert not QuizAttempt.objects.filter(user=wang.user).exists()
    assert not Participation.objects.filter(user=wang.user).exists()
    assert ConsentRecord.objects.filter(user_id_value=wang.user.pk).exists()  # proof kept
    assert not client.login(username=wang.email, password=PASSWORD)
    wang.user.refresh_from_db()
    assert not wang.user.is_active and not wang.user.has_usable_password()


def test_withdrawing_the_learning_consent_takes_the_person_off_the_leaderboard(client, people):
    wang, _li = people
    client.force_login(wang.user)
    response = client.post(reverse("privacy:withdraw", args=["learning"]))
    assert response.status_code == 302
    account = PointsAccount.objects.get(user=wang.user)
    assert (account.nickname, account.on_leaderboard) == ("", False)
    assert not QuizAttempt.objects.filter(user=wang.user).exists()
    state = {c["point"]: c["action"] for c in services.consent_state(wang.user)}
    assert state["learning"] == ConsentRecord.Action.WITHDRAWN
    # The sign-up consent is not withdrawn this way (that is deleting the account).
    client.post(reverse("privacy:withdraw", args=["signup"]))
    assert {c["point"]: c["action"] for c in services.consent_state(wang.user)}["signup"] == (
        ConsentRecord.Action.GIVEN
    )
