"""Answering a survey on the web: landing, steps with save/resume, token entry, thank-you page.

Views are thin: they find the respondent and their saved progress, then call
``surveys.questionnaire`` to build and validate forms and ``surveys.services`` to write.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal import ratelimit
from surveys import selectors, services
from surveys.models import Survey, age_group_for
from surveys.questionnaire import (
    as_multivalue,
    build_step_form,
    build_structure_from_instance,
    chosen_before,
    is_visible,
    load_structure,
    step_data,
    structure_problems,
)
from surveys.services import Respondent, SubmissionInvalid, SubmissionRefused

BROWSER_COOKIE = "surveys_answered"
REFUSAL_STATUS = {"rate_limited": 429, "duplicate": 409, "quota_full": 200}
# One answer for an unknown code, a used code and a code for another survey: the page must not
# tell a guesser which codes exist.
CODE_REFUSED = gettext_lazy(
    "This survey code is not valid or has already been used. Please check it and try again."
)
CODE_RATE_LIMITED = gettext_lazy(
    "Too many attempts with survey codes. Please try again in 10 minutes."
)


def _survey_or_404(slug: str) -> Survey:
    return get_object_or_404(Survey.objects.exclude(status=Survey.Status.DRAFT), slug=slug)


def _answered_here(request, survey: Survey) -> bool:
    value = request.get_signed_cookie(BROWSER_COOKIE, default="", salt="surveys")
    return str(survey.pk) in value.split(",")


def _session_token_key(survey: Survey) -> str:
    return f"surveys:token:{survey.pk}"


def _session_progress_key(survey: Survey) -> str:
    return f"surveys:progress:{survey.pk}"


def respondent_for(request, survey: Survey) -> Respondent:
    mode = survey.respondent_mode
    if mode == Survey.Mode.ACCOUNT:
        return Respondent(mode=mode, user=request.user if request.user.is_authenticated else None)
    if mode == Survey.Mode.TOKEN:
        token_id = request.session.get(_session_token_key(survey))
        token = survey.tokens.filter(pk=token_id).first() if token_id else None
        return Respondent(mode=mode, token=token)
    return Respondent(
        mode=mode,
        signal_hash=services.signal_hash_for(
            survey=survey,
            ip=ratelimit.client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ),
        answered_in_this_browser=_answered_here(request, survey),
    )


class Progress:
    """Saved input and current step: a draft row (account, token) or the session (anonymous)."""

    def __init__(self, request, survey: Survey, respondent: Respondent):
        self.request = request
        self.survey = survey
        self.respondent = respondent
        self.draft = None
        if respondent.mode == Survey.Mode.ANONYMOUS:
            stored = request.session.get(_session_progress_key(survey)) or {}
            self.data = stored.get("data", {})
            self.page = stored.get("page", 0)
        else:
            self.draft = services.draft_get(survey=survey, respondent=respondent)
            self.data = dict(self.draft.data) if self.draft else {}
            self.page = self.draft.page if self.draft else 0

    @property
    def saved(self) -> bool:
        return self.draft is not None

    def update_step(self, structure, step: int, posted) -> None:
        names = set()
        if step == 0:
            names.update(("subdistrict", "sex", "age_group", "birth_year"))
        for spec in structure.questions_on_step(step):
            names.update(spec.field_names())
        self.data = {k: v for k, v in self.data.items() if k not in names}
        self.data.update(step_data(structure, step, posted))

    def save(self, page: int) -> None:
        self.page = page
        if self.respondent.mode == Survey.Mode.ANONYMOUS:
            self.request.session[_session_progress_key(self.survey)] = {
                "data": self.data,
                "page": page,
            }
        else:
            self.draft = services.draft_save(
                survey=self.survey, respondent=self.respondent, data=self.data, page=page
            )

    def clear(self) -> None:
        self.request.session.pop(_session_progress_key(self.survey), None)
        self.request.session.pop(_session_token_key(self.survey), None)


def _visible_steps(structure, data) -> list[int]:
    """Steps that show at least one question given the answers so far (0 always)."""
    steps = [0]
    for step in range(1, structure.step_count):
        chosen = chosen_before(structure, data, step)
        if any(is_visible(q, chosen) for q in structure.questions_on_step(step)):
            steps.append(step)
    return steps


def _pruned(structure, data) -> dict:
    """Drop saved answers to questions that earlier answers now hide (the respondent went back
    and changed an answer). Answers *posted* to a hidden question are rejected, not pruned."""
    result = dict(data)
    for step in range(1, structure.step_count):
        chosen = chosen_before(structure, result, step)
        for spec in structure.questions_on_step(step):
            if not is_visible(spec, chosen):
                for name in spec.field_names():
                    result.pop(name, None)
    return result


def survey_index_page_context(page, request) -> dict:
    """The surveys ``SurveyIndexPage`` lists."""
    return {"surveys": selectors.survey_list_public()}


def survey_page_context(page, request) -> dict:
    """The start panel of the survey a ``SurveyPage`` embeds."""
    return landing_context(request, page.survey)


def survey_preview_context(survey, request) -> dict:
    """Wagtail's preview of a survey: the whole questionnaire on one page, nothing saved."""
    structure = build_structure_from_instance(survey)
    return {
        "structure": structure,
        "problems": structure_problems(structure),
        "forms": [
            build_step_form(structure, step, show_all=True) for step in range(structure.step_count)
        ],
    }


def landing_context(request, survey: Survey) -> dict:
    state = survey.state()
    respondent = respondent_for(request, survey)
    answered = services.already_answered(survey=survey, respondent=respondent)
    progress = None
    if (
        state == "open"
        and not answered
        and (respondent.mode == Survey.Mode.ANONYMOUS or respondent.user or respondent.token)
    ):
        progress = Progress(request, survey, respondent)
    return {
        "survey": survey,
        "state": state,
        "respondent": respondent,
        "answered": answered,
        "progress": progress,
        "start_url": reverse("surveys:step", kwargs={"slug": survey.slug, "step": 0}),
        "token_url": reverse("surveys:token", kwargs={"slug": survey.slug}),
    }


@never_cache
def survey_detail(request, slug: str):
    survey = _survey_or_404(slug)
    return render(request, "surveys/survey_detail.html", landing_context(request, survey))


def _refused(request, survey: Survey, refusal: SubmissionRefused):
    if refusal.reason == "quota_full":
        return redirect("surveys:stopped", slug=survey.slug)
    status = REFUSAL_STATUS.get(refusal.reason, 403)
    return render(
        request,
        "surveys/survey_refused.html",
        {"survey": survey, "message": refusal.message, "reason": refusal.reason},
        status=status,
    )


def _entry_redirect(request, survey: Survey, respondent: Respondent):
    """Where to send someone who may not answer (yet): sign-in, token entry or the landing."""
    if survey.state() != "open":
        return redirect("surveys:survey", slug=survey.slug)
    if survey.respondent_mode == Survey.Mode.ACCOUNT and respondent.user is None:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if survey.respondent_mode == Survey.Mode.TOKEN and respondent.token is None:
        return redirect("surveys:token", slug=survey.slug)
    if services.already_answered(survey=survey, respondent=respondent):
        messages.info(request, _("You have already answered this survey. Thank you!"))
        return redirect("surveys:done", slug=survey.slug)
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def survey_step(request, slug: str, step: int):
    survey = _survey_or_404(slug)
    respondent = respondent_for(request, survey)
    blocked = _entry_redirect(request, survey, respondent)
    if blocked is not None:
        return blocked
    structure = load_structure(survey)
    if not 0 <= step < structure.step_count:
        return redirect("surveys:step", slug=slug, step=0)
    progress = Progress(request, survey, respondent)
    steps = _visible_steps(structure, progress.data)
    if step not in steps:
        return redirect("surveys:step", slug=slug, step=max(s for s in steps if s <= step))

    if request.method == "POST":
        action = request.POST.get("action", "next")
        progress.update_step(structure, step, request.POST)
        if action == "back":
            earlier = [s for s in steps if s < step]
            target = earlier[-1] if earlier else 0
            progress.save(target)
            return redirect("surveys:step", slug=slug, step=target)
        if action == "save" and respondent.mode != Survey.Mode.ANONYMOUS:
            progress.save(step)
            messages.success(
                request,
                _("Your answers are saved. Come back to this survey at any time to continue."),
            )
            return redirect("surveys:step", slug=slug, step=step)
        chosen = chosen_before(structure, progress.data, step)
        form = build_step_form(structure, step, request.POST, chosen=chosen)
        valid = form.is_valid()
        for spec in structure.questions_on_step(step):
            if not is_visible(spec, chosen):
                for name in spec.field_names():
                    if request.POST.get(name, "").strip():
                        form.add_error(
                            None, _("An answer was sent for a question that does not apply.")
                        )
                        valid = False
        if not valid:
            progress.save(step)
            return _render_step(request, survey, structure, step, steps, form, progress, status=200)
        if step == 0:
            data = form.cleaned_data
            age_group = data.get("age_group") or age_group_for(
                birth_year=data["birth_year"], year=structure.year
            )
            if services.quota_stops(
                survey=survey,
                subdistrict_id=structure.subdistrict_by_code[data["subdistrict"]].id,
                sex=data["sex"],
                age_group=age_group,
            ):
                progress.clear()
                if progress.draft is not None:
                    progress.draft.delete()
                return redirect("surveys:stopped", slug=slug)
        steps = _visible_steps(structure, progress.data)
        later = [s for s in steps if s > step]
        if later:
            progress.save(later[0])
            return redirect("surveys:step", slug=slug, step=later[0])
        return _submit(request, survey, structure, steps, progress, respondent)

    form = build_step_form(
        structure,
        step,
        _initial(progress.data),
        chosen=chosen_before(structure, progress.data, step),
    )
    if form.is_bound:
        form.full_clean()
        form._errors = ErrorDict()  # show saved input without complaining about blanks yet
    return _render_step(request, survey, structure, step, steps, form, progress)


def _initial(data):
    return as_multivalue(data) if data else None


def _set_answered_cookie(request, response, survey: Survey) -> None:
    answered = request.get_signed_cookie(BROWSER_COOKIE, default="", salt="surveys")
    ids = [i for i in answered.split(",") if i] + [str(survey.pk)]
    response.set_signed_cookie(
        BROWSER_COOKIE,
        ",".join(sorted(set(ids))),
        salt="surveys",
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _submit(request, survey, structure, steps, progress, respondent):
    data = _pruned(structure, progress.data)
    try:
        services.response_submit(
            survey=survey, structure=structure, data=data, respondent=respondent
        )
    except SubmissionInvalid as exc:
        step = min(exc.errors)
        progress.save(step)
        form = build_step_form(
            structure, step, _initial(data), chosen=chosen_before(structure, data, step)
        )
        form.is_valid()
        for name, errors in exc.errors[step].items():
            if name not in form.errors:
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        return _render_step(request, survey, structure, step, steps, form, progress)
    except SubmissionRefused as refusal:
        return _refused(request, survey, refusal)
    progress.clear()
    response = redirect("surveys:done", slug=survey.slug)
    if respondent.mode == Survey.Mode.ANONYMOUS:
        _set_answered_cookie(request, response, survey)
    return response


def _render_step(request, survey, structure, step, steps, form, progress, status=200):
    position = steps.index(step) + 1 if step in steps else 1
    total = len(steps)
    return render(
        request,
        "surveys/survey_step.html",
        {
            "survey": survey,
            "form": form,
            "step": step,
            "position": position,
            "total": total,
            "percent": round(100 * (position - 1) / total),
            "is_first": step == steps[0],
            "is_last": step == steps[-1],
            "can_save": survey.respondent_mode != Survey.Mode.ANONYMOUS,
            "progress": progress,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_one_page(request, slug: str):
    """The whole questionnaire on one page, submitted with one request.

    For respondents who prefer one long form (screen-reader users, slow connections) and for
    printing the paper questionnaire. Conditional questions carry their condition in words; an
    answer to one that does not apply is rejected like everywhere else.
    """
    survey = _survey_or_404(slug)
    respondent = respondent_for(request, survey)
    blocked = _entry_redirect(request, survey, respondent)
    if blocked is not None:
        return blocked
    structure = load_structure(survey)
    errors = {}
    data = None
    if request.method == "POST":
        data = request.POST
        try:
            services.response_submit(
                survey=survey, structure=structure, data=data, respondent=respondent
            )
        except SubmissionInvalid as exc:
            errors = exc.errors
        except SubmissionRefused as refusal:
            return _refused(request, survey, refusal)
        else:
            Progress(request, survey, respondent).clear()
            response = redirect("surveys:done", slug=survey.slug)
            if respondent.mode == Survey.Mode.ANONYMOUS:
                _set_answered_cookie(request, response, survey)
            return response
    forms = []
    for step in range(structure.step_count):
        form = build_step_form(structure, step, data, show_all=True)
        if data is not None:
            form.full_clean()
            form._errors = ErrorDict()
            for name, messages_ in errors.get(step, {}).items():
                for message in messages_:
                    form.add_error(name if name in form.fields else None, message)
        forms.append(form)
    return render(
        request,
        "surveys/survey_one_page.html",
        {"survey": survey, "forms": forms, "has_errors": bool(errors)},
        status=200,
    )


def _code_attempt_allowed(request) -> bool:
    """Count one survey-code attempt (typed or in a link) from this client."""
    limit, window = ratelimit.configured("SURVEYS_RATE_LIMITS", "code_client")
    return ratelimit.hit(
        "surveys:code_client", ratelimit.client_ip(request), limit=limit, window=window
    )


def _usable_token(survey: Survey, raw: str):
    """The unused token of ``survey`` that ``raw`` names, or None (whatever the reason)."""
    if survey.respondent_mode != Survey.Mode.TOKEN:
        return None
    token = services.token_resolve(survey=survey, raw=raw)
    return token if token is not None and not token.used else None


def _start_with_token(request, survey: Survey, token):
    """Exchange the code for the session, then continue on a URL without the code."""
    request.session.cycle_key()  # a fresh session id: the code now stands behind it
    request.session[_session_token_key(survey)] = token.pk
    return redirect("surveys:step", slug=survey.slug, step=_resume_step(survey, token))


def _code_page(request, survey: Survey, *, error: str = "", status: int = 200):
    response = render(
        request,
        "surveys/survey_token.html",
        {"survey": survey, "error": error, "state": survey.state()},
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


def _code_from_link(request, survey: Survey, raw: str):
    """A code that arrived in a URL (a printed letter's link or ``?code=``): the answer never
    keeps it in the address bar, so it does not linger in history, access logs or Referer."""
    if not _code_attempt_allowed(request):
        return _code_page(request, survey, error=str(CODE_RATE_LIMITED), status=429)
    token = _usable_token(survey, raw)
    if token is None:
        messages.error(request, str(CODE_REFUSED))
        if survey.respondent_mode == Survey.Mode.TOKEN:
            return redirect("surveys:token", slug=survey.slug)
        return redirect("surveys:survey", slug=survey.slug)
    return _start_with_token(request, survey, token)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_token(request, slug: str):
    """Enter the survey code printed on the household's letter (token-mode surveys)."""
    survey = _survey_or_404(slug)
    if survey.respondent_mode != Survey.Mode.TOKEN:
        return redirect("surveys:survey", slug=slug)
    if request.method == "GET" and "code" in request.GET:
        return _code_from_link(request, survey, request.GET["code"])
    if request.method == "POST":
        if not _code_attempt_allowed(request):
            return _code_page(request, survey, error=str(CODE_RATE_LIMITED), status=429)
        token = _usable_token(survey, request.POST.get("code", ""))
        if token is None:
            return _code_page(request, survey, error=str(CODE_REFUSED), status=400)
        return _start_with_token(request, survey, token)
    return _code_page(request, survey)


def _resume_step(survey: Survey, token) -> int:
    draft = services.draft_get(
        survey=survey, respondent=Respondent(mode=Survey.Mode.TOKEN, token=token)
    )
    return draft.page if draft else 0


@never_cache
def survey_token_link(request, slug: str, code: str):
    """A link printed on the household's letter: remember the token, then drop it from the URL."""
    survey = _survey_or_404(slug)
    return _code_from_link(request, survey, code)


@never_cache
def survey_resume(request, slug: str):
    """Continue where the respondent left off."""
    survey = _survey_or_404(slug)
    respondent = respondent_for(request, survey)
    blocked = _entry_redirect(request, survey, respondent)
    if blocked is not None:
        return blocked
    progress = Progress(request, survey, respondent)
    return redirect("surveys:step", slug=slug, step=progress.page)


@never_cache
def survey_done(request, slug: str):
    survey = _survey_or_404(slug)
    return render(request, "surveys/survey_done.html", {"survey": survey})


@never_cache
def survey_stopped(request, slug: str) -> HttpResponse:
    survey = _survey_or_404(slug)
    return render(request, "surveys/survey_stopped.html", {"survey": survey})
