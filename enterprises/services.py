"""The only writers of enterprise disclosure rows: filing, corrections, imports, temporary
reports, monitoring data, API tokens and reminders.

Report states move through one table (``REPORTS``, run by ``portal.transitions``): a draft is
submitted and frozen as version 1; a correction opens the draft again and its submission, with a
reason, freezes the next version. Nothing is ever edited in a version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter, log

from enterprises import deadlines, notifications, report_format, values
from enterprises.models import (
    AnnualReport,
    ApiToken,
    Enterprise,
    LegalDocument,
    MonitoringResult,
    Outlet,
    ReminderSent,
    ReportAttachment,
    ReportVersion,
    TemporaryReport,
)
from enterprises.policies import enterprise_policy
from portal import transitions
from portal.storage import delete_quietly
from portal.transitions import Context, StateMachine, Transition
from portal.uploads import file_sha256, validate_document_file

Status = AnnualReport.Status


class ReportError(transitions.TransitionNotAllowed):
    """A report step the state or the input does not allow (translated message)."""


class ReportForbidden(transitions.TransitionForbidden):
    """The actor may not file or import this enterprise's report."""


def can_file(user, enterprise: Enterprise) -> bool:
    return enterprise_policy.user_has_permission_for_instance(user, "file", enterprise)


def can_supervise(user) -> bool:
    return enterprise_policy.user_has_permission(user, "supervise")


# --- Annual reports: the state table ---------------------------------------------------------


def _files(actor, report) -> bool:
    return can_file(actor, report.enterprise)


def _supervises(actor, report) -> bool:
    return can_supervise(actor)


def _freeze(ctx: Context) -> None:
    """Freeze the checked content as the next version (``ctx.data``: content, reason, source)."""
    report = ctx.obj
    content = ctx.data["content"]
    number = (report.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    reason = (ctx.data.get("reason") or "").strip()
    if number > 1 and not reason:
        raise ReportError(_("Give the reason for the correction."), code="reason_required")
    filed_on = timezone.localdate(ctx.now)
    if "attachments" in ctx.data:  # an import brings its own (none): the draft's files stay
        attachments = ctx.data["attachments"]
    else:
        attachments = [a.frozen() for a in report.attachments.filter(in_draft=True)]
    ctx.result = ReportVersion.objects.create(
        report=report,
        number=number,
        content=content,
        attachments=attachments,
        fingerprint=report_format.fingerprint(content, attachments),
        reason=reason,
        source=ctx.data.get("source", ReportVersion.Source.PORTAL),
        submitted_at=ctx.now,
        submitted_by=ctx.actor,
        is_late=number == 1
        and deadlines.is_late(due_on=deadlines.annual_due(report.year), filed_on=filed_on),
    )
    report.draft = content


def _already_submitted() -> ReportError:
    """A submitted report is frozen: drafts, files and submissions wait for a correction."""
    return ReportError(
        _(
            "This report has already been submitted and is frozen. To change it, start a "
            "correction: it becomes a new version with a reason."
        ),
        code="already_submitted",
    )


def _not_allowed(ctx: Context) -> Exception:
    if (
        ctx.transition.name in ("submit", "submit_correction")
        and ctx.from_state == Status.SUBMITTED
    ):
        return _already_submitted()
    return ReportError(
        _("This step (%(action)s) is not possible in the state “%(state)s”.")
        % {"action": ctx.transition.label, "state": ctx.obj.get_status_display()},
        code="invalid_transition",
    )


def _restore_latest(ctx: Context) -> None:
    """Cancelling a correction puts back the latest version's text and files."""
    latest = ctx.obj.versions_newest_first().first()
    ctx.obj.draft = latest.content
    _draft_files_as(ctx.obj, latest.attachments)


def _forbidden(ctx: Context) -> Exception:
    return ReportForbidden(_("You may not file or change this enterprise's reports."))


REPORTS = StateMachine(
    "enterprise annual reports",
    model=AnnualReport,
    state_field="status",
    transitions=[
        Transition(
            "submit",
            (Status.DRAFT,),
            Status.SUBMITTED,
            policy=_files,
            apply=_freeze,
            notify=lambda ctx: notifications.report_submitted(ctx.obj, ctx.result),
            label=gettext_lazy("Submit"),
        ),
        Transition(
            "open_correction",
            (Status.SUBMITTED,),
            Status.CORRECTING,
            policy=_files,
            label=gettext_lazy("Start a correction"),
        ),
        Transition(
            "submit_correction",
            (Status.CORRECTING,),
            Status.SUBMITTED,
            policy=_files,
            apply=_freeze,
            notify=lambda ctx: notifications.report_submitted(ctx.obj, ctx.result),
            label=gettext_lazy("Submit the correction"),
        ),
        Transition(
            "cancel_correction",
            (Status.CORRECTING,),
            Status.SUBMITTED,
            policy=_files,
            apply=_restore_latest,
            label=gettext_lazy("Cancel the correction"),
        ),
        Transition(
            "import",
            (Status.DRAFT, Status.CORRECTING, Status.SUBMITTED),
            Status.SUBMITTED,
            policy=_supervises,
            apply=_freeze,
            label=gettext_lazy("Import"),
        ),
    ],
    not_allowed=_not_allowed,
    forbidden=_forbidden,
)


def annual_report_for(enterprise: Enterprise, year: int) -> AnnualReport:
    """The report on ``year`` (created as an empty draft): full for a listed enterprise, carbon
    only for an enterprise not on that year's list (voluntary carbon disclosure)."""
    scope = AnnualReport.Scope.FULL if enterprise.is_listed(year) else AnnualReport.Scope.CARBON
    report, _created = AnnualReport.objects.get_or_create(
        enterprise=enterprise, year=year, defaults={"scope": scope}
    )
    return report


def report_save_draft(*, report: AnnualReport, content: dict, user) -> AnnualReport:
    """Keep the filer's work (checked as far as it goes: units, numbers; required parts wait)."""
    if not can_file(user, report.enterprise):
        raise ReportForbidden(_("You may not file or change this enterprise's reports."))
    clean = report_format.clean_content(
        content, carbon_only=report.carbon_only, extras=report.extra_parts
    )
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == Status.SUBMITTED:
            raise _already_submitted()
        locked.draft = clean
        locked.save(update_fields=["draft", "updated_at"])
    return locked


def report_submit(
    *, report: AnnualReport, content: dict, user, reason: str = "", now=None
) -> ReportVersion:
    """Save and submit in one step: the content is checked in full first (ContentErrors), then the
    draft is frozen as the next version. A second submission is refused (ReportError)."""
    clean = report_format.clean_content(
        content, carbon_only=report.carbon_only, final=True, extras=report.extra_parts
    )
    action = "submit_correction" if report.status == Status.CORRECTING else "submit"
    ctx = transitions.transition(
        REPORTS, report, action, actor=user, now=now, content=clean, reason=reason
    )
    return ctx.result


def report_open_correction(*, report: AnnualReport, user) -> AnnualReport:
    return transitions.transition(REPORTS, report, "open_correction", actor=user).obj


def report_cancel_correction(*, report: AnnualReport, user) -> AnnualReport:
    return transitions.transition(REPORTS, report, "cancel_correction", actor=user).obj


def report_import(
    *, enterprise: Enterprise, year: int, content: dict, user, reason: str = "", now=None
) -> ReportVersion:
    """The bureau files a report received elsewhere (XLSX in the format's tables)."""
    report = annual_report_for(enterprise, year)
    clean = report_format.clean_content(
        content, carbon_only=report.carbon_only, final=True, extras=report.extra_parts
    )
    ctx = transitions.transition(
        REPORTS,
        report,
        "import",
        actor=user,
        now=now,
        content=clean,
        reason=reason,
        source=ReportVersion.Source.IMPORT,
        attachments=[],
    )
    return ctx.result


# --- Temporary reports ------------------------------------------------------------------------


def temporary_report_file(
    *,
    enterprise: Enterprise,
    user,
    document_kind: str,
    document_number: str,
    issued_by: str,
    received_on: dt.date,
    content: str,
    uploads: list[tuple] = (),
    now=None,
) -> TemporaryReport:
    """File a temporary report, with its documents (``uploads``: (file, title) pairs). After its
    5-working-day deadline it is accepted and marked late.

    When the bureau registered the document (``LegalDocument``, same number), the report is tied
    to it and the bureau's record decides the kind, issuer and day of service: a different
    receipt date is refused, so the deadline cannot be moved by the filer.
    """
    if not can_file(user, enterprise):
        raise ReportForbidden(_("You may not file or change this enterprise's reports."))
    now = now or timezone.now()
    today = timezone.localdate(now)
    document_number = document_number.strip()
    registered = LegalDocument.objects.filter(
        enterprise=enterprise, document_number=document_number, withdrawn_at__isnull=True
    ).first()
    if registered is not None:
        if received_on != registered.served_on:
            raise ValidationError(
                {
                    "received_on": _(
                        "The bureau recorded this document as served on %(date)s; the deadline "
                        "runs from that day. Enter that date, or contact the bureau if it is wrong."
                    )
                    % {"date": registered.served_on.isoformat()}
                }
            )
        document_kind, issued_by = registered.document_kind, registered.issued_by
    if received_on > today:
        raise ValidationError({"received_on": _("The document cannot be received in the future.")})
    if document_kind not in dict(values.DOCUMENT_KINDS):
        raise ValidationError({"document_kind": _("Choose the kind of document.")})
    files = check_uploads(uploads, already=0)
    due_on = registered.due_on if registered is not None else deadlines.temporary_due(received_on)
    frozen = [{"title": t, "filename": f.name, "sha256": h} for f, t, h, _size in files]
    report = TemporaryReport(
        enterprise=enterprise,
        document_kind=document_kind,
        document_number=document_number,
        issued_by=issued_by.strip(),
        received_on=received_on,
        due_on=due_on,
        content=content.strip(),
        submitted_at=now,
        submitted_by=user,
        is_late=deadlines.is_late(due_on=due_on, filed_on=today),
        legal_document=registered,
        fingerprint=report_format.temporary_fingerprint(
            document_kind=document_kind,
            document_number=document_number,
            issued_by=issued_by.strip(),
            received_on=received_on,
            content=content.strip(),
            attachments=frozen,
        ),
    )
    report.full_clean(validate_constraints=False)  # the duplicate gets its own message below
    stored: list[str] = []
    try:
        with transaction.atomic():
            report.save()
            for upload, title, digest, size in files:
                stored.append(
                    _store(
                        enterprise, upload, title, digest, size, user, temporary_report=report
                    ).file.name
                )
    except IntegrityError:
        delete_quietly(ReportAttachment.file.field.storage, stored)
        raise ValidationError(
            {"document_number": _("A temporary report on this document has already been filed.")}
        ) from None
    except Exception:
        delete_quietly(ReportAttachment.file.field.storage, stored)
        raise
    return report


# --- Attachments ------------------------------------------------------------------------------


def check_uploads(uploads, *, already: int) -> list[tuple]:
    """Check every upload before anything is stored: a PDF or Office document (by its first
    bytes), within the size limit, at most ``ENTERPRISES_ATTACHMENTS_PER_REPORT`` files with
    ``already`` on the report. Returns (file, title, sha256, size); ValidationError on "file"."""
    uploads = [(f, t) for f, t in uploads if f]
    limit = settings.ENTERPRISES_ATTACHMENTS_PER_REPORT
    if already + len(uploads) > limit:
        raise ValidationError(
            {"attachments": _("A report takes at most %(n)s attached files.") % {"n": limit}}
        )
    checked, problems = [], []
    for upload, title in uploads:
        try:
            validate_document_file(upload, max_bytes=settings.ENTERPRISES_ATTACHMENT_MAX_BYTES)
        except ValidationError as exc:
            problems.append(f"{upload.name}: {exc.messages[0]}")
            continue
        digest = file_sha256(upload)
        name = (upload.name or "").rsplit("/", 1)[-1][:255]
        upload.name = name
        clean_title = (title or "").strip()[:200] or name.rsplit(".", 1)[0]
        checked.append((upload, clean_title, digest, upload.size))
    if problems:
        raise ValidationError({"attachments": problems})
    return checked


def _store(enterprise, upload, title, digest, size, user, **owner) -> ReportAttachment:
    attachment = ReportAttachment(
        enterprise=enterprise,
        title=title,
        filename=upload.name,
        sha256=digest,
        size=size,
        uploaded_by=user,
        **owner,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


def _draft_files_as(report: AnnualReport, frozen: list[dict]) -> None:
    keep = {a["id"] for a in frozen}
    report.attachments.exclude(pk__in=keep).update(in_draft=False)
    report.attachments.filter(pk__in=keep).update(in_draft=True)
    _delete_unused(report)


def _delete_unused(report: AnnualReport) -> None:
    """Files out of the draft that no version names are deleted (row and file)."""
    named = {a["id"] for v in report.versions.all() for a in v.attachments}
    unused = list(report.attachments.filter(in_draft=False).exclude(pk__in=named))
    names = [a.file.name for a in unused]
    ReportAttachment.objects.filter(pk__in=[a.pk for a in unused]).delete()
    transaction.on_commit(lambda: delete_quietly(ReportAttachment.file.field.storage, names))


def report_update_attachments(
    *, report: AnnualReport, user, uploads: list[tuple] = (), remove: list[int] = ()
) -> list[ReportAttachment]:
    """Add documents to a report's draft and take others out of it; all uploads are checked
    first (nothing is stored if one fails). A submitted report's files are frozen: start a
    correction. A file a version names stays stored (the version keeps it); others are deleted."""
    if not can_file(user, report.enterprise):
        raise ReportForbidden(_("You may not file or change this enterprise's reports."))
    if not uploads and not remove:
        return []
    if AnnualReport.objects.filter(pk=report.pk, status=Status.SUBMITTED).exists():
        raise _already_submitted()
    remaining = report.attachments.filter(in_draft=True).exclude(pk__in=list(remove)).count()
    files = check_uploads(uploads, already=remaining)
    stored: list[str] = []
    added = []
    try:
        with transaction.atomic():
            if (
                AnnualReport.objects.select_for_update().get(pk=report.pk).status
                == Status.SUBMITTED
            ):
                raise _already_submitted()
            report.attachments.filter(pk__in=list(remove)).update(in_draft=False)
            for upload, title, digest, size in files:
                attachment = _store(
                    report.enterprise, upload, title, digest, size, user, report=report
                )
                stored.append(attachment.file.name)
                added.append(attachment)
            _delete_unused(report)
    except Exception:
        delete_quietly(ReportAttachment.file.field.storage, stored)
        raise
    return added


def attachment_is_public(attachment: ReportAttachment) -> bool:
    """Public once a filed temporary report or a submitted version of a published enterprise's
    annual report names it; until then only the enterprise's filers and the bureau see it."""
    if not attachment.enterprise.is_published:
        return False
    if attachment.temporary_report_id:
        return True
    return any(
        a.get("id") == attachment.pk
        for attachments in attachment.report.versions.values_list("attachments", flat=True)
        for a in attachments
    )


def can_read_attachment(user, attachment: ReportAttachment) -> bool:
    return (
        attachment_is_public(attachment)
        or can_file(user, attachment.enterprise)
        or can_supervise(user)
    )


# --- Legal documents the bureau registers ---------------------------------------------------


def legal_document_register(
    *,
    enterprise: Enterprise,
    user,
    document_kind: str,
    document_number: str,
    issued_by: str,
    served_on: dt.date,
    note: str = "",
    now=None,
) -> LegalDocument:
    """The bureau records a legal document served on an enterprise: the temporary report on it is
    due on the 5th working day after ``served_on`` whether or not the enterprise files, and the
    enterprise's accounts are told. A report already filed on the same number is tied to it (its
    deadline then runs from the bureau's day of service)."""
    if not can_supervise(user):
        raise ReportForbidden(_("You may not register legal documents."))
    now = now or timezone.now()
    if served_on > timezone.localdate(now):
        raise ValidationError({"served_on": _("The document cannot be served in the future.")})
    document = LegalDocument(
        enterprise=enterprise,
        document_kind=document_kind,
        document_number=document_number.strip(),
        issued_by=issued_by.strip(),
        served_on=served_on,
        due_on=deadlines.temporary_due(served_on),
        note=note.strip(),
        registered_by=user,
    )
    document.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            document.save()
            filed = (
                TemporaryReport.objects.select_for_update()
                .filter(enterprise=enterprise, document_number=document.document_number)
                .first()
            )
            if filed is not None:
                filed.legal_document = document
                filed.due_on = document.due_on
                filed.is_late = deadlines.is_late(
                    due_on=document.due_on, filed_on=timezone.localdate(filed.submitted_at)
                )
                filed.save(update_fields=["legal_document", "due_on", "is_late"])
            else:
                transaction.on_commit(lambda: notifications.document_registered(document))
    except IntegrityError:
        raise ValidationError(
            {"document_number": _("This document is already registered for this enterprise.")}
        ) from None
    return document


def legal_document_withdraw(*, document: LegalDocument, user, reason: str) -> LegalDocument:
    """Withdraw a registration made in error (with a reason); one a report answers cannot be."""
    if not can_supervise(user):
        raise ReportForbidden(_("You may not register legal documents."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing the registration.")})
    with transaction.atomic():
        locked = LegalDocument.objects.select_for_update().get(pk=document.pk)
        if TemporaryReport.objects.filter(legal_document=locked).exists():
            raise ValidationError(
                _("A temporary report answers this document; it cannot be withdrawn.")
            )
        if locked.withdrawn_at is None:
            locked.withdrawn_at = timezone.now()
            locked.withdrawn_reason = reason
            locked.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    return locked


# --- Monitoring data --------------------------------------------------------------------------


class MonitoringErrors(Exception):
    """``errors``: (row number, column, message); nothing was saved."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


MONITORING_COLUMNS = ("outlet", "pollutant", "measured_at", "value", "unit", "method")


def _parse_time(raw) -> dt.datetime | None:
    if isinstance(raw, dt.datetime):
        value = raw
    else:
        try:
            value = dt.datetime.fromisoformat(str(raw or "").strip())
        except ValueError:
            return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def monitoring_record(
    *, enterprise: Enterprise, rows: list[dict], source: str, now=None
) -> list[MonitoringResult]:
    """Check every row, then save them all, or none (MonitoringErrors with row and column).

    Each row: outlet code (of this enterprise), pollutant code (with a limit at that outlet), time
    (ISO 8601), value (≥ 0), unit (the pollutant's), method (automatic or manual). The limit is
    copied from the outlet and the exceedance flag computed, whatever the sender says.
    """
    now = now or timezone.now()
    outlets = {
        o.code: o for o in Outlet.objects.filter(enterprise=enterprise).prefetch_related("limits")
    }
    errors: list[tuple[int, str, str]] = []
    results: list[MonitoringResult] = []
    seen = set()
    for number, row in enumerate(rows, start=1):
        row_errors = len(errors)
        code = str(row.get("outlet") or "").strip()
        outlet = outlets.get(code)
        if outlet is None:
            errors.append(
                (
                    number,
                    "outlet",
                    _("Unknown outlet “%(code)s” for this enterprise.") % {"code": code},
                )
            )
        pollutant = str(row.get("pollutant") or "").strip().lower()
        limit = None
        if pollutant not in values.POLLUTANTS:
            errors.append(
                (number, "pollutant", _("Unknown pollutant “%(code)s”.") % {"code": pollutant})
            )
        elif outlet is not None:
            limit = next((lim for lim in outlet.limits.all() if lim.pollutant == pollutant), None)
            if limit is None:
                errors.append(
                    (
                        number,
                        "pollutant",
                        _("Outlet %(outlet)s has no limit for %(pollutant)s.")
                        % {"outlet": code, "pollutant": values.pollutant_label(pollutant)},
                    )
                )
        measured_at = _parse_time(row.get("measured_at"))
        if measured_at is None:
            errors.append(
                (number, "measured_at", _("Give the time as YYYY-MM-DDTHH:MM (ISO 8601)."))
            )
        elif measured_at > now + dt.timedelta(minutes=5):
            errors.append((number, "measured_at", _("The time is in the future.")))
        unit = str(row.get("unit") or "").strip()
        expected_unit = values.pollutant_unit(pollutant)
        if not unit:
            errors.append((number, "unit", _("Give the unit.")))
        elif expected_unit and unit != expected_unit:
            errors.append(
                (
                    number,
                    "unit",
                    _("Wrong unit “%(unit)s”: %(pollutant)s is reported in %(expected)s.")
                    % {
                        "unit": unit,
                        "pollutant": values.pollutant_label(pollutant),
                        "expected": expected_unit,
                    },
                )
            )
        try:
            value = Decimal(str(row.get("value")).strip())
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError, TypeError):
            value = None
            errors.append((number, "value", _("The value is not a number.")))
        if value is not None and value < 0:
            errors.append((number, "value", _("A measured value cannot be negative.")))
        if value is not None and pollutant == "ph" and value > 14:
            errors.append((number, "value", _("A pH value lies between 0 and 14.")))
        method = str(row.get("method") or "automatic").strip()
        if method not in dict(values.MONITORING_METHODS):
            errors.append((number, "method", _("The method is automatic or manual.")))
        if len(errors) > row_errors:
            continue
        key = (outlet.pk, pollutant, measured_at)
        if (
            key in seen
            or MonitoringResult.objects.filter(
                outlet=outlet, pollutant=pollutant, measured_at=measured_at
            ).exists()
        ):
            errors.append((number, "measured_at", _("A value for this time is already recorded.")))
            continue
        seen.add(key)
        exceeded = (
            not (Decimal(6) <= value <= Decimal(9)) if pollutant == "ph" else value > limit.limit
        )
        results.append(
            MonitoringResult(
                outlet=outlet,
                pollutant=pollutant,
                measured_at=measured_at,
                value=value,
                unit=unit,
                limit=limit.limit,
                exceeded=exceeded,
                method=method,
                source=source,
            )
        )
    if errors:
        raise MonitoringErrors(errors)
    with transaction.atomic():
        MonitoringResult.objects.bulk_create(results)
    return results


# --- API tokens -------------------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_create(*, enterprise: Enterprise, label: str, user) -> tuple[ApiToken, str]:
    """A new token for ``enterprise``; the raw value is returned once and never stored."""
    if not (can_file(user, enterprise) or can_supervise(user)):
        raise ReportForbidden(_("You may not manage this enterprise's tokens."))
    raw = "ent_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        enterprise=enterprise,
        label=(label or "").strip()[:64] or _("Monitoring system"),
        prefix=raw[:8],
        token_hash=_hash(raw),
        created_by=user,
    )
    return token, raw


#: The Wagtail log action of a revocation (on the enterprise: its history shows who revoked).
LOG_TOKEN_REVOKE = "enterprises.token_revoke"  # noqa: S105 (a log action name)


class TokenRevokeFormatter(LogFormatter):
    label = gettext_lazy("Revoke monitoring API token")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Monitoring API token %(prefix)s… (%(label)s) revoked") % {
            "prefix": data.get("prefix", ""),
            "label": data.get("label", ""),
        }


def token_revoke(*, token: ApiToken, user) -> bool:
    """Revoke a token (its enterprise's filers, or the bureau); logged on the enterprise.
    Returns False when it was already revoked."""
    if not (can_file(user, token.enterprise) or can_supervise(user)):
        raise ReportForbidden(_("You may not manage this enterprise's tokens."))
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            log(
                token.enterprise,
                LOG_TOKEN_REVOKE,
                user=user,
                data={"prefix": token.prefix, "label": token.label},
            )
    return bool(revoked)


def token_authenticate(raw: str) -> ApiToken | None:
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("enterprise")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


# --- Reminders --------------------------------------------------------------------------------


def reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the accounts of listed enterprises whose annual report is due soon or late, and of
    enterprises that have not filed the temporary report on a registered document in time.

    Looks at the report covering the year before ``today`` (due 15 March this year); each report
    gets at most one "due soon" and one "late" reminder (``ReminderSent``). Returns the count.
    """
    today = today or timezone.localdate()
    year = today.year - 1
    due_on = deadlines.annual_due(year)
    sent = 0
    for enterprise in Enterprise.objects.listed_in(year):
        report = annual_report_for(enterprise, year)
        first = report.versions.order_by("number").first()
        state = deadlines.clock_state(
            due_on=due_on,
            filed_on=timezone.localdate(first.submitted_at) if first else None,
            today=today,
        )
        kind = {"due_soon": "due_soon", "missing": "late"}.get(state)
        if kind is None:
            continue
        with transaction.atomic():
            _reminder, created = ReminderSent.objects.get_or_create(report=report, kind=kind)
            if created:
                notifications.report_reminder(report, kind=kind, due_on=due_on)
                sent += 1
    overdue = LegalDocument.objects.filter(
        withdrawn_at__isnull=True,
        temporary_report__isnull=True,
        late_reminded_at__isnull=True,
        due_on__lt=today,
    )
    for document in overdue.select_related("enterprise"):
        with transaction.atomic():
            if LegalDocument.objects.filter(pk=document.pk, late_reminded_at__isnull=True).update(
                late_reminded_at=timezone.now()
            ):
                notifications.temporary_late(document)
                sent += 1
    return sent
