"""Files through the storage API against a real S3 API (moto's server), as several app machines
share them: STORAGES built by portal/settings.py from PORTAL_STORAGE=s3, evidence photos,
release files and exports in the private bucket, never readable without a signature, served
only through the access-checked views; purges and sweeps work by listing the bucket."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import urllib.error
import urllib.request

import boto3
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.storage import private_storage
from portal.tipoffs import workflow
from portal.tipoffs.models import Category, Confidentiality
from portal.tipoffs.photos import process_upload, sweep_orphan_photos
from surveys.models import ExportJob
from surveys.releases import release_publish
from tests.factories import DepartmentFactory, SubdistrictFactory, UserFactory, member_of
from tests.portal.test_settings import run_python
from tests.surveys.analysis_fixtures import reference_survey
from tests.tipoffs.conftest import T0, jpeg_bytes

PUBLIC_BUCKET = "eco-public"
PRIVATE_BUCKET = "eco-private"
ACCESS_KEY = "portal-test-key"
SECRET = "portal-test-secret"
PASSWORD = "correct-horse-battery"  # tests.factories' default

# --- moto's S3 server and the STORAGES that portal/settings.py builds for it ------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
    )
    client.create_bucket(Bucket=PUBLIC_BUCKET)
    client.create_bucket(Bucket=PRIVATE_BUCKET)
    client.put_bucket_policy(
        Bucket=PUBLIC_BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{PUBLIC_BUCKET}/*",
                    }
                ],
            }
        ),
    )
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def s3_storages(s3_endpoint, tmp_path_factory):
    """STORAGES exactly as portal/settings.py builds them from the environment (the secret read
    from a file, as a mounted secret would be)."""
    secret_file = tmp_path_factory.mktemp("secrets") / "s3-secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    result = run_python(
        "import json, portal.settings as s; print(json.dumps(s.STORAGES, default=str))",
        DJANGO_DEBUG="true",
        PORTAL_STORAGE="s3",
        PORTAL_S3_ENDPOINT_URL=s3_endpoint,
        PORTAL_S3_REGION="us-east-1",
        PORTAL_S3_ACCESS_KEY_ID=ACCESS_KEY,
        PORTAL_S3_SECRET_ACCESS_KEY_FILE=str(secret_file),
        PORTAL_S3_PUBLIC_BUCKET=PUBLIC_BUCKET,
        PORTAL_S3_PRIVATE_BUCKET=PRIVATE_BUCKET,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _empty_buckets(endpoint: str) -> None:
    resource = boto3.resource(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
    )
    for name in (PUBLIC_BUCKET, PRIVATE_BUCKET):
        resource.Bucket(name).objects.all().delete()


@pytest.fixture
def on_s3(s3_storages, s3_endpoint):
    """Run the test with the S3 storages and empty buckets; Django's cached storages are reset
    by the setting_changed signal, which the first assertions check."""
    _empty_buckets(s3_endpoint)
    configured = {**s3_storages, "staticfiles": settings.STORAGES["staticfiles"]}
    with override_settings(STORAGES=configured):
        assert type(storages["private"]).__name__ == "S3Storage"
        assert private_storage().bucket_name == PRIVATE_BUCKET
        assert storages["default"].bucket_name == PUBLIC_BUCKET
        yield
    assert type(storages["private"]).__name__ != "S3Storage"
    _empty_buckets(s3_endpoint)


@pytest.fixture
def bucket(s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
    )

    class Bucket:
        def keys(self, prefix: str, name: str = PRIVATE_BUCKET) -> set[str]:
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=prefix)
            return {item["Key"] for page in pages for item in page.get("Contents", ())}

        def read(self, key: str, name: str = PRIVATE_BUCKET) -> bytes:
            return client.get_object(Bucket=name, Key=key)["Body"].read()

        def put(self, key: str, data: bytes) -> None:
            client.put_object(Bucket=PRIVATE_BUCKET, Key=key, Body=data)

    return Bucket()


def anonymous_get(url: str) -> tuple[int, bytes]:
    """GET without credentials (no proxy), as a browser would."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


# --- personas and content ---------------------------------------------------------------------


@pytest.fixture
def people(db):
    dept_a = DepartmentFactory(code="dept-a", name="甲局")
    dept_b = DepartmentFactory(code="dept-b", name="乙局")
    handler_b = UserFactory(username="handler_b", roles=[roles.DEPARTMENT_HANDLER])
    member_of(handler_b, dept_b)
    return {
        "intake": UserFactory(username="intake", roles=[roles.INTAKE_OFFICER]),
        "resident": UserFactory(username="resident"),
        "handler_b": handler_b,
        "analyst": UserFactory(username="analyst", roles=[roles.ANALYST]),
        "dept_a": dept_a,
    }


def submit_with_photo(original: bytes):
    return workflow.tipoff_submit(
        category=Category.objects.get(code="air-dust"),
        subdistrict=SubdistrictFactory(code="donghua", name="东华街道"),
        address="东华街道攀枝花大道东段123号附近工地",
        observed_at=T0 - dt.timedelta(hours=2),
        description="工地扬尘很大，夜间也在施工，没有覆盖防尘网。",
        confidentiality=Confidentiality.ANONYMOUS,
        photos=[process_upload(SimpleUploadedFile("a.jpg", original))],
        now=T0,
    )


def get_as(client, user, url):
    client.logout()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client.get(url)


@pytest.fixture
def no_exports(monkeypatch):
    from surveys import exports

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {})


# --- the flows --------------------------------------------------------------------------------


pytestmark = pytest.mark.django_db


def test_a_tipoff_photo_lands_in_the_private_bucket_and_only_intake_gets_it(
    on_s3, bucket, people, client
):
    original = jpeg_bytes()
    tipoff = submit_with_photo(original)
    photo = tipoff.photos.get()
    keys = bucket.keys("tipoffs/")
    assert keys == {photo.original.name, photo.cleaned.name}
    assert bucket.read(photo.original.name) == original
    assert hashlib.sha256(bucket.read(photo.original.name)).hexdigest() == photo.original_sha256
    assert not bucket.keys("", name=PUBLIC_BUCKET)  # nothing of it in the public bucket

    # The bucket refuses an unsigned GET of either copy.
    for key in keys:
        status, body = anonymous_get(f"{private_storage().endpoint_url}/{PRIVATE_BUCKET}/{key}")
        assert status == 403 and body == b""

    original_url = reverse("tipoffs_admin:original_photo", args=[photo.pk])
    cleaned_url = reverse("tipoffs:photo", args=[photo.pk])
    served = get_as(client, people["intake"], original_url)
    assert served.status_code == 200 and served.getvalue() == original
    assert "no-store" in served["Cache-Control"]
    cleaned = get_as(client, people["intake"], cleaned_url)
    assert cleaned.status_code == 200 and cleaned.getvalue() == bucket.read(photo.cleaned.name)

    for persona in ("resident", "handler_b"):
        for url in (original_url, cleaned_url):
            refused = get_as(client, people[persona], url)
            assert refused.status_code in (302, 403, 404), (persona, url)
            assert b"".join(getattr(refused, "streaming_content", [refused.content])) != original
    assert get_as(client, None, cleaned_url).status_code == 404


def test_with_signed_urls_the_view_redirects_to_a_short_lived_signature(
    on_s3, bucket, people, client, settings
):
    settings.PORTAL_PRIVATE_DELIVERY = "signed-url"
    original = jpeg_bytes()
    photo = submit_with_photo(original).photos.get()
    url = reverse("tipoffs_admin:original_photo", args=[photo.pk])
    refused = get_as(client, people["handler_b"], url)
    assert refused.status_code in (302, 403, 404)
    assert PRIVATE_BUCKET not in refused.get("Location", "")  # no signed URL for the refused
    redirect = get_as(client, people["intake"], url)
    assert redirect.status_code == 302
    location = redirect["Location"]
    assert location.startswith(f"{private_storage().endpoint_url}/{PRIVATE_BUCKET}/")
    assert "X-Amz-Expires=60" in location and "X-Amz-Signature=" in location
    assert "no-store" in redirect["Cache-Control"]
    status, body = anonymous_get(location)
    assert status == 200 and body == original
    unsigned = location.split("?", 1)[0]
    assert anonymous_get(unsigned)[0] == 403


def test_public_media_goes_to_the_public_bucket_with_plain_urls(on_s3, bucket):
    name = default_storage.save("documents/notice.txt", ContentFile(b"public notice"))
    assert bucket.keys("documents/", name=PUBLIC_BUCKET) == {name}
    url = default_storage.url(name)
    assert "Signature" not in url
    assert anonymous_get(url) == (200, b"public notice")
    default_storage.delete(name)


def test_a_release_stores_its_files_in_the_private_bucket_with_their_sha256(
    on_s3, bucket, people, client, no_exports
):
    survey = reference_survey()
    release = release_publish(survey=survey, actor=people["analyst"])
    files = list(release.files.all())
    assert {f.file.name for f in files} == bucket.keys(f"surveys/releases/{survey.pk}/")
    for file in files:
        stored = bucket.read(file.file.name)
        assert hashlib.sha256(stored).hexdigest() == file.sha256 and len(stored) == file.size
        status, _body = anonymous_get(
            f"{private_storage().endpoint_url}/{PRIVATE_BUCKET}/{file.file.name}"
        )
        assert status == 403
    weights = release.files.get(name="weights.csv")
    url = reverse("surveys_admin:release_file", args=[survey.pk, release.version, weights.name])
    download = get_as(client, people["analyst"], url)
    assert download.status_code == 200
    assert hashlib.sha256(download.getvalue()).hexdigest() == weights.sha256
    for persona in ("resident", "handler_b", "intake"):
        assert get_as(client, people[persona], url).status_code in (302, 403, 404)


def test_an_export_is_stored_downloaded_and_purged_in_the_private_bucket(
    on_s3, bucket, people, client
):
    survey = reference_survey(slug="s3-export")
    assert client.login(username="analyst", password=PASSWORD)
    client.post(reverse("surveys_admin:exports", args=[survey.pk]), {"kind": "codebook_csv"})
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    assert bucket.keys("surveys/exports/") == {job.file.name}
    assert hashlib.sha256(bucket.read(job.file.name)).hexdigest() == job.sha256
    url = reverse("surveys_admin:export_download", args=[survey.pk, job.pk])
    download = client.get(url)
    assert download.status_code == 200 and download["X-Content-SHA256"] == job.sha256
    assert hashlib.sha256(download.getvalue()).hexdigest() == job.sha256
    assert get_as(client, people["resident"], url).status_code in (302, 403, 404)

    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    call_command("survey_purge")
    assert not ExportJob.objects.exists()
    assert bucket.keys("surveys/exports/") == set()


def test_the_photo_sweep_finds_orphans_by_listing_the_bucket(on_s3, bucket, people):
    photo = submit_with_photo(jpeg_bytes()).photos.get()
    bucket.put("tipoffs/originals/2026/09/orphan.jpg", b"left by a rolled-back report")
    bucket.put("tipoffs/cleaned/2026/09/orphan.jpg", b"left by a rolled-back report")
    assert sweep_orphan_photos(older_than=dt.timedelta(0), dry_run=True) == 2
    assert sweep_orphan_photos(older_than=dt.timedelta(0)) == 2
    assert bucket.keys("tipoffs/") == {photo.original.name, photo.cleaned.name}


# --- configuration ----------------------------------------------------------------------------


def test_the_filesystem_default_keeps_private_files_outside_the_media_root(tmp_path):
    result = run_python(
        "import json, portal.settings as s; print(json.dumps(s.STORAGES, default=str))",
        DJANGO_DEBUG="true",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    configured = json.loads(result.stdout.strip().splitlines()[-1])
    assert configured["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert configured["private"]["OPTIONS"]["location"] == str(tmp_path / "private")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTAL_STORAGE": "ftp"}, "PORTAL_STORAGE"),
        ({"PORTAL_STORAGE": "s3", "PORTAL_S3_PUBLIC_BUCKET": "a"}, "PORTAL_S3_PRIVATE_BUCKET"),
        (
            {
                "PORTAL_STORAGE": "s3",
                "PORTAL_S3_PUBLIC_BUCKET": "one",
                "PORTAL_S3_PRIVATE_BUCKET": "one",
            },
            "two separate prefixes",
        ),
        ({"PORTAL_PRIVATE_DELIVERY": "signed-url"}, "PORTAL_STORAGE=s3"),
        ({"PORTAL_PRIVATE_ROOT": "var/media/private"}, "PORTAL_PRIVATE_ROOT"),
        (
            {
                "PORTAL_STORAGE": "s3",
                "PORTAL_S3_PUBLIC_BUCKET": "a",
                "PORTAL_S3_PRIVATE_BUCKET": "b",
                "PORTAL_S3_SECRET_ACCESS_KEY_FILE": "/nonexistent/secret",
            },
            "PORTAL_S3_SECRET_ACCESS_KEY_FILE",
        ),
    ],
)
def test_storage_settings_that_cannot_work_stop_start_up(env, message):
    result = run_python("import portal.settings", DJANGO_DEBUG="true", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_the_s3_storages_bound_connect_and_read_times(s3_storages):
    for name in ("default", "private"):
        assert s3_storages[name]["BACKEND"] == "portal.s3.S3Storage"
        options = s3_storages[name]["OPTIONS"]
        assert (options["connect_timeout"], options["read_timeout"]) == (3.0, 10.0)
        assert options["max_attempts"] == 3
    with override_settings(
        STORAGES={**s3_storages, "staticfiles": settings.STORAGES["staticfiles"]}
    ):
        config = private_storage().client_config
        assert (config.connect_timeout, config.read_timeout) == (3.0, 10.0)
        assert config.retries == {"mode": "standard", "total_max_attempts": 3}
        assert config.s3 == {"addressing_style": "path"} and config.signature_version == "s3v4"


def test_a_store_that_accepts_but_never_answers_is_given_up_as_unavailable():
    """A hung object store (connections accepted, nothing answered) raises a storage error that
    portal.unavailable turns into the 503 page, instead of holding the request for minutes."""
    import threading

    from portal.s3 import S3Storage
    from portal.unavailable import dependency_of

    hung = socket.create_server(("127.0.0.1", 0), backlog=16)  # never accept()ed: the kernel
    # completes the handshake and the request waits in its queue forever
    storage = S3Storage(
        endpoint_url=f"http://127.0.0.1:{hung.getsockname()[1]}",
        region_name="us-east-1",
        access_key=ACCESS_KEY,
        secret_key=SECRET,
        bucket_name=PRIVATE_BUCKET,
        addressing_style="path",
        file_overwrite=False,
        connect_timeout=0.5,
        read_timeout=0.5,
        max_attempts=2,
    )
    outcome: list[BaseException] = []

    def save():
        try:
            storage.save("tipoffs/hung.txt", ContentFile(b"x"))
        except BaseException as error:  # the test inspects it
            outcome.append(error)

    thread = threading.Thread(target=save, daemon=True)
    thread.start()
    thread.join(45)  # botocore's own defaults would wait 60 s per attempt
    hung.close()
    assert not thread.is_alive(), "the storage kept waiting on a store that never answers"
    assert outcome and dependency_of(outcome[0]) == "storage", outcome
