"""我的数据 journey: a resident opens 我的 → 我的数据, downloads the zip, reads what deletion erases
and keeps, deletes the account (giving the password again) and can no longer sign in."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from portal.demo import DEMO_PASSWORD
from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible


def test_download_my_data_then_delete_my_account(site_url, page):
    sign_in(page, "resident@demo.local")
    page.get_by_role("link", name="查看和下载我的数据").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的数据")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_test_id("download-my-data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("my-data-")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    data = json.loads(archive.read("data.json"))
    account = next(s for s in data["sections"] if s["key"] == "account")
    assert account["rows"][0]["email"] == "resident@demo.local"
    assert "index.html" in archive.namelist()

    page.get_by_test_id("delete-account-link").click()
    expect(page.get_by_test_id("erasure-table")).to_be_visible()
    expect(page.get_by_test_id("erasure-table")).to_contain_text("保留")
    assert_accessible(page)
    page.get_by_label("我了解账号将按上述说明永久注销。").check()
    page.get_by_test_id("delete-account").click()

    # allauth asks for the password again, then completes the confirmed deletion.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/data/deleted/**")
    expect(page.get_by_test_id("account-deleted")).to_be_visible()

    page.goto("/accounts/login/")
    page.fill("input[name=login]", "resident@demo.local")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("不正确")
    assert "/me/" not in page.url
    from portal.models import User

    assert not User.objects.filter(email="resident@demo.local").exists()
