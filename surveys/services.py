"""The only writers of survey data: submissions, drafts, tokens, exclusions, purges.

Each function is keyword-only and runs its writes (and its audit row, where there is one) in one
transaction. See docs/surveys.md for the privacy design these functions implement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal import audit, codes, ratelimit
from portal.privacy import services as privacy
from portal.privacy.models import CollectionPoint
from portal.transitions import (
    Context,
    StateMachine,
    Transition,
    TransitionForbidden,
    TransitionNotAllowed,
    transition,
)
from surveys.models import (
    AbuseSignal,
    Answer,
    Channel,
    Participation,
    QuotaCell,
    Response,
    ResponseDraft,
    Survey,
    SurveyEvent,
    SurveyMargins,
    SurveyToken,
    TokenBatch,
)
from surveys.policies import survey_data_policy
from surveys.questionnaire import (
    CleanedResponse,
    SurveyStructure,
    load_structure,
    structure_problems,
    validate_submission,
)
from surveys.signals import response_completed

TOKEN_LENGTH = 12
MAX_TOKENS_PER_BATCH = 20_000


class SubmissionRefused(Exception):
    """The response cannot be accepted at all (closed, already answered, rate limit, quota)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class SubmissionInvalid(Exception):
    """The input has errors; ``errors`` maps step -> field -> messages."""

    def __init__(self, errors):
        super().__init__("invalid response")
        self.errors = errors


@dataclass
class Respondent:
    """Who is answering, as far as one-response-per-respondent needs to know."""

    mode: str
    user: object | None = None
    token: SurveyToken | None = None
    signal_hash: str = ""
    answered_in_this_browser: bool = False


def today() -> dt.date:
    return timezone.localdate()


# --- Signals (anonymous mode) -------------------------------------------------------------------


def signal_hash_for(*, survey: Survey, ip: str, user_agent: str) -> str:
    """A keyed hash of the network signal: not reversible without the secret key and salt."""
    key = f"{settings.SECRET_KEY}:{survey.signal_salt}".encode()
    message = f"{ip}\n{user_agent[:300]}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# Anonymous submissions per respondent signal and survey: the shared fixed-window limiter.
RATE_WINDOW_SECONDS = 3600


def _rate_scope(survey: Survey) -> str:
    return f"surveys:submit:{survey.pk}"


def rate_limited(*, survey: Survey, signal_hash: str) -> bool:
    return not ratelimit.peek(_rate_scope(survey), signal_hash, limit=survey.anonymous_hourly_limit)


def _count_submission(survey: Survey, signal_hash: str) -> None:
    ratelimit.hit(
        _rate_scope(survey),
        signal_hash,
        limit=survey.anonymous_hourly_limit,
        window=RATE_WINDOW_SECONDS,
    )


def _record_signal(survey: Survey, signal_hash: str, day: dt.date) -> bool:
    """Count the signal for today; return whether it was seen before (any retained day).

    One statement (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, PostgreSQL and SQLite alike)
    counts the day and, on PostgreSQL, also answers whether another retained day has the signal
    (a subquery in ``RETURNING``; it sees the rows as they were before the statement). Elsewhere
    a first sighting today needs a second statement for the other days.
    """
    table = connection.ops.quote_name(AbuseSignal._meta.db_table)
    earlier = (
        f", EXISTS (SELECT 1 FROM {table} AS earlier WHERE earlier.survey_id = %s "  # noqa: S608
        "AND earlier.signal_hash = %s AND earlier.seen_on <> %s)"
        if connection.vendor == "postgresql"
        else ""
    )
    params = [survey.pk, signal_hash, day]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (survey_id, signal_hash, seen_on, count) "  # noqa: S608
            "VALUES (%s, %s, %s, 1) ON CONFLICT (survey_id, signal_hash, seen_on) "
            f"DO UPDATE SET count = {table}.count + 1 RETURNING count{earlier}",
            params + params if earlier else params,
        )
        row = cursor.fetchone()
    if row[0] > 1:
        return True
    if earlier:
        return bool(row[1])
    return (
        AbuseSignal.objects.filter(survey=survey, signal_hash=signal_hash)
        .exclude(seen_on=day)
        .exists()
    )


# --- Quotas ---------------------------------------------------------------------------------


def full_quota_cells(
    *, survey: Survey, subdistrict_id: int, sex: str, age_group: str, lock: bool = False
) -> list[QuotaCell]:
    """The quota cells this respondent falls in that have reached their target."""
    cells = QuotaCell.objects.filter(survey=survey).order_by("pk")
    if lock:
        cells = cells.select_for_update()
    full = []
    for cell in cells:
        if not cell.matches(subdistrict_id=subdistrict_id, sex=sex, age_group=age_group):
            continue
        achieved = Response.objects.filter(survey=survey, excluded=False)
        if cell.subdistrict_id:
            achieved = achieved.filter(subdistrict_id=cell.subdistrict_id)
        if cell.sex:
            achieved = achieved.filter(sex=cell.sex)
        if cell.age_group:
            achieved = achieved.filter(age_group=cell.age_group)
        if achieved.count() >= cell.target:
            full.append(cell)
    return full


def quota_stops(*, survey: Survey, subdistrict_id: int, sex: str, age_group: str) -> bool:
    if survey.quota_policy != Survey.QuotaPolicy.STOP:
        return False
    return bool(
        full_quota_cells(survey=survey, subdistrict_id=subdistrict_id, sex=sex, age_group=age_group)
    )


# --- Submissions ----------------------------------------------------------------------------


def refusal_for_state(survey: Survey) -> SubmissionRefused | None:
    state = survey.state()
    if state == "open":
        return None
    if state == "scheduled":
        return SubmissionRefused("not_open", _("This survey has not opened yet."))
    if state == "draft":
        return SubmissionRefused("not_open", _("This survey is not published."))
    return SubmissionRefused("closed", _("This survey is closed; no more answers are accepted."))


def already_answered(*, survey: Survey, respondent: Respondent) -> bool:
    if respondent.mode == Survey.Mode.ACCOUNT and respondent.user is not None:
        return Participation.objects.filter(survey=survey, user=respondent.user).exists()
    if respondent.mode == Survey.Mode.TOKEN and respondent.token is not None:
        return SurveyToken.objects.filter(pk=respondent.token.pk, used=True).exists()
    return False


def response_submit(
    *,
    survey: Survey,
    structure: SurveyStructure,
    data,
    respondent: Respondent,
    channel: str = Channel.WEB,
) -> Response:
    """Validate and store one web response, enforcing one response per respondent.

    Raises SubmissionRefused or SubmissionInvalid; in either case nothing is written.
    """
    refusal = refusal_for_state(survey)
    if refusal:
        raise refusal
    if respondent.mode != survey.respondent_mode:
        raise SubmissionRefused("mode", _("This survey cannot be answered this way."))
    if respondent.mode == Survey.Mode.ACCOUNT and respondent.user is None:
        raise SubmissionRefused("sign_in", _("Please sign in to answer this survey."))
    if respondent.mode == Survey.Mode.TOKEN and respondent.token is None:
        raise SubmissionRefused("token", _("Please enter your survey code first."))
    if respondent.mode == Survey.Mode.ANONYMOUS and rate_limited(
        survey=survey, signal_hash=respondent.signal_hash
    ):
        raise SubmissionRefused(
            "rate_limited",
            _("Too many responses from this device in the last hour. Please try again later."),
        )
    result = validate_submission(structure, data)
    if not result.is_valid:
        raise SubmissionInvalid(result.errors)
    response = _store(survey=survey, cleaned=result.cleaned, respondent=respondent, channel=channel)
    if respondent.mode == Survey.Mode.ACCOUNT:
        # Only the fact of completion leaves the app: no response, no answers (docs/surveys.md).
        response_completed.send(sender=Survey, survey=survey, user=respondent.user)
    return response


def _store(
    *, survey: Survey, cleaned: CleanedResponse, respondent: Respondent, channel: str
) -> Response:
    day = today()
    already = SubmissionRefused("duplicate", _("You have already answered this survey. Thank you!"))
    with transaction.atomic():
        if survey.quota_policy == Survey.QuotaPolicy.STOP and full_quota_cells(
            survey=survey,
            subdistrict_id=cleaned.subdistrict_id,
            sex=cleaned.sex,
            age_group=cleaned.age_group,
            lock=True,
        ):
            raise SubmissionRefused(
                "quota_full", _("Thank you! We already have enough answers from people like you.")
            )
        duplicate_reason = Response.DuplicateReason.NONE
        if respondent.mode == Survey.Mode.ACCOUNT:
            try:
                with transaction.atomic():
                    Participation.objects.create(
                        survey=survey, user=respondent.user, created_on=day
                    )
            except IntegrityError:
                raise already from None
            # The account-mode notice (portal.privacy): only the participation is linked.
            privacy.record_consent(
                CollectionPoint.SURVEY_ACCOUNT,
                user=respondent.user,
                subject_ref=f"survey:{survey.pk}",
            )
            ResponseDraft.objects.filter(survey=survey, user=respondent.user).delete()
        elif respondent.mode == Survey.Mode.TOKEN:
            claimed = SurveyToken.objects.filter(
                pk=respondent.token.pk, survey=survey, used=False
            ).update(used=True, used_on=day)
            if not claimed:
                raise SubmissionRefused(
                    "duplicate", _("This survey code has already been used. Thank you!")
                )
            ResponseDraft.objects.filter(token=respondent.token).delete()
        else:
            seen = _record_signal(survey, respondent.signal_hash, day)
            # In the same transaction: with the database cache this shares the commit.
            _count_submission(survey, respondent.signal_hash)
            if respondent.answered_in_this_browser:
                duplicate_reason = Response.DuplicateReason.SAME_BROWSER
            elif seen:
                duplicate_reason = Response.DuplicateReason.SAME_SIGNAL
        response = Response.objects.create(
            survey=survey,
            channel=channel,
            subdistrict_id=cleaned.subdistrict_id,
            sex=cleaned.sex,
            age_group=cleaned.age_group,
            submitted_on=day,
            duplicate_reason=duplicate_reason,
        )
        _insert_answers(response, cleaned)
    return response


def _insert_answers(response: Response, cleaned: CleanedResponse) -> None:
    """All answers of a response in one ``INSERT``.

    On PostgreSQL the values go straight into ``INSERT … SELECT FROM UNNEST(arrays)`` (the
    statement Django's ``bulk_create`` would send) without building an ``Answer`` instance per
    answer first, which was a fifth of a submission's CPU time (docs/performance.md).
    """
    if connection.vendor != "postgresql":
        Answer.objects.bulk_create(answer_rows(response, cleaned))
        return
    answers = cleaned.answers
    if not answers:
        return
    meta = Answer._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("response", "question", "row", "choice", "number", "text")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            "SELECT * FROM UNNEST(%s::uuid[], %s::bigint[], %s::bigint[], %s::bigint[], "
            "%s::numeric[], %s::text[])",
            [
                [response.pk] * len(answers),
                [a.question_id for a in answers],
                [a.row_id for a in answers],
                [a.choice_id for a in answers],
                [a.number for a in answers],
                [a.text for a in answers],
            ],
        )


def answer_rows(response: Response, cleaned: CleanedResponse) -> list[Answer]:
    return [
        Answer(
            response=response,
            question_id=value.question_id,
            row_id=value.row_id,
            choice_id=value.choice_id,
            number=value.number,
            text=value.text,
        )
        for value in cleaned.answers
    ]


# --- Drafts (save and resume) -----------------------------------------------------------------


def draft_get(*, survey: Survey, respondent: Respondent) -> ResponseDraft | None:
    if respondent.mode == Survey.Mode.ACCOUNT and respondent.user is not None:
        return ResponseDraft.objects.filter(survey=survey, user=respondent.user).first()
    if respondent.mode == Survey.Mode.TOKEN and respondent.token is not None:
        return ResponseDraft.objects.filter(token=respondent.token).first()
    return None


def draft_save(*, survey: Survey, respondent: Respondent, data: dict, page: int) -> ResponseDraft:
    if respondent.mode == Survey.Mode.ACCOUNT:
        lookup = {"survey": survey, "user": respondent.user}
    elif respondent.mode == Survey.Mode.TOKEN:
        lookup = {"survey": survey, "token": respondent.token}
    else:
        raise ValueError("anonymous respondents keep their progress in the session")
    draft, _created = ResponseDraft.objects.update_or_create(
        **lookup, defaults={"data": data, "page": page}
    )
    return draft


# --- Tokens ---------------------------------------------------------------------------------


def normalise_token(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def hash_token(raw: str) -> str:
    return hashlib.sha256(normalise_token(raw).encode()).hexdigest()


def format_token(token: str) -> str:
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def token_resolve(*, survey: Survey, raw: str) -> SurveyToken | None:
    if len(normalise_token(raw)) != TOKEN_LENGTH:
        return None
    return SurveyToken.objects.filter(survey=survey, token_hash=hash_token(raw)).first()


def token_batch_create(
    *, survey: Survey, label: str, size: int, actor
) -> tuple[TokenBatch, list[str]]:
    """Generate ``size`` single-use tokens. The plain tokens are returned once and not stored."""
    if not 1 <= size <= MAX_TOKENS_PER_BATCH:
        raise ValueError(f"size must be between 1 and {MAX_TOKENS_PER_BATCH}")
    plain = set()
    while len(plain) < size:
        plain.add(codes.random_code(TOKEN_LENGTH))
    tokens = sorted(plain)
    with transaction.atomic():
        batch = TokenBatch.objects.create(survey=survey, label=label, size=size, created_by=actor)
        SurveyToken.objects.bulk_create(
            [SurveyToken(survey=survey, batch=batch, token_hash=hash_token(t)) for t in tokens],
            batch_size=1000,
        )
        SurveyEvent.objects.create(
            survey=survey,
            kind=SurveyEvent.Kind.TOKENS_GENERATED,
            actor=actor,
            detail=f"{label}: {size}",
        )
    return batch, [format_token(t) for t in tokens]


# --- Review and retention ---------------------------------------------------------------------


def response_set_excluded(*, response: Response, excluded: bool, actor) -> Response:
    with transaction.atomic():
        Response.objects.filter(pk=response.pk).update(excluded=excluded)
        response.excluded = excluded
        SurveyEvent.objects.create(
            survey_id=response.survey_id,
            kind=SurveyEvent.Kind.EXCLUDED if excluded else SurveyEvent.Kind.INCLUDED,
            actor=actor,
            detail=str(response.pk),
        )
    return response


def retention_days() -> int:
    return settings.SURVEYS_SIGNAL_RETENTION_DAYS


def signals_purge(*, on: dt.date | None = None, days: int | None = None) -> dict[str, int]:
    """Delete abuse signals older than the retention period, and drafts of closed surveys.

    Returns the number of rows deleted per table.
    """
    on = on or today()
    days = retention_days() if days is None else days
    cutoff = on - dt.timedelta(days=days)
    # Through the one retention escape hatch, so each run is recorded (portal.RetentionPurgeRun).
    with audit.retention_purge(reason="survey_purge") as run:
        signals, _detail = AbuseSignal.objects.filter(seen_on__lt=cutoff).delete()
        closed = [
            s.pk
            for s in Survey.objects.exclude(status=Survey.Status.DRAFT)
            if s.state() == "closed"
        ]
        drafts, _detail = ResponseDraft.objects.filter(survey_id__in=closed).delete()
        run.add("surveys.abusesignal", signals)
        run.add("surveys.responsedraft", drafts)
    return {"signals": signals, "drafts": drafts}


# --- population margins -------------------------------------------------------------------


def margins_store(
    *,
    survey,
    margins,
    label: str,
    source_note: str = "",
    illustrative: bool = False,
    filename: str = "",
    actor=None,
):
    """Store validated margins as the survey's current margins (earlier uploads are kept).

    The one writer of ``SurveyMargins`` (a test scans the code for others); ``margins`` is a
    ``surveys.margins.PopulationMargins`` already validated against the questionnaire."""
    with transaction.atomic():
        return _margins_store(
            survey=survey,
            margins=margins,
            label=label,
            source_note=source_note,
            illustrative=illustrative,
            filename=filename,
            actor=actor,
        )


def _margins_store(*, survey, margins, label, source_note, illustrative, filename, actor):
    record = SurveyMargins.objects.create(
        survey=survey,
        label=label,
        source_note=source_note,
        illustrative=illustrative,
        rows=[[v, c, x] for v, c, x in margins.rows()],
        filename=filename,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    SurveyEvent.objects.create(
        survey=survey,
        kind=SurveyEvent.Kind.MARGINS,
        actor=record.uploaded_by,
        detail=f"margins: {label}"[:500],
    )
    return record


# --- Opening and closing a survey (the SURVEYS state machine) ----------------------------------


def _may_run_fieldwork(actor, survey: Survey) -> bool:
    """Opening, closing and withdrawing are fieldwork decisions (``manage_fieldwork``)."""
    return actor is not None and survey_data_policy.user_has_permission(actor, "manage_fieldwork")


def _may_close(actor, survey: Survey) -> bool:
    """The fieldwork manager, or the system (``actor=None``: ``survey_close_due`` once the
    closing time has passed)."""
    return actor is None or _may_run_fieldwork(actor, survey)


def _check_structure(ctx: Context) -> None:
    """A survey opens only with a complete questionnaire (checked on the locked row)."""
    problems = structure_problems(load_structure(ctx.obj))
    if problems:
        raise TransitionNotAllowed(
            _("The survey cannot open until this is fixed: %(p)s") % {"p": "; ".join(problems)},
            code="structure",
        )


def _survey_event(ctx: Context, kind: str) -> SurveyEvent:
    return SurveyEvent.objects.create(
        survey=ctx.obj,
        kind=kind,
        actor=ctx.actor,
        detail=ctx.data.get("detail", "")[:500],
    )


def _survey_forbidden(ctx: Context) -> TransitionForbidden:
    return TransitionForbidden(_("Only fieldwork managers may open or close a survey."))


SURVEYS = StateMachine(
    "surveys",
    model=Survey,
    state_field="status",
    write_event=_survey_event,
    forbidden=_survey_forbidden,
    transitions=[
        Transition(
            "open",
            (Survey.Status.DRAFT,),
            Survey.Status.OPEN,
            policy=_may_run_fieldwork,
            event=SurveyEvent.Kind.OPENED,
            apply=_check_structure,
            label=pgettext_lazy("survey action", "open"),
        ),
        Transition(
            "reopen",
            (Survey.Status.CLOSED,),
            Survey.Status.OPEN,
            policy=_may_run_fieldwork,
            event=SurveyEvent.Kind.OPENED,
            apply=_check_structure,
            label=pgettext_lazy("survey action", "reopen"),
        ),
        Transition(
            "close",
            (Survey.Status.OPEN,),
            Survey.Status.CLOSED,
            policy=_may_close,
            event=SurveyEvent.Kind.CLOSED,
            label=pgettext_lazy("survey action", "close"),
        ),
        Transition(
            "withdraw",
            (Survey.Status.OPEN,),
            Survey.Status.DRAFT,
            policy=_may_run_fieldwork,
            event=SurveyEvent.Kind.WITHDRAWN,
            label=pgettext_lazy("survey action", "set back to draft"),
        ),
    ],
)

#: Which action moves a survey from one status to another (the edit form's status field).
SURVEY_ACTIONS = {
    (Survey.Status.DRAFT, Survey.Status.OPEN): "open",
    (Survey.Status.CLOSED, Survey.Status.OPEN): "reopen",
    (Survey.Status.OPEN, Survey.Status.CLOSED): "close",
    (Survey.Status.OPEN, Survey.Status.DRAFT): "withdraw",
}


def survey_open(*, survey: Survey, actor, now: dt.datetime | None = None) -> Survey:
    """Open a draft (or reopen a closed) survey; its questionnaire must be complete."""
    action = "reopen" if survey.status == Survey.Status.CLOSED else "open"
    return transition(SURVEYS, survey, action, actor=actor, now=now).obj


def survey_close(
    *, survey: Survey, actor, now: dt.datetime | None = None, detail: str = ""
) -> Survey:
    """Close an open survey (``actor=None``: the system, when the closing time has passed)."""
    return transition(SURVEYS, survey, "close", actor=actor, now=now, detail=detail).obj


def survey_withdraw(
    *, survey: Survey, actor, now: dt.datetime | None = None, detail: str = ""
) -> Survey:
    """Set an open survey back to draft (e.g. its questionnaire was broken by an edit)."""
    return transition(SURVEYS, survey, "withdraw", actor=actor, now=now, detail=detail).obj


def survey_set_status(
    *, survey: Survey, status: str, actor, now: dt.datetime | None = None
) -> Survey:
    """Move ``survey`` to ``status`` through the machine (the edit form's status field); a move
    no transition allows is refused with a translated ``TransitionNotAllowed``."""
    if status == survey.status:
        return survey
    action = SURVEY_ACTIONS.get((survey.status, status))
    if action is None:
        raise TransitionNotAllowed(
            _("A survey cannot go from “%(old)s” to “%(new)s”.")
            % {
                "old": Survey.Status(survey.status).label,
                "new": Survey.Status(status).label,
            },
            code="invalid_transition",
        )
    return transition(SURVEYS, survey, action, actor=actor, now=now).obj


def surveys_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every open survey whose closing time has passed, one transition each, by the
    system; returns how many were closed. Run by ``survey_close_due`` (hourly)."""
    now = now or timezone.now()
    closed = 0
    due = Survey.objects.filter(status=Survey.Status.OPEN, closes_at__lte=now)
    for survey in due.only("pk", "status"):
        try:
            transition(
                SURVEYS, survey, "close", actor=None, now=now, detail=_("Closing time passed.")
            )
        except TransitionNotAllowed:  # closed by someone else in the meantime
            continue
        closed += 1
    return closed
