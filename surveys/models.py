"""Surveys: questionnaires, respondents' answers, tokens, quotas, scoring definitions.

Privacy layout (统计法 Art. 28, PIPL; see docs/surveys.md):

* ``Response`` and ``Answer`` hold what was answered and nothing that identifies who answered:
  no user, no token, no IP address, no user agent, and only the day of submission. Responses
  have random UUID keys so that their insertion order cannot be matched with other tables.
* ``Participation`` (account mode) and ``SurveyToken.used`` (token mode) record *that* someone
  answered, which is what "one response per respondent" needs, without pointing at the answers.
* ``AbuseSignal`` keeps salted hashes of network signals for anonymous surveys, in a table of
  its own with a retention period (``manage.py survey_purge``), again without a link to answers.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PreviewableMixin

from portal.audit import AppendOnlyModel
from portal.localize import EnglishTitleMixin
from portal.pages import page_context
from portal.storage import PrivateStorage
from surveys import question_types
from surveys.codes import split_codes as split_codes  # re-exported
from surveys.margins import validate_margin_rows

code_validator = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9]{0,15}$",
    _("Use a letter followed by letters or digits (no spaces or underscores), e.g. Q1."),
)
choice_code_validator = RegexValidator(
    r"^[A-Za-z0-9-]{1,16}$", _("Use up to 16 letters, digits or hyphens, e.g. 1 or 99.")
)


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class AgeGroup(models.TextChoices):
    AGE_18_29 = "18-29", _("18–29")
    AGE_30_44 = "30-44", _("30–44")
    AGE_45_59 = "45-59", _("45–59")
    AGE_60_PLUS = "60+", _("60 and over")


def age_group_for(*, birth_year: int, year: int) -> str | None:
    """The age group of someone born in ``birth_year`` during survey year ``year``.

    Age is taken as ``year - birth_year`` (age reached during the survey year), the convention
    of the statistics bureau's household surveys. Returns None for minors (under 18).
    """
    age = year - birth_year
    if age < 18:
        return None
    if age <= 29:
        return AgeGroup.AGE_18_29
    if age <= 44:
        return AgeGroup.AGE_30_44
    if age <= 59:
        return AgeGroup.AGE_45_59
    return AgeGroup.AGE_60_PLUS


def new_signal_salt() -> str:
    return secrets.token_hex(16)


class Survey(PreviewableMixin, ClusterableModel):
    """A questionnaire and its fieldwork settings (one wave of the satisfaction survey)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", pgettext_lazy("survey state", "Closed")

    class Mode(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous (anyone, rate-limited)")
        ACCOUNT = "account", _("Account (one response per signed-in user)")
        TOKEN = "token", _("Token (one response per single-use token)")

    class AgeInput(models.TextChoices):
        AGE_GROUP = "age_group", _("Ask for the age group")
        BIRTH_YEAR = "birth_year", _("Ask for the birth year and map it to the age group")

    class QuotaPolicy(models.TextChoices):
        MONITOR = "monitor", _("Monitor only: keep accepting respondents in full cells")
        STOP = "stop", _("Stop: thank respondents in full cells and end the survey for them")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=False)
    purpose = models.TextField(
        _("purpose"), help_text=_("Shown to respondents before they start: why and by whom.")
    )
    wave = models.CharField(_("wave"), max_length=32, help_text=_("E.g. 2025 or 2025-H1."))
    year = models.PositiveSmallIntegerField(
        _("survey year"), help_text=_("Used to map birth years to age groups.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    respondent_mode = models.CharField(
        _("respondent mode"), max_length=16, choices=Mode.choices, default=Mode.ACCOUNT
    )
    age_input = models.CharField(
        _("age question"), max_length=16, choices=AgeInput.choices, default=AgeInput.AGE_GROUP
    )
    quota_policy = models.CharField(
        _("quota policy"), max_length=16, choices=QuotaPolicy.choices, default=QuotaPolicy.MONITOR
    )
    anonymous_hourly_limit = models.PositiveSmallIntegerField(
        _("anonymous submissions per hour per device"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Anonymous mode only: further submissions from the same signal are refused."),
    )
    thank_you_text = models.TextField(_("thank-you text"), blank=True)
    feeds_indicators = models.BooleanField(
        _("source of indicators 34 and 35"),
        default=False,
        help_text=_(
            "Ticked: the latest published release of this survey supplies the public "
            "satisfaction and participation indicators (the most recent such survey wins)."
        ),
    )
    signal_salt = models.CharField(max_length=64, default=new_signal_salt, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("purpose"),
                FieldRowPanel([FieldPanel("wave"), FieldPanel("year")]),
                FieldPanel("thank_you_text"),
                FieldPanel("feeds_indicators"),
            ],
            heading=_("Survey"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("respondent_mode"),
                FieldPanel("anonymous_hourly_limit"),
                FieldPanel("age_input"),
                FieldPanel("quota_policy"),
            ],
            heading=_("Fieldwork"),
        ),
        InlinePanel("questions", heading=_("Questions"), label=_("question")),
        InlinePanel("quota_cells", heading=_("Quotas"), label=_("quota cell")),
        InlinePanel(
            "scoring_definitions", heading=_("Scoring definitions"), label=_("scoring definition")
        ),
    ]

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        permissions = [
            ("view_responses", _("Can view survey responses, fieldwork and rates")),
            ("manage_fieldwork", _("Can generate tokens, import and review responses")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey", kwargs={"slug": self.slug})

    def state(self, now=None) -> str:
        """'draft', 'scheduled' (not yet open), 'open' or 'closed' at ``now``."""
        now = now or timezone.now()
        if self.status == self.Status.DRAFT:
            return "draft"
        if self.status == self.Status.CLOSED:
            return "closed"
        if self.opens_at and now < self.opens_at:
            return "scheduled"
        if self.closes_at and now >= self.closes_at:
            return "closed"
        return "open"

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The survey must close after it opens.")})

    # Wagtail preview: the whole questionnaire on one page, nothing saved.
    def get_preview_template(self, request, mode_name):
        return "surveys/survey_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["survey"] = self
        # The questionnaire (structure, problems, one form per step): surveys.views
        context.update(page_context(self, request, "preview"))
        return context


class Question(ClusterableModel, Orderable):
    """One question. Likert and matrix questions share their choices as a scale."""

    class Kind(models.TextChoices):
        """The built-in kinds by name; the field's choices come from the registry
        (``surveys.question_types``), which also holds any type added later."""

        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        LIKERT = "likert", _("Likert scale")
        MATRIX = "matrix", _("Matrix (rows sharing one scale)")
        NUMBER = "number", pgettext_lazy("question type", "Number")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")

    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(
        _("code"),
        max_length=16,
        validators=[code_validator],
        help_text=_("Stable code used in imports, exports and scoring, e.g. Q1."),
    )
    text = models.CharField(_("question text"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(
        _("type"), max_length=16, choices=question_types.kind_choices, default=Kind.SINGLE
    )
    required = models.BooleanField(pgettext_lazy("survey question", "required"), default=True)
    page = models.PositiveSmallIntegerField(
        pgettext_lazy("survey question", "page"), default=1, validators=[MinValueValidator(1)]
    )
    min_value = models.DecimalField(
        _("minimum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(
        _("maximum length"), null=True, blank=True, help_text=_("Text questions; default 200/2000.")
    )
    condition_question_code = models.CharField(
        _("show only if question"),
        max_length=16,
        blank=True,
        help_text=_("Code of a question on an earlier page."),
    )
    condition_choice_codes = models.CharField(
        _("was answered with one of"),
        max_length=200,
        blank=True,
        help_text=_("Choice codes separated by semicolons, e.g. 1;2."),
    )

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("kind"), FieldPanel("page")]),
        FieldPanel("text"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("required"), FieldPanel("max_length")]),
        FieldRowPanel([FieldPanel("min_value"), FieldPanel("max_value")]),
        FieldRowPanel(
            [FieldPanel("condition_question_code"), FieldPanel("condition_choice_codes")]
        ),
        InlinePanel("choices", heading=_("Choices (or scale)"), label=_("choice")),
        InlinePanel("rows", heading=_("Matrix rows"), label=_("row")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="unique_question_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    def clean(self):
        super().clean()
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValidationError({"max_value": _("The maximum must not be below the minimum.")})
        if bool(self.condition_question_code) != bool(self.condition_choice_codes):
            raise ValidationError(
                {
                    "condition_choice_codes": _(
                        "A display condition needs both a question code and choice codes."
                    )
                }
            )


class Choice(Orderable):
    """An answer option: its code (what imports and exports use), label and score."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    code = models.CharField(_("code"), max_length=16, validators=[choice_code_validator])
    label = models.CharField(_("label"), max_length=200)
    score = models.DecimalField(
        _("score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For score-based scoring, e.g. 100/80/60/40/20. Empty: no score."),
    )
    is_substantive = models.BooleanField(
        _("substantive"),
        default=True,
        help_text=_("Untick for 说不清/不知道: such answers can be excluded from rates."),
    )

    panels = [
        FieldRowPanel(
            [
                FieldPanel("code"),
                FieldPanel("label"),
                FieldPanel("score"),
                FieldPanel("is_substantive"),
            ]
        )
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="unique_choice_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class MatrixRow(Orderable):
    """A row of a matrix question (e.g. 空气质量 in "how satisfied are you with...")."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="rows")
    code = models.CharField(_("code"), max_length=16, validators=[choice_code_validator])
    label = models.CharField(_("label"), max_length=200)

    panels = [FieldRowPanel([FieldPanel("code"), FieldPanel("label")])]

    class Meta(Orderable.Meta):
        verbose_name = _("matrix row")
        verbose_name_plural = _("matrix rows")
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="unique_matrix_row_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class QuotaCell(Orderable):
    """A target count for a cell of sub-district × sex × age group (blank dimension: any)."""

    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="quota_cells")
    subdistrict = models.ForeignKey(
        "portal.Subdistrict",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("sub-district"),
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices, blank=True)
    target = models.PositiveIntegerField(_("target"), validators=[MinValueValidator(1)])

    panels = [
        FieldRowPanel(
            [
                FieldPanel("subdistrict"),
                FieldPanel("sex"),
                FieldPanel("age_group"),
                FieldPanel("target"),
            ]
        )
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("quota cell")
        verbose_name_plural = _("quota cells")

    def __str__(self) -> str:
        parts = [
            str(self.subdistrict) if self.subdistrict_id else "",
            self.get_sex_display() if self.sex else "",
            self.get_age_group_display() if self.age_group else "",
        ]
        return " × ".join(p for p in parts if p) or str(_("Everyone"))

    def matches(self, *, subdistrict_id: int, sex: str, age_group: str) -> bool:
        return (
            (self.subdistrict_id is None or self.subdistrict_id == subdistrict_id)
            and (not self.sex or self.sex == sex)
            and (not self.age_group or self.age_group == age_group)
        )


class ScoringDefinition(Orderable):
    """How one rate (satisfaction, participation, ...) is computed from the answers."""

    class Kind(models.TextChoices):
        SATISFACTION = "satisfaction", _("Satisfaction")
        PARTICIPATION = "participation", _("Participation")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        TOP_BOX = "top_box", _("Share answering one of the positive choices")
        SCORE_MEAN = "score_mean", _("Mean of the choices' scores (0–100)")
        AT_LEAST_K = "at_least_k", _("Took part in at least k of the activities")

    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="scoring_definitions")
    code = models.SlugField(
        _("code"),
        max_length=32,
        help_text=_("Column name in exports, e.g. satisfaction."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    items = models.CharField(
        _("questions"),
        max_length=500,
        help_text=_(
            "Question codes separated by semicolons; a matrix code means all its rows, "
            "Q5_r1 one row."
        ),
    )
    positive_choice_codes = models.CharField(
        _("positive choices"),
        max_length=200,
        blank=True,
        help_text=_(
            "Choice codes counting as satisfied / took part, e.g. 1;2. Empty with a multiple-"
            "choice activity question: every substantive choice counts."
        ),
    )
    exclude_non_substantive = models.BooleanField(
        _("exclude non-substantive answers"),
        default=True,
        help_text=_("Ticked: 说不清/不知道 leave the respondent out; unticked: they count as not."),
    )
    min_count = models.PositiveSmallIntegerField(
        _("k (at least k activities)"), default=1, validators=[MinValueValidator(1)]
    )
    target_percent = models.DecimalField(
        _("target (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("method"), FieldPanel("items")]),
        FieldRowPanel(
            [
                FieldPanel("positive_choice_codes"),
                FieldPanel("exclude_non_substantive"),
                FieldPanel("min_count"),
                FieldPanel("target_percent"),
            ]
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("scoring definition")
        verbose_name_plural = _("scoring definitions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="unique_scoring_code")
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PAPER = "paper", _("Paper")
    CATI = "cati", _("Telephone (CATI)")


class ImportBatch(models.Model):
    """One import of paper or telephone interviews (all rows of one file, or none)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="import_batches")
    filename = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("rows"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.filename} ({self.row_count})"


class Response(models.Model):
    """One respondent's completed questionnaire: demographics and answers, nothing identifying."""

    class DuplicateReason(models.TextChoices):
        NONE = "", _("None")
        SAME_BROWSER = "same_browser", _("Same browser answered before")
        SAME_SIGNAL = "same_signal", _("Same network and device signal answered before")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    subdistrict = models.ForeignKey(
        "portal.Subdistrict", on_delete=models.PROTECT, verbose_name=_("sub-district")
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices)
    submitted_on = models.DateField(_("submitted on"))
    external_id = models.CharField(
        _("respondent id"),
        max_length=64,
        blank=True,
        help_text=_("Questionnaire number of a paper or telephone interview."),
    )
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    duplicate_reason = models.CharField(
        _("likely duplicate"),
        max_length=16,
        choices=DuplicateReason.choices,
        blank=True,
        default=DuplicateReason.NONE,
    )
    excluded = models.BooleanField(_("excluded from analysis"), default=False)

    class Meta:
        ordering = ["submitted_on"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_response_external_id",
            )
        ]
        indexes = [models.Index(fields=["survey", "subdistrict", "sex", "age_group"])]

    def __str__(self) -> str:
        return str(self.id)


class Answer(models.Model):
    """One answer: a chosen choice (one row per chosen choice), a number or a text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    row = models.ForeignKey(
        MatrixRow, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


class Participation(models.Model):
    """That a signed-in user has answered a survey (account mode); no link to the answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_participations"
    )
    created_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_response_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.survey_id}"


class TokenBatch(models.Model):
    """A set of single-use tokens generated for sampled households (CSV handed out once)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="token_batches")
    label = models.CharField(_("label"), max_length=200)
    size = models.PositiveIntegerField(_("tokens"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("token batch")
        verbose_name_plural = _("token batches")

    def __str__(self) -> str:
        return f"{self.label} ({self.size})"


class SurveyToken(models.Model):
    """A single-use token; only its SHA-256 hash is stored."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tokens")
    batch = models.ForeignKey(TokenBatch, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(_("used"), default=False)
    used_on = models.DateField(_("used on"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey token")
        verbose_name_plural = _("survey tokens")

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.token_hash[:8]}"


class ResponseDraft(models.Model):
    """Saved, unsubmitted input of an account or token respondent (deleted on submit)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True
    )
    token = models.ForeignKey(SurveyToken, on_delete=models.CASCADE, null=True, blank=True)
    data = models.JSONField(default=dict)
    page = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("response draft")
        verbose_name_plural = _("response drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=models.Q(user__isnull=False),
                name="one_draft_per_user",
            ),
            models.UniqueConstraint(
                fields=["token"],
                condition=models.Q(token__isnull=False),
                name="one_draft_per_token",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(token__isnull=False),
                name="draft_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"draft {self.pk}"


class AbuseSignal(models.Model):
    """A salted hash of (IP address, user agent) seen submitting an anonymous survey on a day.

    Kept apart from responses, never linked to one, and deleted after the retention period
    (settings.SURVEYS_SIGNAL_RETENTION_DAYS) by ``manage.py survey_purge``.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="abuse_signals")
    signal_hash = models.CharField(max_length=64)
    seen_on = models.DateField()
    count = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("abuse signal")
        verbose_name_plural = _("abuse signals")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "signal_hash", "seen_on"], name="unique_abuse_signal_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signal_hash[:8]} {self.seen_on}"


class SurveyEvent(AppendOnlyModel):
    """Audit log of fieldwork actions: tokens generated, imports, exclusions (append-only)."""

    class Kind(models.TextChoices):
        TOKENS_GENERATED = "tokens", _("Tokens generated")
        IMPORTED = "imported", _("Responses imported")
        EXCLUDED = "excluded", _("Response excluded")
        INCLUDED = "included", _("Response included again")
        MARGINS = "margins", _("Population margins uploaded")
        RELEASED = "released", _("Release published")
        OPENED = "opened", _("Survey opened")
        CLOSED = "closed", _("Survey closed")
        WITHDRAWN = "withdrawn", _("Survey set back to draft")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey event")
        verbose_name_plural = _("survey events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


# --- Wagtail pages ------------------------------------------------------------------------------


class SurveyIndexPage(EnglishTitleMixin, Page):
    """The 民意调查 section: open surveys first, then closed ones."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("title_en"), FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["surveys.SurveyPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("survey index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(page_context(self, request))  # the survey list: surveys.views
        return context


class SurveyPage(Page):
    """A page embedding one survey: editorial introduction plus the survey's start panel."""

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="pages", verbose_name=_("survey")
    )
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("survey"), FieldPanel("body")]
    parent_page_types = ["surveys.SurveyIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("survey page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(page_context(self, request))  # the landing: surveys.views
        return context


# --- Population margins and frozen releases (docs/surveys.md, "Margins and releases") ----------


class SurveyMargins(models.Model):
    """One upload of population margins for a survey wave. Uploads are never edited: a new
    upload is a new row, the latest is the current one, and releases keep their own copy."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="margins_uploads")
    label = models.CharField(_("label"), max_length=200)
    source_note = models.TextField(_("source"), blank=True)
    illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Ticked: made-up figures for a demonstration, not official census data."),
    )
    rows = models.JSONField(_("rows"), default=list)  # [[variable, category, value], ...]
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("population margins")
        verbose_name_plural = _("population margins")

    def __str__(self) -> str:
        return f"{self.label} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    def population_margins(self):
        return validate_margin_rows((None, v, c, x) for v, c, x in self.rows)

    def as_csv(self) -> bytes:
        lines = ["variable,category,value"]
        lines += [f"{v},{c},{x!r}" for v, c, x in self.rows]
        return ("\n".join(lines) + "\n").encode("utf-8")


class ImmutableError(Exception):
    """A frozen release (or one of its files) cannot be changed or deleted."""


class _FrozenQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("Releases are immutable; publish a new version instead.")

    def delete(self):
        raise ImmutableError("Releases are immutable; they cannot be deleted.")


class _Frozen(models.Model):
    objects = _FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("Releases are immutable; publish a new version instead.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Releases are immutable; they cannot be deleted.")


class SurveyRelease(_Frozen):
    """A frozen, versioned set of results (v1, v2, ...): created once, never edited."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="releases")
    version = models.PositiveIntegerField(_("version"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    methodology = models.TextField(_("methodology"))
    settings = models.JSONField(_("settings"), default=dict)
    results = models.JSONField(_("results"), default=dict)
    margins_label = models.CharField(_("margins"), max_length=200, blank=True)
    margins_illustrative = models.BooleanField(_("illustrative margins"), default=False)
    satisfaction = models.DecimalField(
        _("satisfaction (%)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    participation = models.DecimalField(
        _("participation (%)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    presentation_standard = models.CharField(
        _("presentation standard"),
        max_length=20,
        default="nchs-2017",
        help_text=_(
            "The rule that decides which rates the public page and exports show: NCHS Data "
            "Presentation Standards for Proportions (2017)."
        ),
    )
    small_cell_override = models.TextField(
        _("small weighting cells: reason for the override"),
        blank=True,
        help_text=_(
            "Empty unless an analyst published despite a weighting category under the "
            "minimum; printed in the methodology."
        ),
    )

    class Meta:
        ordering = ["-published_at", "-version"]
        verbose_name = _("survey release")
        verbose_name_plural = _("survey releases")
        constraints = [
            models.UniqueConstraint(fields=["survey", "version"], name="unique_release_version")
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.label}"

    @property
    def label(self) -> str:
        return f"v{self.version}"


class ReleaseFile(_Frozen):
    """One file of a release, kept in the private storage (served only to analysts).

    ``sha256`` is recorded when the file is written and never changes; ``file`` is the name in
    ``STORAGES["private"]`` (``surveys/releases/<survey>/<token>/<name>``)."""

    release = models.ForeignKey(SurveyRelease, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(_("name"), max_length=120)
    content_type = models.CharField(max_length=120, default="application/octet-stream")
    file = models.FileField(_("file"), storage=PrivateStorage(), max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))

    class Meta:
        ordering = ["release", "pk"]
        verbose_name = _("release file")
        verbose_name_plural = _("release files")
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="unique_release_file_name")
        ]

    def __str__(self) -> str:
        return self.name

    def read(self) -> bytes:
        """The file's bytes, from the private storage."""
        with self.file.storage.open(self.file.name, "rb") as handle:
            return handle.read()


# --- Exports for the statistics bureau (surveys/exports.py, surveys/tasks.py) -------------------


class ExportJob(models.Model):
    """One export asked for by an analyst, built by a background task (surveys.tasks).

    The file is kept in the private storage (like release files), so any web process can serve
    it through the access-checked download view; ``survey_purge`` deletes it with the job.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        REPORT_XLSX = "report_xlsx", _("Report (XLSX)")
        MICRODATA_CSV = "microdata_csv", _("Microdata (CSV)")
        MICRODATA_SAV = "microdata_sav", _("Microdata (SPSS .sav)")
        MICRODATA_DTA = "microdata_dta", _("Microdata (Stata .dta)")
        CODEBOOK_CSV = "codebook_csv", _("Codebook (CSV)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    file = models.FileField(_("file"), storage=PrivateStorage(), max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["survey", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
