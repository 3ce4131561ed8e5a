"""An analyst uploads population margins, publishes a frozen release, and the public results
page and the disclosure indicator 34 show the released rate (never live numbers)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible
from tests.e2e.test_survey_analyst import weighted_survey  # noqa: F401 - fixture


def margins_csv(survey) -> bytes:
    from portal.models import Subdistrict

    rows = ["variable,category,value"]
    subdistricts = list(Subdistrict.objects.filter(is_active=True).order_by("pk"))
    rows += [f"subdistrict,{s.code},{1000 + 100 * n}" for n, s in enumerate(subdistricts)]
    total = sum(1000 + 100 * n for n in range(len(subdistricts)))
    rows += [f"sex,male,{total / 2}", f"sex,female,{total / 2}"]
    rows += [f"age_group,{a},{total / 4}" for a in ("18-29", "30-44", "45-59", "60+")]
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_analyst_uploads_margins_publishes_a_release_and_the_public_sees_it(
    page,
    new_page,
    weighted_survey,  # noqa: F811 - the fixture imported above
):
    from surveys.models import SurveyMargins, SurveyRelease

    survey = weighted_survey
    survey.feeds_indicators = True
    survey.save(update_fields=["feeds_indicators"])
    SurveyMargins.objects.filter(survey=survey).delete()  # the analyst uploads them here

    sign_in(page, "analyst@demo.local")
    page.goto(f"/admin/survey-fieldwork/{survey.pk}/margins/")
    assert_accessible(page)
    page.set_input_files(
        "input[type=file]",
        {"name": "margins.csv", "mimeType": "text/csv", "buffer": margins_csv(survey)},
    )
    page.fill("input[name=label]", "第七次人口普查（测试）")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("body")).to_contain_text("第七次人口普查（测试）")
    assert SurveyMargins.objects.filter(survey=survey).count() == 1

    page.goto(f"/admin/survey-fieldwork/{survey.pk}/releases/publish/")
    assert_accessible(page)
    page.check("input[name=confirm]")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("body")).to_contain_text("v1")
    release = SurveyRelease.objects.get(survey=survey)
    assert release.version == 1 and release.satisfaction is not None
    assert release.files.count() >= 6
    page.goto(f"/admin/survey-fieldwork/{survey.pk}/releases/")  # the releases list
    expect(page.get_by_test_id("release-table")).to_contain_text("v1")
    assert_accessible(page)

    visitor = new_page()
    visitor.goto(f"/surveys/s/{survey.slug}/results/")
    row = visitor.get_by_test_id("results-satisfaction")
    expect(row).to_contain_text(f"{release.satisfaction}%")
    assert_accessible(visitor)

    visitor.goto("/disclosure/indicators/34/")
    expect(visitor.locator("main")).to_contain_text(f"{release.satisfaction.normalize():f}")
    expect(visitor.get_by_test_id("current-source")).to_contain_text("v1")
    assert_accessible(visitor)
