"""The deployed topology on one machine, all on loopback, each service on its own port and data dir.

    topology = Topology.start()      # PostgreSQL, Redis, S3 (moto), 2 × gunicorn, 2 × db_worker, nginx
    resident = topology.resident("127.0.0.2")   # a browser at its own loopback address, via nginx
    ...
    topology.stop()                  # every process group it started, even after a failure

Everything runs from a temporary directory: a private PostgreSQL cluster (``initdb`` + ``pg_ctl``
on its own port and socket directory), a private ``redis-server`` without persistence, moto's S3
server behind a TCP forwarder (so "stopping the object storage" keeps its objects), two gunicorn
instances and two task workers started exactly as ``deploy/systemd`` starts them (DEBUG off,
production settings, configuration from the environment only), and Debian's nginx with the site
file ``deploy/nginx/portal.conf`` rendered for local ports (TLS with a self-signed certificate).
The machine's shared PostgreSQL (5432) and Redis (6379) are never touched.

The environment variable names the app reads are in ONE place, ``app_environment`` below, and
the app runs with plain ``portal.settings``, as deploy/portal.env configures it.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookies
import io
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path(
    os.environ.get("PORTAL_PG_BIN")
    or max(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        default=Path("/usr/lib/postgresql/15/bin"),
    )
)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SURVEY_SLUG = "deployed-eco"
S3_KEY = "deployed-test"  # moto accepts any credentials
BUCKETS = {"public": "portal-media", "private": "portal-private"}
APP_WORKERS = int(os.environ.get("PORTAL_DEPLOYED_APP_WORKERS", "2"))


# --- The one place where environment names live ---------------------------------------------


def app_environment(t: Topology) -> dict[str, str]:
    """The app's configuration, as an operator writes it into deploy/portal.env."""
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": t.secret,
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://localhost:{t.ports['https']}",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{t.ports['pg']}/portal",
        "REDIS_URL": f"redis://127.0.0.1:{t.ports['redis']}/0",
        "PORTAL_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PORTAL_REQUIRE_STAFF_MFA": "true",
        "PORTAL_BASE_URL": f"https://localhost:{t.ports['https']}",
        "PORTAL_LOG_LEVEL": "WARNING",
        "PORTAL_VAR_DIR": str(t.dir / "var"),
        "DJANGO_STATIC_ROOT": str(t.dir / "var" / "static"),
        "DJANGO_MEDIA_ROOT": str(t.dir / "var" / "media"),
        # nginx is the one proxy in front of the app (h5: one client-address policy).
        "PORTAL_TRUSTED_PROXIES": "1",
        # No development sender in production: mail goes to an SMTP host (none answers here),
        # texts are dropped.
        "EMAIL_HOST": "smtp.invalid",
        "PORTAL_SMS_SENDER": "portal.sms.DisabledSmsSender",
        # Object storage: S3-compatible endpoint, public and private buckets.
        "PORTAL_STORAGE": "s3",
        "PORTAL_S3_ENDPOINT_URL": f"http://127.0.0.1:{t.ports['s3']}",
        "PORTAL_S3_PUBLIC_BUCKET": BUCKETS["public"],
        "PORTAL_S3_PRIVATE_BUCKET": BUCKETS["private"],
        "PORTAL_S3_ACCESS_KEY_ID": S3_KEY,
        "PORTAL_S3_SECRET_ACCESS_KEY": S3_KEY,
        "PORTAL_S3_REGION": "us-east-1",
        # Give up sooner than production when the object storage is down or hung (503 page).
        "PORTAL_S3_MAX_ATTEMPTS": "2",
    }


# --- Processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process {proc.args[:3]} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@dataclass
class Service:
    """A process group the harness started; restarted like systemd's Restart=always if wanted."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    restart: bool = False
    proc: subprocess.Popen | None = None
    wanted: bool = False
    starts: int = 0

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killpg reaches its children
            )
        self.wanted = True
        self.starts += 1
        if self.port:
            wait_for_port(self.port, 60, self.proc)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send(self, sig: int) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
        self.wanted = False
        if self.proc is None:
            return
        self.send(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            self.proc.wait(5)
        self.send(signal.SIGKILL)  # stragglers of the group

    def kill(self) -> None:
        """SIGKILL the whole group; the supervisor restarts it if ``restart``."""
        self.send(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(5)


class Supervisor(threading.Thread):
    """Restart wanted services that died (systemd's Restart=always, RestartSec=1)."""

    def __init__(self, services: list[Service]):
        super().__init__(daemon=True)
        self.services = services
        self.running = True

    def run(self) -> None:
        while self.running:
            for service in self.services:
                if service.restart and service.wanted and not service.alive():
                    time.sleep(1)
                    if self.running and service.wanted and not service.alive():
                        with contextlib.suppress(Exception):
                            service.start()
            time.sleep(0.2)


# --- HTTP clients ----------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float = 0.0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _LocalTLS(http.client.HTTPSConnection):
    """HTTPS to nginx on 127.0.0.1 with SNI and certificate checked for ``localhost``."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname="localhost")


@dataclass
class Resident:
    """A browser: its own loopback source address, cookie jar and user agent.

    ``app`` None goes through nginx (HTTPS); an index goes straight to that gunicorn instance
    (plain HTTP with the headers nginx would add for an HTTPS request)."""

    topology: Topology
    source: str = "127.0.0.2"
    app: int | None = None
    user_agent: str = field(default_factory=lambda: f"resident-{uuid.uuid4().hex[:12]}")
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 90

    def via(self, app: int | None) -> Resident:
        """The same browser (cookies) talking to another entry point."""
        return Resident(self.topology, self.source, app, self.user_agent, self.cookies)

    @property
    def origin(self) -> str:
        if self.app is None:
            return f"https://localhost:{self.topology.ports['https']}"
        return f"https://127.0.0.1:{self.topology.ports[f'app{self.app}']}"

    def _connection(self):
        t = self.topology
        if self.app is None:
            return _LocalTLS(
                "localhost",
                t.ports["https"],
                timeout=self.timeout,
                source_address=(self.source, 0),
                context=t.tls_context,
            )
        return http.client.HTTPConnection(
            "127.0.0.1",
            t.ports[f"app{self.app}"],
            timeout=self.timeout,
            source_address=(self.source, 0),
        )

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Reply:
        all_headers = {"User-Agent": self.user_agent, "Accept": "text/html", "Connection": "close"}
        if self.app is not None:
            all_headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        conn = self._connection()
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                jar = http.cookies.SimpleCookie()
                jar.load(value)
                for key, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
        return Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, content, elapsed
        )

    def get(self, path: str, **headers) -> Reply:
        return self.request("GET", path, headers=headers)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not match:
            raise AssertionError(f"no CSRF token on {path}: HTTP {page.status}")
        return match.group(1)

    def post(self, path: str, fields, files=(), token: str | None = None, headers=None) -> Reply:
        token = token or self.csrf_token(path)
        fields = [("csrfmiddlewaretoken", token), *fields]
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = (
                urllib.parse.urlencode(fields).encode(),
                "application/x-www-form-urlencoded",
            )
        return self.request(
            "POST",
            path,
            body,
            {
                "Content-Type": content_type,
                "Origin": self.origin,
                "Referer": self.origin + path,
                **(headers or {}),
            },
        )


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for name, filename, content in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def photo_bytes(seed: int = 0) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "DeployedCam"
    colour = (seed * 37 % 256, 150, 90)
    Image.new("RGB", (320, 240), colour).save(buf, format="JPEG", exif=exif, quality=80)
    return buf.getvalue()


# --- Forms the residents fill in ---------------------------------------------------------------


SUBDISTRICTS = ["donghua", "bingcaogang", "nongnongping", "dadukou", "guaziping", "yinjiang"]
AGE_GROUPS = ["18-29", "30-44", "45-59", "60+"]


def survey_fields(rng, marker: str, index: int | None = None) -> list[tuple[str, str]]:
    """A complete answer to the demo questionnaire; ``marker`` goes into the free-text Q10.

    With ``index`` the weighting variables cycle through their categories, so that a load of
    120 or more answers fills every weighting category to the minimum the weighting requires
    (20 respondents), whatever the random answers."""
    if index is None:
        place, sex, age = (
            rng.choice(SUBDISTRICTS),
            rng.choice(["male", "female"]),
            rng.choice(AGE_GROUPS),
        )
    else:
        # Nested cycles, so that every (sub-district, sex, age group) cell has answers after 48:
        # independent cycles of 6, 2 and 4 would confound sex with age group.
        place = SUBDISTRICTS[index % 6]
        sex = ["male", "female"][index // 6 % 2]
        age = AGE_GROUPS[index // 12 % 4]
    fields = [
        ("subdistrict", place),
        ("sex", sex),
        ("age_group", age),
        ("Q1", rng.choice("123459")),
    ]
    fields += [(f"Q2_{row}", rng.choice("123459")) for row in "12345678"]
    fields += [(f"Q3_{row}", rng.choice("1239")) for row in "1234567"]
    fields += [("Q4", "2"), ("Q5", rng.choice("123"))]
    fields += [("Q7", code) for code in rng.sample("123456", k=rng.randint(1, 3))]
    fields += [("Q8", rng.choice("123459")), ("Q9", str(rng.randint(0, 12))), ("Q10", marker)]
    return fields


SURVEY_PATH = f"/surveys/s/{SURVEY_SLUG}/all/"
TIPOFF_PATH = "/tipoffs/new"


def tipoff_fields(t: Topology, marker: str, phone: str) -> list[tuple[str, str]]:
    observed = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 3600))
    return [
        ("category", str(t.ids["category"])),
        ("subdistrict", str(t.ids["subdistrict"])),
        ("address", "攀枝花大道东段1号"),
        ("observed_at", observed),
        ("description", f"工地扬尘严重，夜间施工。{marker}"),
        ("confidentiality", "real_name"),
        ("name", "测试"),
        ("phone", phone),
        ("consent", "on"),
    ]


# --- Set-up scripts run with manage.py shell -----------------------------------------------------

SETUP = f"""
from django.db import transaction
from portal.demo import ensure_site_tree
from portal.reference import ensure_reference_data
from portal.models import Subdistrict
from portal.tipoffs.models import Category
from cms.models import HomePage, StandardPage
from surveys import demo
from surveys.models import Survey
ensure_reference_data()
ensure_site_tree()
home = HomePage.objects.first()
if not StandardPage.objects.filter(slug="deployed-notice").exists():
    page = StandardPage(slug="deployed-notice", title="部署测试公告", intro="版本一")
    home.add_child(instance=page)
    page.save_revision().publish()
demo_survey = demo.ensure_survey()
if not Survey.objects.filter(slug="{SURVEY_SLUG}").exists():
    copy = Survey.objects.create(title="部署测试调查", slug="{SURVEY_SLUG}", purpose="test",
        wave="test", year=2026, status="open", respondent_mode="anonymous",
        anonymous_hourly_limit=3)
    for q in demo_survey.questions.all():
        choices, rows = list(q.choices.all()), list(q.rows.all())
        q.pk = None; q.id = None; q.survey = copy; q.save()
        for c in choices:
            c.pk = None; c.id = None; c.question = q; c.save()
        for r in rows:
            r.pk = None; r.id = None; r.question = q; r.save()
    from surveys.models import ScoringDefinition
    for d in ScoringDefinition.objects.filter(survey=demo_survey):
        d.pk = None; d.id = None; d.survey = copy; d.save()
    demo.ensure_margins(copy)
print("IDS", Category.objects.get(code="air-dust").pk, Subdistrict.objects.order_by("pk").first().pk,
      Survey.objects.get(slug="{SURVEY_SLUG}").pk)
"""

PUBLISH = """
from cms.models import StandardPage
page = StandardPage.objects.get(slug="deployed-notice")
page.intro = %r
page.save_revision().publish()
print("published")
"""

ENQUEUE_EXPORTS = """
from surveys.models import Survey
from surveys.tasks import export_job_start
survey = Survey.objects.get(slug=%r)
print("JOBS", *[export_job_start(survey=survey, kind=kind, user=None).pk for kind in %r])
"""

EXPIRE_STALE_EXPORTS = """
import datetime as dt
from django.utils import timezone
from surveys.tasks import export_jobs_purge
print("PURGE", export_jobs_purge(now=timezone.now() + dt.timedelta(hours=7)))
"""


# --- The topology ------------------------------------------------------------------------------


class Topology:
    def __init__(self, base: Path | None = None):
        self.dir = Path(base or tempfile.mkdtemp(prefix="eco-deployed-"))
        self.dir.chmod(0o755)  # the postgres user must reach its data directory
        self.secret = secrets.token_urlsafe(50)
        self.ports = {
            name: free_port()
            for name in ("pg", "redis", "s3", "s3_backend", "app0", "app1", "http", "https")
        }
        self.services: dict[str, Service] = {}
        self.ids: dict[str, int] = {}
        self.supervisor: Supervisor | None = None
        self.tls_context: ssl.SSLContext | None = None
        self.pg_running = False
        self.timings: dict[str, float] = {}
        (self.dir / "logs").mkdir(exist_ok=True)

    # environment of every app process (web, worker, manage.py)
    def env(self) -> dict[str, str]:
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}
        base = {k: v for k, v in os.environ.items() if k in keep}
        return {
            **base,
            **app_environment(self),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    @classmethod
    def start(cls, base: Path | None = None) -> Topology:
        topology = cls(base)
        try:
            topology._start_all()
        except BaseException:
            topology.stop()
            raise
        return topology

    def _timed(self, name, fn, *args):
        started = time.monotonic()
        result = fn(*args)
        self.timings[name] = round(time.monotonic() - started, 1)
        return result

    def _start_all(self) -> None:
        self._timed("postgres", self.start_postgres, True)
        self._timed("redis", self.start_redis)
        self._timed("s3", self.start_s3)
        self._timed("migrate+seed", self.prepare_app)
        for i in range(2):
            self._timed(f"app{i}", self.start_app, i)
        for i in range(2):
            self._timed(f"worker{i}", self.start_worker, i)
        self._timed("nginx", self.start_nginx)
        self.supervisor = Supervisor(list(self.services.values()))
        self.supervisor.start()

    # PostgreSQL -------------------------------------------------------------------------------
    def _as_postgres(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return argv

    def start_postgres(self, init: bool = False) -> None:
        data, sockets = self.dir / "pg", self.dir / "pg-run"
        if init:
            for d in (data, sockets):
                d.mkdir()
                if os.geteuid() == 0:
                    shutil.chown(d, "postgres", "postgres")
            subprocess.run(
                self._as_postgres(
                    [
                        str(PG_BIN / "initdb"),
                        "-D",
                        str(data),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                        "--no-sync",
                    ]
                ),
                check=True,
                capture_output=True,
            )
        options = (
            f"-p {self.ports['pg']} -k {sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            self._as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(sockets / "postgres.log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            cwd="/",
        )
        self.pg_running = True
        if init:
            import psycopg

            with psycopg.connect(self.pg_dsn("postgres"), autocommit=True) as conn:
                conn.execute("CREATE DATABASE portal")

    def stop_postgres(self, mode: str = "fast") -> None:
        if not (self.dir / "pg" / "postmaster.pid").exists():
            self.pg_running = False
            return
        subprocess.run(
            self._as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "pg"), "-m", mode, "-w", "stop"]
            ),
            capture_output=True,
            cwd="/",
        )
        self.pg_running = False

    def pg_dsn(self, db: str = "portal") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports['pg']}/{db}"

    def sql(self, query: str, params=()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.pg_dsn(), autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    # Redis, S3 ---------------------------------------------------------------------------------
    def start_redis(self) -> None:
        if "redis" not in self.services:
            (self.dir / "redis").mkdir()
            self.services["redis"] = Service(
                "redis",
                [
                    shutil.which("redis-server") or "/usr/bin/redis-server",
                    "--port",
                    str(self.ports["redis"]),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.dir / "redis"),
                ],
                {"PATH": os.environ.get("PATH", "")},
                self.dir / "logs" / "redis.log",
                port=self.ports["redis"],
            )
        self.services["redis"].start()

    def start_s3(self) -> None:
        backend = Service(
            "s3-backend",
            [
                str(VENV_BIN / "moto_server"),
                "-H",
                "127.0.0.1",
                "-p",
                str(self.ports["s3_backend"]),
            ],
            {"PATH": os.environ.get("PATH", ""), "HOME": str(self.dir)},
            self.dir / "logs" / "moto.log",
            port=self.ports["s3_backend"],
        )
        backend.start()
        self.services["s3-backend"] = backend
        self.services["s3"] = Service(
            "s3",
            [
                sys.executable,
                str(Path(__file__).with_name("tcp_forward.py")),
                str(self.ports["s3"]),
                str(self.ports["s3_backend"]),
            ],
            {"PATH": os.environ.get("PATH", "")},
            self.dir / "logs" / "s3-forward.log",
            port=self.ports["s3"],
        )
        self.services["s3"].start()
        s3 = self.s3_client()
        for bucket in BUCKETS.values():
            s3.create_bucket(Bucket=bucket)

    def s3_client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.ports['s3_backend']}",
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_KEY,
            region_name="us-east-1",
        )

    def s3_keys(self, bucket: str, prefix: str = "") -> set[str]:
        keys: set[str] = set()
        for page in (
            self.s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        ):
            keys.update(item["Key"] for item in page.get("Contents", []))
        return keys

    # The app -------------------------------------------------------------------------------
    def manage(self, *args: str, stdin: str | None = None, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return done.stdout

    def prepare_app(self) -> None:
        """What an operator runs on deploy (README / docs/operations.md), in that order."""
        self._timed("migrate", self.manage, "migrate", "--no-input", "-v0")
        self._timed("compile_catalogues", self.manage, "compile_catalogues")
        self._timed("collectstatic", self.manage, "collectstatic", "--no-input", "-v0")
        out = self._timed("seed", self.manage, "shell", "--no-imports", "-c", SETUP)
        ids = out.split("IDS", 1)[1].split()
        self.ids = {"category": int(ids[0]), "subdistrict": int(ids[1]), "survey": int(ids[2])}

    def start_app(self, i: int) -> None:
        name = f"app{i}"
        if name not in self.services:
            self.services[name] = Service(
                name,
                [
                    str(VENV_BIN / "gunicorn"),
                    "portal.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.ports[name]}",
                    "--workers",
                    str(APP_WORKERS),
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "10",
                    "--forwarded-allow-ips",
                    "127.0.0.1",
                    "--log-level",
                    "warning",
                ],
                self.env(),
                self.dir / "logs" / f"{name}.log",
                port=self.ports[name],
                restart=True,
            )
        self.services[name].start()

    def start_worker(self, i: int) -> None:
        name = f"worker{i}"
        if name not in self.services:
            self.services[name] = Service(
                name,
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "db_worker",
                    "--interval",
                    "0.5",
                    "--no-startup-delay",
                    "--worker-id",
                    f"deployed-{name}",
                ],
                self.env(),
                self.dir / "logs" / f"{name}.log",
                restart=True,
            )
        self.services[name].start()

    # nginx -------------------------------------------------------------------------------
    def render_nginx(self) -> str:
        """deploy/nginx/portal.conf with local ports and paths (every replacement must match)."""
        site = (ROOT / "deploy" / "nginx" / "portal.conf").read_text()
        var = self.dir / "var"
        nginx_dir = self.dir / "nginx"
        replacements = [
            ("app1.portal.internal:8000", f"127.0.0.1:{self.ports['app0']}"),
            ("app2.portal.internal:8000", f"127.0.0.1:{self.ports['app1']}"),
            ("listen 80", f"listen 127.0.0.1:{self.ports['http']}"),
            ("listen 443", f"listen 127.0.0.1:{self.ports['https']}"),
            ("eco.example.gov.cn", "localhost"),
            ("/etc/ssl/portal/fullchain.pem", str(nginx_dir / "cert.pem")),
            ("/etc/ssl/portal/privkey.pem", str(nginx_dir / "key.pem")),
            ("/srv/portal/var/static/", f"{var / 'static'}/"),
            ("/srv/portal/var/media/", f"{var / 'media'}/"),
            ("/etc/nginx/snippets/portal-proxy.conf", str(ROOT / "deploy/nginx/portal-proxy.conf")),
            ("/etc/nginx/snippets/portal-cache.conf", str(ROOT / "deploy/nginx/portal-cache.conf")),
            ("/var/cache/nginx/portal", str(nginx_dir / "cache")),
        ]
        for old, new in replacements:
            if old not in site:
                raise AssertionError(f"deploy/nginx/portal.conf no longer contains {old!r}")
            site = site.replace(old, new)
        temp = nginx_dir / "tmp"
        user = "user root;\n" if os.geteuid() == 0 else ""
        return f"""{user}worker_processes 1;
pid {nginx_dir / "nginx.pid"};
error_log {nginx_dir / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {nginx_dir / "access.log"};
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    sendfile on;
    keepalive_timeout 65;
{site}
}}
"""

    def start_nginx(self) -> None:
        nginx_dir = self.dir / "nginx"
        (nginx_dir / "tmp").mkdir(parents=True, exist_ok=True)
        (nginx_dir / "cache").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                shutil.which("openssl") or "/usr/bin/openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
                "-keyout",
                str(nginx_dir / "key.pem"),
                "-out",
                str(nginx_dir / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        self.tls_context = ssl.create_default_context(cafile=str(nginx_dir / "cert.pem"))
        (nginx_dir / "nginx.conf").write_text(self.render_nginx())
        argv = [NGINX, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")]
        check = subprocess.run([*argv, "-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.services["nginx"] = Service(
            "nginx",
            [*argv, "-g", "daemon off;"],
            {"PATH": os.environ.get("PATH", "")},
            self.dir / "logs" / "nginx.log",
            port=self.ports["https"],
        )
        self.services["nginx"].start()

    # Clients ------------------------------------------------------------------------------
    def resident(self, source: str = "127.0.0.2", app: int | None = None) -> Resident:
        return Resident(self, source, app)

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if all(
                    self.resident("127.0.0.1", app=i).get("/healthz").status == 200 for i in (0, 1)
                ):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise TimeoutError("the app instances did not become healthy")

    # Integrity -----------------------------------------------------------------------------
    def integrity(self) -> dict[str, object]:
        """The invariants that every scenario must leave intact; returns the problems found."""
        problems: dict[str, object] = {}
        dup_codes = self.sql(
            "SELECT tracking_code FROM tipoffs_tipoff GROUP BY 1 HAVING count(*) > 1"
        )
        if dup_codes:
            problems["duplicate tracking codes"] = dup_codes
        no_event = self.sql(
            "SELECT t.id FROM tipoffs_tipoff t WHERE NOT EXISTS "
            "(SELECT 1 FROM tipoffs_tipoffevent e WHERE e.tipoff_id = t.id)"
        )
        if no_event:
            problems["reports without their first event"] = no_event
        photo_mismatch = self.sql(
            "SELECT e.tipoff_id FROM tipoffs_tipoffevent e WHERE e.kind = 'submitted' AND "
            "(e.data->>'photos')::int <> (SELECT count(*) FROM tipoffs_tipoffphoto p "
            "WHERE p.tipoff_id = e.tipoff_id)"
        )
        if photo_mismatch:
            problems["reports missing some of their photos"] = photo_mismatch
        empty_responses = self.sql(
            "SELECT r.id FROM surveys_response r WHERE NOT EXISTS "
            "(SELECT 1 FROM surveys_answer a WHERE a.response_id = r.id)"
        )
        if empty_responses:
            problems["survey responses without answers"] = empty_responses
        files = self.s3_keys(BUCKETS["private"], "tipoffs/")
        rows = {
            name
            for pair in self.sql("SELECT original, cleaned FROM tipoffs_tipoffphoto")
            for name in pair
        }
        if rows - files:
            problems["photo rows whose file is missing"] = sorted(rows - files)[:10]
        if files - rows:
            problems["photo files without a row"] = sorted(files - rows)[:10]
        negative = self.sql(
            "SELECT user_id, sum(amount) FROM learning_ledgerentry GROUP BY 1 HAVING sum(amount) < 0"
        )
        if negative:
            problems["negative points balances"] = negative
        failed_exports_with_content = self.sql(
            "SELECT id FROM surveys_exportjob WHERE status <> 'done' AND file <> ''"
        )
        if failed_exports_with_content:
            problems["unfinished exports holding a file"] = failed_exports_with_content
        return problems

    def sweep_orphan_photos(self) -> str:
        """What the daily tipoffs_sweep_photos does, without waiting for the files to age."""
        return self.manage("tipoffs_sweep_photos", "--min-age-hours", "0")

    # Teardown -----------------------------------------------------------------------------
    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.running = False
        for name in ("nginx", "app0", "app1", "worker0", "worker1", "s3", "s3-backend", "redis"):
            service = self.services.get(name)
            if service is not None:
                with contextlib.suppress(Exception):
                    service.stop()
        with contextlib.suppress(Exception):
            self.stop_postgres("immediate")

    def logs_tail(self, lines: int = 40) -> str:
        out = []
        for log in sorted((self.dir / "logs").glob("*.log")) + [
            self.dir / "pg-run" / "postgres.log"
        ]:
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(out)
