"""The bureau's queue, the compliance rate, reminders, indicator 5 and the public list."""

import datetime as dt

import pytest
from django.urls import reverse

from enterprises import selectors, services
from enterprises.models import AnnualReport, ReminderSent
from portal.models import Notification
from tests.enterprises.conftest import aware, full_content

pytestmark = pytest.mark.django_db


def test_queue_sorts_missing_late_and_on_time(enterprise, disclosure_officer, own, other):
    report = services.annual_report_for(own, 2025)
    services.report_submit(
        report=report, content=full_content(), user=enterprise, now=aware(2026, 3, 20, 9)
    )
    rows = selectors.supervision_queue(year=2025, today=dt.date(2026, 4, 1))
    states = {row.enterprise.pk: row.state for row in rows}
    assert states == {own.pk: "late", other.pk: "missing"}
    rate = selectors.compliance(year=2026, as_of=dt.date(2026, 4, 1))
    assert (rate.due, rate.on_time, rate.late, rate.missing) == (2, 0, 1, 1)


def test_queue_page_for_the_bureau_only(client, disclosure_officer, enterprise, own, other):
    client.force_login(disclosure_officer)
    response = client.get(reverse("enterprises_admin:queue") + "?year=2025")
    assert response.status_code == 200
    assert other.name in response.content.decode()
    client.force_login(enterprise)
    assert client.get(reverse("enterprises_admin:queue")).status_code in (302, 403)


def test_reminders_are_sent_once_per_report_and_kind(enterprise, own, other):
    assert services.reminders_send(today=dt.date(2026, 3, 5)) == 2  # due soon: both
    assert services.reminders_send(today=dt.date(2026, 3, 6)) == 0
    assert services.reminders_send(today=dt.date(2026, 3, 20)) == 2  # late: both
    assert ReminderSent.objects.count() == 4
    # Only enterprise accounts are told: the persona's enterprise has one, the other none.
    assert Notification.objects.filter(recipient_id=enterprise.pk).count() == 2


def test_indicator_5_pools_government_and_enterprises(enterprise, own, other):
    from disclosure.services import latest_indicator_value
    from portal.integration import rate_parts

    services.report_submit(
        report=services.annual_report_for(own, 2025),
        content=full_content(),
        user=enterprise,
        now=aware(2026, 3, 1, 9),
    )
    parts = {p.key: p for p in rate_parts(dt.date(2026, 4, 1))}
    assert (parts["enterprises"].due, parts["enterprises"].on_time) == (2, 1)
    # Indicator 5 is the disclosure plan's official year (2025, at its year end) pooled with
    # the enterprises' obligations due that same year (none here: their reports fell due in 2026).
    from portal.integration import indicator_sources

    # One source for indicator 5: the disclosure app's, which pools the parts (no override).
    assert indicator_sources()[5].__module__ == "disclosure.selectors"
    value = latest_indicator_value(5)
    assert value is None or value.source in ("plan", "baseline", "reading")


def test_public_list_search_and_voluntary_marking(client, enterprise, own, other):
    other.listed_from = None
    other.save()
    services.report_submit(
        report=services.annual_report_for(other, 2025),
        content={"carbon": "自愿", "carbon_emissions": [{"scope": "direct", "amount": "1"}]},
        user=_filer_for(other),
    )
    response = client.get(reverse("enterprises:index"))
    text = response.content.decode()
    assert own.name in text and other.name in text
    response = client.get(reverse("enterprises:index"), {"q": own.credit_code})
    assert other.name not in response.content.decode()
    response = client.get(reverse("enterprises:index"), {"filer": "voluntary"})
    assert own.name not in response.content.decode() and other.name in response.content.decode()
    response = client.get(reverse("enterprises:index"), {"year": "abc"})
    assert response.status_code == 200


def test_public_page_shows_versions_and_history(client, enterprise, own):
    report = services.annual_report_for(own, 2025)
    services.report_submit(report=report, content=full_content(), user=enterprise)
    services.report_open_correction(report=report, user=enterprise)
    report.refresh_from_db()
    services.report_submit(
        report=report, content=full_content(basic="更正"), user=enterprise, reason="更正笔误"
    )
    page = client.get(
        reverse("enterprises:detail", kwargs={"code": own.credit_code})
    ).content.decode()
    assert "更正笔误" in page
    v1 = client.get(
        reverse(
            "enterprises:report_version",
            kwargs={"code": own.credit_code, "year": 2025, "number": 1},
        )
    ).content.decode()
    assert "示例企业基本信息" in v1 and "更正笔误" in v1
    assert (
        client.get(
            reverse(
                "enterprises:report_version",
                kwargs={"code": own.credit_code, "year": 2025, "number": 9},
            )
        ).status_code
        == 404
    )
    assert client.get(reverse("enterprises:detail", kwargs={"code": "NOPE"})).status_code == 404


def _filer_for(enterprise_row):
    from enterprises.models import EnterpriseAccount
    from portal import roles
    from tests.factories import UserFactory

    user = UserFactory(roles=[roles.ENTERPRISE_FILER])
    EnterpriseAccount.objects.create(user=user, enterprise=enterprise_row)
    return user


def test_the_draft_is_not_public(client, enterprise, own):
    report = services.annual_report_for(own, 2025)
    services.report_save_draft(
        report=report, content=full_content(basic="草稿内容"), user=enterprise
    )
    assert AnnualReport.objects.get(pk=report.pk).draft["basic"] == "草稿内容"
    page = client.get(
        reverse("enterprises:detail", kwargs={"code": own.credit_code})
    ).content.decode()
    assert "草稿内容" not in page
    assert (
        client.get(
            reverse("enterprises:report", kwargs={"code": own.credit_code, "year": 2025})
        ).status_code
        == 404
    )


def test_linked_from_the_disclosure_section_and_the_tipoff_form(client):
    url = reverse("enterprises:index")
    assert f'href="{url}"' in client.get(reverse("disclosure:indicators")).content.decode()
    assert f'href="{url}"' in client.get(reverse("tipoffs:new")).content.decode()
