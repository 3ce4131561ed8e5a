"""Learning, quizzes, points and rewards (学习、问答积分和兑换).

Invariants that belong to one row live here (constraints, ``clean``); every write that touches
points, stock or a quiz goes through ``portal.learning.services``.

- The points ledger is append-only: a ``LedgerEntry`` is never updated or deleted, a balance is the
  sum of a user's entries, and each entry carries a unique idempotency key, so the same award
  twice is one row.
- ``PointsAccount`` is one row per learner: the nickname and sub-district shown on the opt-in
  leaderboard, and the row a redemption locks so two spends of one user are serialised.
- A survey-completion award records only that the user completed the survey: the key is
  ``survey:<survey id>:<user id>`` and nothing refers to the response or its answers.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from portal.audit import AppendOnlyModel

source_url_validator = RegexValidator(
    r"^(/(?!/)|https?://)\S*$",
    _("Enter a site address starting with / or a full http(s):// address."),
)


class Topic(models.Model):
    """A group of questions (垃圾分类, 大气, 水 …); residents can take a quiz on one topic."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("quiz topic")
        verbose_name_plural = _("quiz topics")

    def __str__(self) -> str:
        return self.name


class QuestionForm(WagtailAdminModelForm):
    """Checks the choices against the question kind before anything is saved."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("choices")
        if formset is None or not formset.is_valid():
            return cleaned
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        kind = cleaned.get("kind")
        correct = sum(1 for row in rows if row.get("is_correct"))
        if kind == Question.Kind.TRUE_FALSE and len(rows) != 2:
            raise ValidationError(_("A true/false question has exactly two choices."))
        if len(rows) < 2:
            raise ValidationError(_("A question needs at least two choices."))
        if kind in (Question.Kind.SINGLE, Question.Kind.TRUE_FALSE) and correct != 1:
            raise ValidationError(_("Mark exactly one choice as correct."))
        if kind == Question.Kind.MULTIPLE and correct < 1:
            raise ValidationError(_("Mark at least one choice as correct."))
        return cleaned


class Question(ClusterableModel):
    """One question of the bank with its choices, the explanation and where to read more."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("question"), max_length=500, unique=True)
    explanation = models.TextField(
        _("explanation"), max_length=1000, help_text=_("Shown after the resident has answered.")
    )
    source_title = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("E.g. the law and article, or the title of the column article."),
    )
    source_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("source page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A column article or disclosure page to read more (preferred over the link)."),
    )
    source_url = models.CharField(
        _("source link"),
        max_length=300,
        blank=True,
        validators=[source_url_validator],
        help_text=_("A site address such as /disclosure/indicators/ or a full https:// address."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive questions are not drawn for new quizzes.")
    )
    created_at = models.DateTimeField(pgettext_lazy("timestamp", "created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    base_form_class = QuestionForm
    panels = [
        FieldRowPanel([FieldPanel("topic"), FieldPanel("kind")]),
        FieldPanel("text"),
        InlinePanel("choices", heading=_("Choices"), label=_("choice"), min_num=2, max_num=8),
        FieldPanel("explanation"),
        MultiFieldPanel(
            [FieldPanel("source_title"), FieldPanel("source_page"), FieldPanel("source_url")],
            heading=_("Source"),
        ),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["topic__sort_order", "pk"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.text if len(self.text) <= 60 else f"{self.text[:59]}…"

    def source_link(self) -> str:
        if self.source_page_id and self.source_page.live:
            return self.source_page.url or ""
        return self.source_url

    def correct_choice_ids(self) -> set[int]:
        return {c.pk for c in self.choices.all() if c.is_correct}


class Choice(models.Model):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("choice"), max_length=200)
    is_correct = models.BooleanField(_("correct"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    panels = [FieldPanel("text"), FieldPanel("is_correct")]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class PointsAccount(models.Model):
    """One learner: leaderboard nickname and sub-district, and the row that serialises spending."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="points_account",
        verbose_name=_("user"),
    )
    nickname = models.CharField(
        _("nickname"),
        max_length=20,
        blank=True,
        help_text=_("Shown on the leaderboard instead of your name. Up to 20 characters."),
    )
    subdistrict = models.ForeignKey(
        "portal.Subdistrict",
        verbose_name=_("sub-district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_leaderboard = models.BooleanField(_("show me on the leaderboard"), default=False)
    created_at = models.DateTimeField(pgettext_lazy("timestamp", "created"), auto_now_add=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(on_leaderboard=False) | ~Q(nickname=""),
                name="learning_leaderboard_needs_nickname",
            )
        ]

    def __str__(self) -> str:
        return self.nickname or str(self.pk)


class LedgerEntry(AppendOnlyModel):
    """One award or spend of points. Append-only: never updated, never deleted (``portal.audit``)."""

    class Reason(models.TextChoices):
        READING = "reading", _("Reading a column article")
        QUIZ = "quiz", _("Daily quiz")
        SURVEY = "survey", _("Completing a survey")
        REDEMPTION = "redemption", _("Reward redeemed")
        REFUND = "refund", _("Redemption cancelled (points returned)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("user"),
    )
    amount = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Where the learner said they live when the entry was written (for the statistics).
    subdistrict = models.ForeignKey(
        "portal.Subdistrict",
        verbose_name=_("sub-district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("points ledger entry")
        verbose_name_plural = _("points ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="learning_ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=(
                    Q(reason__in=["reading", "quiz", "survey", "refund"], amount__gt=0)
                    | Q(reason="redemption", amount__lt=0)
                ),
                name="learning_ledger_sign_matches_reason",
            ),
        ]
        indexes = [models.Index(fields=["user", "reason", "created_at"])]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.get_reason_display()}"


class QuizAttempt(models.Model):
    """One quiz taken by a signed-in resident: the daily quiz (one per day) or a topic quiz.

    ``question_ids`` is fixed when the attempt is created, so reloading shows the same questions
    and an answer to any other question is refused.
    """

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily quiz")
        TOPIC = "topic", _("Topic quiz")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attempts",
    )
    date = models.DateField(_("date"), db_index=True)
    question_ids = models.JSONField(_("questions"), default=list)
    subdistrict = models.ForeignKey(
        "portal.Subdistrict",
        verbose_name=_("sub-district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    correct_count = models.PositiveSmallIntegerField(_("correct answers"), default=0)
    points_awarded = models.PositiveIntegerField(_("points awarded"), default=0)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "date"],
                condition=Q(kind="daily"),
                name="learning_one_daily_quiz_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    @property
    def total(self) -> int:
        return len(self.question_ids)

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class AttemptAnswer(models.Model):
    """The resident's answer to one question of an attempt, checked on the server."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    # PROTECT: a question someone has answered is deactivated, not deleted, so history and
    # statistics stay whole.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    chosen = models.JSONField(_("chosen choices"), default=list)
    is_correct = models.BooleanField(_("correct"))
    answered_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="learning_one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"


def reward_image_field():
    return models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("picture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Reward(models.Model):
    """Something residents can redeem their points for, with its stock and validity."""

    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), max_length=500, blank=True)
    image = reward_image_field()
    points = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1)])
    stock = models.PositiveIntegerField(_("stock"), default=0)
    per_person_limit = models.PositiveSmallIntegerField(
        _("limit per person"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How many times one resident may redeem it (cancelled ones do not count)."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    pickup_instructions = models.CharField(
        _("where and how to collect"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the office, opening hours and what to bring."),
    )
    is_active = models.BooleanField(_("on offer"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("image"),
        FieldRowPanel([FieldPanel("points"), FieldPanel("stock"), FieldPanel("per_person_limit")]),
        FieldRowPanel(
            [
                FieldPanel("valid_from", widget=forms.DateInput(attrs={"type": "date"})),
                FieldPanel("valid_until", widget=forms.DateInput(attrs={"type": "date"})),
            ]
        ),
        FieldPanel("pickup_instructions"),
        FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
    ]

    class Meta:
        ordering = ["sort_order", "points", "pk"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__gte=0), name="learning_reward_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(points__gt=0), name="learning_reward_points_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end date is before the start date.")})

    def is_valid_on(self, day) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)


class Redemption(models.Model):
    """A resident's redemption of a reward; staff hand it over (fulfilled) or cancel it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting pickup")
        FULFILLED = "fulfilled", _("Collected")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("user"),
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    points = models.PositiveIntegerField(_("points"))
    code = models.CharField(_("pickup code"), max_length=16, unique=True)
    request_key = models.CharField(max_length=80, unique=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING, db_index=True
    )
    subdistrict = models.ForeignKey(
        "portal.Subdistrict",
        verbose_name=_("sub-district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("redeemed"), auto_now_add=True)
    decided_at = models.DateTimeField(_("handled"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        permissions = [("view_learning_statistics", _("Can view learning statistics"))]

    def __str__(self) -> str:
        return f"{self.code} {self.reward}"


@register_setting(icon="pick")
class LearningSettings(BaseSiteSetting):
    """The points rules, editable in the admin (Settings → Learning and points)."""

    daily_quiz_size = models.PositiveSmallIntegerField(
        _("questions in the daily quiz"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    topic_quiz_size = models.PositiveSmallIntegerField(
        _("questions in a topic quiz"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    points_per_correct_answer = models.PositiveSmallIntegerField(
        _("points per correct answer in the daily quiz"),
        default=2,
        validators=[MaxValueValidator(100)],
    )
    points_per_article = models.PositiveSmallIntegerField(
        _("points for reading a column article"),
        default=1,
        validators=[MaxValueValidator(100)],
        help_text=_("Once per article per resident."),
    )
    daily_reading_cap = models.PositiveSmallIntegerField(
        _("reading points per day, at most"), default=5, validators=[MaxValueValidator(1000)]
    )
    points_per_survey = models.PositiveSmallIntegerField(
        _("points for completing a survey"),
        default=10,
        validators=[MaxValueValidator(1000)],
        help_text=_("Only the fact of completion is recorded, never the answers."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("daily_quiz_size"), FieldPanel("topic_quiz_size")],
            heading=_("Quizzes"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("points_per_correct_answer"),
                FieldPanel("points_per_article"),
                FieldPanel("daily_reading_cap"),
                FieldPanel("points_per_survey"),
            ],
            heading=_("Points"),
        ),
    ]

    class Meta:
        verbose_name = _("learning and points")
