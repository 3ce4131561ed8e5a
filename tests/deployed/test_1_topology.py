"""Two app instances behind nginx behave as one site: limits, sessions, files, caches, tasks."""

from __future__ import annotations

import re
import time

from tests.deployed.harness import (
    BUCKETS,
    PUBLISH,
    SURVEY_PATH,
    TIPOFF_PATH,
    photo_bytes,
    survey_fields,
    tipoff_fields,
)


def _report(topology, resident, marker, phone, *, photo=None, headers=None):
    files = [("photos", "photo.jpg", photo)] if photo else ()
    return resident.post(
        TIPOFF_PATH, tipoff_fields(topology, marker, phone), files, headers=headers
    )


def test_nginx_serves_static_files_and_never_private_ones(healthy):
    topology = healthy
    resident = topology.resident("127.0.0.2")
    css = resident.get("/static/css/site.css")
    assert css.status == 200
    assert "immutable" in css.headers.get("cache-control", "")  # from nginx, not whitenoise
    media = topology.dir / "var" / "media"
    for folder in ("private", "evidence", "exports", "releases", "public"):
        (media / folder).mkdir(parents=True, exist_ok=True)
        (media / folder / "x.txt").write_text("secret" if folder != "public" else "hello")
    assert resident.get("/media/public/x.txt").status == 200
    for folder in ("private", "evidence", "exports", "releases"):
        assert resident.get(f"/media/{folder}/x.txt").status == 403, folder
    assert resident.get("/media/public/../private/x.txt").status in (400, 403, 404)


def test_plain_http_moves_to_https_but_health_checks_answer(healthy):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", healthy.ports["http"], timeout=10)
    conn.request("GET", "/tipoffs/new", headers={"Host": "localhost"})
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location").startswith("https://localhost")
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", healthy.ports["http"], timeout=10)
    conn.request("GET", "/healthz", headers={"Host": "localhost"})
    assert conn.getresponse().status == 200


def test_an_unknown_host_name_gets_no_site(healthy):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", healthy.ports["http"], timeout=10)
    conn.request("GET", "/", headers={"Host": "evil.example"})
    try:
        response = conn.getresponse()
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return  # nginx's 444: connection closed without an answer
    raise AssertionError(f"answered {response.status}")


def test_report_rate_limits_are_per_resident_and_a_forged_forwarded_for_changes_nothing(healthy):
    topology = healthy
    alice = topology.resident("127.0.0.2")
    for n in range(10):  # TIPOFFS rate limit "ip": 10 reports per address per hour
        reply = _report(topology, alice, f"alice-{n}", f"1370000{n:04d}")
        assert reply.status == 302, (n, reply.status)
    assert _report(topology, alice, "alice-x", "13700009999").status == 429
    forged = _report(
        topology, alice, "alice-y", "13700009998", headers={"X-Forwarded-For": "127.0.0.99"}
    )
    assert forged.status == 429
    bob = topology.resident("127.0.0.3")
    assert _report(topology, bob, "bob-1", "13700001111").status == 302


def test_survey_rate_limits_are_per_resident_behind_nginx(healthy):
    """Two residents with the same browser build but different addresses are two residents."""
    import random

    topology = healthy
    alice = topology.resident("127.0.0.4")
    rng = random.Random(4)
    for n in range(3):  # anonymous_hourly_limit of the test survey
        assert alice.post(SURVEY_PATH, survey_fields(rng, f"a{n}")).status == 302
    assert alice.post(SURVEY_PATH, survey_fields(rng, "a-x")).status == 429
    forged = alice.post(
        SURVEY_PATH, survey_fields(rng, "a-y"), headers={"X-Forwarded-For": "127.0.0.98"}
    )
    assert forged.status == 429
    bob = topology.resident("127.0.0.5")
    bob.user_agent = alice.user_agent
    assert bob.post(SURVEY_PATH, survey_fields(rng, "b-1")).status == 302


def test_a_session_started_on_one_instance_continues_on_the_other(healthy):
    topology = healthy
    on_a = topology.resident("127.0.0.1", app=0)
    reply = _report(topology, on_a, "session-1", "13900000001")
    assert reply.status == 302
    done = reply.location  # /tipoffs/new/<pk>/done: only the session that filed it may open it
    pk = re.search(r"/new/(\d+)/done", done).group(1)
    on_b = on_a.via(1)
    page = on_b.get(done)
    assert page.status == 200
    assert 'data-testid="tracking-code"' in page.text
    via_nginx = on_a.via(None)
    assert via_nginx.get(f"/tipoffs/track/{pk}").status == 200
    stranger = topology.resident("127.0.0.6", app=1)
    assert stranger.get(f"/tipoffs/track/{pk}").status == 404


def test_a_photo_uploaded_through_one_instance_is_served_through_the_other_to_the_right_people(
    healthy,
):
    topology = healthy
    reporter = topology.resident("127.0.0.1", app=0)
    reply = _report(topology, reporter, "photo-1", "13900000002", photo=photo_bytes(1))
    assert reply.status == 302
    pk = re.search(r"/new/(\d+)/done", reply.location).group(1)
    track = reporter.via(1).get(f"/tipoffs/track/{pk}")
    assert track.status == 200
    photo_url = re.search(r'src="(/tipoffs/photos/\d+)"', track.text).group(1)
    image = reporter.via(1).get(photo_url)
    assert image.status == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert b"DeployedCam" not in image.body  # EXIF stripped
    assert "no-store" in image.headers["cache-control"]
    assert reporter.via(None).get(photo_url).status == 200
    assert topology.resident("127.0.0.7").get(photo_url).status == 404
    assert topology.resident("127.0.0.7", app=0).get(photo_url).status == 404
    # The file is in the private bucket, nowhere under /media/.
    (name,) = topology.sql(
        "SELECT cleaned FROM tipoffs_tipoffphoto WHERE id = %s", (int(photo_url.rsplit("/", 1)[1]),)
    )[0]
    assert name in topology.s3_keys(BUCKETS["private"], "tipoffs/")
    assert topology.resident("127.0.0.7").get(f"/media/{name}").status == 404


def test_publishing_a_page_invalidates_the_cached_copy_on_both_instances(healthy):
    topology = healthy
    visitor = topology.resident("127.0.0.8")
    path = "/deployed-notice/"
    site = {"Host": "localhost"}  # what nginx passes on; the page cache keys on the host
    first = visitor.via(0).get(path, **site)
    assert first.status == 200
    assert visitor.via(0).get(path, **site).headers.get("x-page-cache") == "hit"
    assert visitor.via(1).get(path, **site).headers.get("x-page-cache") == "hit"  # one cache
    visitor.via(None).get(path)
    assert visitor.via(None).get(path).headers.get("x-cache-status") in ("HIT", "UPDATING")
    new_intro = f"版本{int(time.time())}"
    topology.manage("shell", "--no-imports", "-c", PUBLISH % new_intro)
    published = time.monotonic()
    for app in (0, 1):
        page = visitor.via(app).get(path, **site)
        assert new_intro in page.text, app
    # The edge (nginx microcache) catches up within its bound: about 4 s (portal-cache.conf).
    while new_intro not in visitor.via(None).get(path).text:
        assert time.monotonic() - published < 5, "the edge served the old copy for over 5 s"
        time.sleep(0.1)
    print(f"edge staleness after publish: {time.monotonic() - published:.2f} s")  # noqa: T201


def test_the_edge_caches_anonymous_pages_only(healthy):
    topology = healthy
    anonymous = topology.resident("127.0.0.9")
    anonymous.get("/deployed-notice/")
    hit = anonymous.get("/deployed-notice/")
    assert hit.headers.get("x-cache-status") in ("HIT", "UPDATING")
    assert "public" in hit.headers["cache-control"]
    assert "set-cookie" not in hit.headers
    assert "x-accel-expires" not in hit.headers, "nginx keeps its own header"
    # A share link from WeChat is the same page for the app's cache.
    shared = anonymous.via(0).get(
        "/deployed-notice/?from=singlemessage&isappinstalled=0", Host="localhost"
    )
    assert shared.headers.get("x-page-cache") == "hit"
    # A visitor with a session always reaches the app; what they get is never stored.
    signed = topology.resident("127.0.0.10")
    signed.cookies["sessionid"] = "not-a-session"
    reply = signed.get("/deployed-notice/")
    assert reply.headers.get("x-cache-status") == "BYPASS"
    assert "no-store" in reply.headers["cache-control"]
    # Personal pages are never cached at the edge.
    form = anonymous.get("/tipoffs/new")
    assert form.headers.get("x-cache-status") in (None, "MISS", "BYPASS")
    assert "public" not in form.headers.get("cache-control", "")
    again = topology.resident("127.0.0.11").get("/tipoffs/new")
    assert again.headers.get("x-cache-status") != "HIT"


def test_readiness_answers_through_nginx(healthy):
    reply = healthy.resident("127.0.0.2").get("/readyz")
    assert reply.status == 200


def test_everything_is_configured_from_the_environment(healthy):
    """The app is configured from the environment alone, with plain portal.settings."""
    env = healthy.env()
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import subprocess
    import sys

    from tests.deployed.harness import ROOT

    script = (
        "from django.test import RequestFactory\n"
        "from portal.tipoffs.storage import evidence_storage\n"
        "from django.core.files.storage import storages\n"
        "from portal.client import client_ip\n"
        "r = RequestFactory().get('/', REMOTE_ADDR='127.0.0.1', HTTP_X_FORWARDED_FOR='127.0.0.2')\n"
        "print(type(evidence_storage()).__name__, type(storages['default']).__name__, client_ip(r))\n"
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["S3Storage", "S3Storage", "127.0.0.2"]


ENTERPRISE_DOCUMENT = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from enterprises import services
from enterprises.models import Enterprise, EnterpriseAccount
from portal import roles
from portal.uploads import sample_pdf
enterprise, _ = Enterprise.objects.get_or_create(
    credit_code="91510402MA600001XX",
    defaults={"name": "部署测试企业", "industry": "steel", "listed_from": 2024, "is_key_polluter": True},
)
user, _ = get_user_model().objects.get_or_create(username="deployed-filer")
user.groups.add(Group.objects.get(name=roles.ENTERPRISE_FILER))
EnterpriseAccount.objects.get_or_create(user=user, enterprise=enterprise)
report = services.annual_report_for(enterprise, 2025)
upload = SimpleUploadedFile("monitoring.pdf", sample_pdf("deployed"), "application/pdf")
(draft_file,) = services.report_update_attachments(report=report, user=user, uploads=[(upload, "")])
print("DRAFT", draft_file.pk, draft_file.file.name)
upload = SimpleUploadedFile("permit.pdf", sample_pdf("deployed permit"), "application/pdf")
(published,) = services.report_update_attachments(report=report, user=user, uploads=[(upload, "")])
content = {k: "无" for k in ("basic", "management", "pollution", "carbon")}
services.report_update_attachments(report=report, user=user, remove=[draft_file.pk])
services.report_submit(report=report, content=content, user=user)
print("PUBLISHED", published.pk, published.file.name)
"""


def test_an_enterprise_document_lives_in_the_private_bucket_and_is_served_once_published(
    healthy,
):
    topology = healthy
    out = topology.manage("shell", "--no-imports", "-c", ENTERPRISE_DOCUMENT)
    draft_pk, draft_name = re.search(r"DRAFT (\d+) (\S+)", out).groups()
    pk, name = re.search(r"PUBLISHED (\d+) (\S+)", out).groups()
    keys = topology.s3_keys(BUCKETS["private"], "enterprises/")
    assert name in keys
    # Taken out of the draft before submission and named by no version: deleted from the bucket.
    assert draft_name not in keys
    anonymous = topology.resident("127.0.0.12")
    for app in (0, 1, None):
        reply = anonymous.via(app).get(f"/enterprises/attachments/{pk}/")
        assert reply.status == 200, (app, reply.status)
        assert reply.body.startswith(b"%PDF-")
        assert reply.headers["content-type"] == "application/pdf"
        assert "public" not in reply.headers["cache-control"]
    assert anonymous.get(f"/enterprises/attachments/{draft_pk}/").status == 404
    assert anonymous.get(f"/media/{name}").status == 404
