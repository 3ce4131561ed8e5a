"""No personal data in logs: the redacting filter on every handler, and a real-name case's life.

Every record of every logger, at every level, goes through a handler carrying the filter exactly
as portal/settings.py configures it; the reporter's name, phone, e-mail and tracking code must
appear in none of the formatted records.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import sys

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

import portal.settings as production
from portal import roles, sms
from portal.logredact import RedactPersonalDataFilter, redact
from portal.models import HolidayCalendarYear
from portal.phones import format_phone, normalize_phone
from portal.tipoffs import workflow
from portal.tipoffs.models import (
    Category,
    IdentityAccessLog,
    State,
    Tipoff,
    format_tracking_code,
    new_tracking_code,
)
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    SubdistrictFactory,
    UserFactory,
    member_of,
)

REPORTER = {"name": "欧阳保密人", "phone": "13987654321", "email": "hidden.whistle@example.net"}


# --- the configuration ----------------------------------------------------------------------


def test_every_handler_in_the_settings_carries_the_redacting_filter():
    filters = production.LOGGING["filters"]
    names = [
        n
        for n, spec in filters.items()
        if spec["()"] == "portal.logredact.RedactPersonalDataFilter"
    ]
    assert names
    for name, handler in production.LOGGING["handlers"].items():
        assert set(names) & set(handler.get("filters", [])), name


def test_djangos_own_handlers_are_replaced_by_the_filtered_root_handler():
    loggers = production.LOGGING["loggers"]
    for name in ("django", "django.server"):
        assert loggers[name]["handlers"] == [] and loggers[name]["propagate"] is True


def settings_filter() -> logging.Filter:
    spec = production.LOGGING["filters"]["redact_personal_data"]
    return import_string(spec["()"])()


@pytest.fixture
def log_output():
    """A handler like the settings' console handler (same format, same filter) on the root logger
    and on every logger that does not propagate; every logger opened to DEBUG meanwhile."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(production.LOGGING["formatters"]["plain"]["format"]))
    handler.addFilter(settings_filter())
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    every = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = {logger: logger.level for logger in every}
    for logger in loggers:
        logger.addHandler(handler)
    for logger in every:
        logger.setLevel(logging.DEBUG)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)
    for logger, level in levels.items():
        logger.setLevel(level)


# --- the patterns ---------------------------------------------------------------------------

CODE = "K7XWP4MZQ9TR3HNB8DEF"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail hidden.whistle+x@example.net now", "mail [email] now"),
        ("邮箱secret@example.org。", "邮箱[email]。"),
        ("13987654321@qq.com", "[email]"),
        ("tel 13987654321", "tel [phone]"),
        ("请拨打13987654321联系", "请拨打[phone]联系"),
        ("+8613987654321", "[phone]"),
        ("+86 139 8765 4321", "[phone]"),
        ("0086-13987654321", "[phone]"),
        ("86 13987654321", "[phone]"),
        ("139-8765-4321", "[phone]"),
        ("landline 0812-3334444 or (0812) 33344445", "landline [phone] or [phone]"),
        ("id 51040219900307123X ok", "id [id-number] ok"),
        ("id 510402199003071234", "id [id-number]"),
        (f"code {CODE}.", "code [code]."),
        (f"code {format_tracking_code(CODE)}", "code [code]"),
        ("request YSQ2026ABCDEFGH", "request [code]"),
        ("pickup ABCDEFGH23 and token ABCD-EFGH-JK23", "pickup [code] and token [code]"),
        ("token 2345ABCDEFGH", "token [code]"),
        # What must stay readable.
        ("Notification 12 for report 34 failed (attempt 2): ConnectionError", None),
        ("2026-09-07 10:00:00,123 INFO portal: Purged 3 identities closed before 2026-03-09", None),
        ("case JB2026-000012, weight 0.13987654321, ts 1767225600", None),
        ("GET /en/tipoffs/new/12/done HTTP/1.1 302 0", None),
        ("DEPRECATED SETTING; sha 3f786850e387550fdab836ed7e6dc881de23001b", None),
        ("uuid 123e4567-e89b-12d3-a456-426614174000; 验证码 482913", None),
        (f"glued x{CODE}y and v2.510402199003071234b", None),
    ],
)
def test_redact_patterns(text, expected):
    assert redact(text) == (text if expected is None else expected)


def test_every_new_tracking_code_is_redacted_raw_and_grouped():
    for _ in range(200):
        code = new_tracking_code()
        assert redact(f"x {code} y") == "x [code] y"
        assert redact(f"x {format_tracking_code(code)} y") == "x [code] y"


def record(msg, *args, exc_info=None, **extra) -> logging.LogRecord:
    rec = logging.LogRecord("portal.test", logging.ERROR, __file__, 1, msg, args, exc_info)
    rec.__dict__.update(extra)
    return rec


def formatted(rec: logging.LogRecord) -> str:
    assert RedactPersonalDataFilter().filter(rec) is True  # never drops a record
    return logging.Formatter("%(message)s %(detail)s").format(rec)


def test_the_filter_redacts_message_args_exception_and_extra_text():
    try:
        raise ConnectionError(f"gateway refused {REPORTER['phone']} / {REPORTER['email']}")
    except ConnectionError:
        exc_info = sys.exc_info()
    rec = record(
        "notice to %s (%s) failed",
        REPORTER["email"],
        REPORTER["phone"],
        exc_info=exc_info,
        detail=f"code {CODE}",
    )
    text = formatted(rec)
    assert "ConnectionError: gateway refused [phone] / [email]" in text
    assert "notice to [email] ([phone]) failed" in text
    assert "code [code]" in text
    for secret in (REPORTER["phone"], REPORTER["email"], CODE):
        assert secret not in text
    assert rec.args is None


def test_the_filter_survives_a_broken_format_string():
    text = formatted(record("%s and %s", REPORTER["phone"], detail=""))
    assert REPORTER["phone"] not in text and "[phone]" in text


def test_the_filter_is_idempotent_across_handlers():
    rec = record("to %s", REPORTER["email"], detail="")
    first = formatted(rec)
    assert formatted(rec) == first


# --- a real-name case's whole life ----------------------------------------------------------


@pytest.fixture
def world(db):
    """The tip-off fixtures of tests/tipoffs, in one: taxonomy, a department and its people."""
    # The real clock (late 2026) reaches deadlines in 2027, beyond chinese-calendar.
    HolidayCalendarYear.objects.get_or_create(year=2027, defaults={"source": "test: weekends only"})
    dept = DepartmentFactory(code="dept-a", name="甲局")
    handler = UserFactory(username="handler_a", roles=[roles.DEPARTMENT_HANDLER])
    member_of(handler, dept)
    return {
        "category": Category.objects.get(code="air-dust"),
        "subdistrict": SubdistrictFactory(code="donghua", name="东华街道"),
        "dept": dept,
        "intake": UserFactory(username="intake", roles=[roles.INTAKE_OFFICER]),
        "handler": handler,
    }


def form_data(world):
    return {
        "category": world["category"].pk,
        "subdistrict": world["subdistrict"].pk,
        "address": "东华街道攀枝花大道东段123号",
        "observed_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "description": "建筑工地夜间施工扬尘严重，没有洒水降尘。",
        "confidentiality": "real_name",
        "consent": "on",
        **REPORTER,
    }


def test_a_real_name_case_leaves_no_personal_data_in_any_log_record(
    client, settings, log_output, world, django_capture_on_commit_callbacks
):
    intake, handler_a, dept_a = world["intake"], world["handler"], world["dept"]
    settings.PORTAL_SMS_SENDER = "portal.sms.ConsoleSmsSender"  # the sender that logs
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/tipoffs/new", form_data(world))
    assert response.status_code == 302
    tipoff = Tipoff.objects.get()
    code = tipoff.tracking_code

    # The reporter looks the case up with the code.
    response = client.post("/en/tipoffs/track", {"code": format_tracking_code(code)})
    assert response.status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        tipoff = workflow.tipoff_accept(tipoff=tipoff, actor=intake)
        tipoff = workflow.tipoff_assign(tipoff=tipoff, actor=intake, departments=[dept_a])
        tipoff = workflow.tipoff_start_investigation(tipoff=tipoff, actor=handler_a)
        tipoff = workflow.tipoff_resolve(
            tipoff=tipoff,
            actor=handler_a,
            finding="true",
            measures="责令停工整改",
            public_reply="经查属实，已责令整改。",
        )
    assert tipoff.state == State.RESOLVED

    # Notices went out by e-mail (locmem) and SMS (the console sender, which logs).
    to_reporter = [m for m in mail.outbox if REPORTER["email"] in m.to]
    assert len(to_reporter) >= 4  # submitted, accepted, assigned, resolved
    assert any(code in m.body or format_tracking_code(code) in m.body for m in to_reporter)

    # An intake officer reveals the identity.
    client.logout()
    assert client.login(username=intake.username, password=PASSWORD)
    body = client.post(
        reverse("tipoffs_admin:case", args=[tipoff.pk]), {"action": "show_identity"}
    ).content.decode()
    assert format_phone(normalize_phone(REPORTER["phone"])) in body  # shown in national format
    assert IdentityAccessLog.objects.filter(tipoff=tipoff, user=intake).exists()

    # A gateway failure whose message quotes the address is logged too.
    logging.getLogger("portal.test").exception(
        "unexpected", exc_info=ConnectionError(f"{REPORTER['email']} {REPORTER['phone']}")
    )

    output = log_output.getvalue()
    # The console sender did log, masked (phones are kept in E.164 form: +86****4321).
    assert len(re.findall(r"SMS to \S*\*{4}4321", output)) >= 4, output
    assert "[code]" in output  # … with the tracking code redacted
    secrets = [*REPORTER.values(), code, format_tracking_code(code)]
    leaked = [s for s in secrets if s in output]
    assert not leaked, output


def test_the_console_sender_logs_a_masked_number_and_a_redacted_message(caplog):
    caplog.set_level(logging.INFO, logger="portal.sms")
    sms.ConsoleSmsSender().send(
        REPORTER["phone"], "PORTAL_TIPOFF_ACCEPTED", {"code": format_tracking_code(CODE)}
    )
    assert "139****4321" in caplog.text and "[code]" in caplog.text
    assert REPORTER["phone"] not in caplog.text and CODE[:4] not in caplog.text


def test_the_disabled_sender_sends_nothing_and_logs_neither_number_nor_text(caplog):
    caplog.set_level(logging.INFO, logger="portal.sms")
    sms.DisabledSmsSender().send(REPORTER["phone"], "SMS_1", {"code": "482913"})
    assert "SMS not sent" in caplog.text
    assert "4321" not in caplog.text and "482913" not in caplog.text
