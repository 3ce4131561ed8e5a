"""Personal information (PIPL): versioned notices, consent records, logged reveals of masked
fields, and requests from people without an account (docs/privacy.md).

- ``PrivacyNotice``: what a collection point tells the person (PIPL Art. 17). Administrators edit
  the text; once a version has been agreed to it is frozen and a change is a new version.
- ``ConsentRecord``: append-only; one row per consent given or withdrawn (Arts. 14-15), naming
  the person (account id) or the submission (a reference), the notice version and what was
  agreed. It carries no name, phone, email or ID number.
- ``DataReveal``: append-only; every time a member of staff unmasked a field (an applicant's ID
  number), who, which record, which field and why.
- ``SubjectRequest`` + ``SubjectRequestEvent``: a request from a person without an account
  (an applicant, a real-name reporter) to know what is held, answered within 15 working days.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from portal import workdays
from portal.audit import AppendOnlyModel


class CollectionPoint(models.TextChoices):
    SIGNUP = "signup", _("Account sign-up")
    TIPOFF_REAL_NAME = "tipoff_real_name", _("Real-name pollution report")
    DISCLOSURE_REQUEST = "disclosure_request", _("Disclosure request")
    SURVEY_ACCOUNT = "survey_account", _("Survey answered with an account")
    LEARNING = "learning", _("Learning and points")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (PIPL Art. 13(1))")
    STATUTORY = "statutory", _("Statutory duty (PIPL Art. 13(3))")
    PUBLIC_INTEREST = "public_interest", _("Public interest and supervision (PIPL Art. 13(5))")


class PrivacyNotice(models.Model):
    """One version of the notice shown at one collection point."""

    point = models.CharField(_("collection point"), max_length=32, choices=CollectionPoint.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(
        _("short notice"),
        help_text=_("Shown next to the form: who collects what, for what, and for how long."),
    )
    body = models.TextField(
        _("full notice"),
        help_text=_(
            "Purposes, legal basis, recipients, retention, the person's rights and how to use them."
        ),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    agreement = models.CharField(
        _("what the person agrees to"),
        max_length=200,
        help_text=_("The sentence next to the consent box."),
    )
    withdrawal_effect = models.TextField(
        _("effect of withdrawing consent"),
        blank=True,
        help_text=_("Stated where consent is the basis and can be withdrawn."),
    )
    effective_from = models.DateTimeField(_("in force from"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("point"), FieldPanel("version"), FieldPanel("effective_from")],
            heading=_("Version"),
        ),
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("legal_basis"),
        FieldPanel("agreement"),
        FieldPanel("withdrawal_effect"),
    ]

    class Meta:
        ordering = ["point", "-version"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        constraints = [
            models.UniqueConstraint(fields=["point", "version"], name="unique_notice_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_point_display()} v{self.version}"

    @property
    def label(self) -> str:
        return f"{self.point}/v{self.version}"

    def clean(self):
        super().clean()
        if self.pk is None:
            return
        before = type(self).objects.filter(pk=self.pk).first()
        if before is None or not self.consents.exists():
            return
        frozen = ("point", "version", "summary", "body", "agreement", "legal_basis")
        if any(getattr(before, f) != getattr(self, f) for f in frozen):
            raise ValidationError(
                _("People have agreed to this version: add a new version instead of changing it.")
            )


class ConsentRecord(AppendOnlyModel):
    """A consent given or withdrawn. The subject is an account (``user_id_value``) or a
    submission (``subject_ref``, e.g. a report or request reference). Append-only."""

    class Action(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="consents", verbose_name=_("notice")
    )
    point = models.CharField(_("collection point"), max_length=32, choices=CollectionPoint.choices)
    version = models.PositiveIntegerField(_("version"))
    # A plain id, not a foreign key: the record outlives the account's erasure unchanged.
    user_id_value = models.PositiveBigIntegerField(_("account id"), null=True, blank=True)
    subject_ref = models.CharField(_("submission"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    agreed = models.CharField(_("what was agreed"), max_length=200)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["user_id_value", "point"])]

    def __str__(self) -> str:
        return f"{self.point} v{self.version} {self.action} {self.at:%Y-%m-%d}"


class DataReveal(AppendOnlyModel):
    """A member of staff unmasked a personal field (append-only)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revealed by"),
    )
    record = models.CharField(_("record"), max_length=80)
    field = models.CharField(_("field"), max_length=40)
    purpose = models.CharField(_("purpose"), max_length=120)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("reveal of a masked field")
        verbose_name_plural = _("reveals of masked fields")

    def __str__(self) -> str:
        return f"{self.record} {self.field} {self.at:%Y-%m-%d %H:%M}"


class SubjectRequest(models.Model):
    """A request under PIPL Arts. 44-47 from a person without an account, handled by the
    responsible officer within 15 working days (docs/privacy.md, "Requests without an account")."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Know and copy what is held (Art. 45)")
        CORRECT = "correct", _("Correct (Art. 46)")
        DELETE = "delete", _("Delete (Art. 47)")
        WITHDRAW = "withdraw", _("Withdraw consent (Art. 15)")

    class Relation(models.TextChoices):
        APPLICANT = "applicant", _("Disclosure applicant")
        REPORTER = "reporter", _("Real-name reporter")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VERIFYING = "verifying", _("Verifying identity")
        ANSWERED = "answered", _("Answered")
        REFUSED = "refused", _("Refused with reasons")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("request"), max_length=12, choices=Kind.choices)
    relation = models.CharField(_("the person is"), max_length=12, choices=Relation.choices)
    requester_name = models.CharField(_("requester name"), max_length=64)
    requester_contact = models.CharField(
        _("requester contact"), max_length=120, help_text=_("Phone, email or postal address.")
    )
    records = models.CharField(
        _("records concerned"),
        max_length=200,
        blank=True,
        help_text=_("Tracking numbers or report references the person gave."),
    )
    details = models.TextField(_("what is asked"), blank=True)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    due_on = models.DateField(_("answer due"), editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer given"), blank=True)
    identity_purged_on = models.DateField(null=True, blank=True, editable=False)

    panels = [
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("relation"), FieldPanel("received_on")],
            heading=_("Request"),
        ),
        MultiFieldPanel(
            [FieldPanel("requester_name"), FieldPanel("requester_contact")],
            heading=_("Requester"),
        ),
        FieldPanel("records"),
        FieldPanel("details"),
        MultiFieldPanel(
            [FieldPanel("status"), FieldPanel("answered_on"), FieldPanel("answer")],
            heading=_("Answer"),
        ),
    ]

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("request from a person without an account")
        verbose_name_plural = _("requests from people without an account")
        permissions = [("handle_subjectrequest", "Can handle personal information requests")]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        # The statutory clock: 15 working days from receipt (the day of receipt not counted).
        self.due_on = workdays.add_working_days(
            self.received_on, settings.PRIVACY_REQUEST_WORKING_DAYS
        )
        if not self.reference:
            year = self.received_on.year
            count = type(self).objects.filter(reference__startswith=f"PI{year}").count()
            self.reference = f"PI{year}{count + 1:04d}"
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.VERIFYING)

    def working_days_left(self, today=None) -> int:
        """Working days until the answer is due (negative: overdue by that many)."""
        today = today or timezone.localdate()
        if today <= self.due_on:
            return workdays.working_days_between(today, self.due_on)
        return -workdays.working_days_between(self.due_on, today)


class SubjectRequestEvent(AppendOnlyModel):
    """What happened to a subject request, by whom and when (append-only)."""

    request = models.ForeignKey(
        SubjectRequest, on_delete=models.PROTECT, related_name="events", verbose_name=_("request")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    what = models.CharField(_("what happened"), max_length=200)

    class Meta:
        ordering = ["request", "at", "pk"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request_id} {self.at:%Y-%m-%d} {self.what}"
