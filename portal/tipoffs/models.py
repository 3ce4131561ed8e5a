"""环境污染举报: the case, its reporter's identity (kept apart), photos, events and reference tables.

Nothing outside ``portal.tipoffs.workflow`` assigns ``Tipoff.state``; the reporter's identity lives in
its own table (``ReporterIdentity``) that only ``selectors.reporter_identity_for`` reads, so no
list, export or template can pull it in by accident.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from portal import codes
from portal.audit import AppendOnlyModel
from portal.localize import EnglishTitleMixin, english_name_field, localized_name
from portal.models import Department, Subdistrict, phone_validator
from portal.tipoffs.storage import EvidenceStorage

# Tracking codes: 20 characters from a 30-letter alphabet without 0/O, 1/I/L and U (≈ 98 bits),
# shown in groups of four.
CODE_ALPHABET = codes.ALPHABET
CODE_LENGTH = 20
CODE_GROUP = 4
#: The reported unit's name (被举报单位) as the reporter typed it; an enterprise name is at most 128.
REPORTED_PARTY_MAX_LENGTH = 128


def new_tracking_code() -> str:
    return codes.random_code(CODE_LENGTH)


def format_tracking_code(code: str) -> str:
    return codes.format_code(code)


def normalise_tracking_code(text: str) -> str:
    return codes.normalise_code(text)


class Category(models.Model):
    """One entry of the pollution taxonomy (大气污染 › 扬尘 ...); leaves are what citizens pick."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = english_name_field(128)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    urgent_notice = models.TextField(
        _("urgent notice"),
        blank=True,
        help_text=_("Shown on the form when this category is chosen, e.g. call 110 for a spill."),
    )
    extra_questions = models.JSONField(
        _("extra questions"),
        default=list,
        blank=True,
        help_text=_(
            'A list of {"key": ..., "label": ..., "choices": [...] (optional), "required": bool}.'
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("parent"),
        FieldPanel("description"),
        FieldPanel("urgent_notice"),
        FieldPanel("extra_questions"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    @property
    def localized_label(self) -> str:
        """``parent › name`` in the interface language (English names under /en/ when filled)."""
        if self.parent_id:
            return f"{localized_name(self.parent)} › {localized_name(self)}"
        return localized_name(self)

    @property
    def top(self) -> Category:
        return self.parent if self.parent_id else self


class RoutingRule(models.Model):
    """Category × sub-district → the department suggested to the intake officer.

    A rule without a sub-district applies everywhere; a rule on a top-level category applies to
    its subcategories. The most specific rules win.
    """

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("category")
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("sub-district"),
        help_text=_("Leave empty for every sub-district."),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )

    panels = [FieldPanel("category"), FieldPanel("subdistrict"), FieldPanel("department")]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "subdistrict", "department"], name="unique_routing_rule"
            )
        ]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        where = self.subdistrict.name if self.subdistrict_id else _("everywhere")
        return f"{self.category} / {where} → {self.department}"


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Under review (复查)")
    MERGED = "merged", _("Merged")


OPEN_STATES = (
    State.SUBMITTED,
    State.ACCEPTED,
    State.ASSIGNED,
    State.INVESTIGATING,
    State.REOPENED,
)


class Confidentiality(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonymous (no contact details)")
    REAL_NAME = "real_name", _("Real name, kept confidential")


class NotAcceptedReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    ALREADY_HANDLED = "already_handled", _("Already being handled")
    LITIGATION = "litigation", _("Belongs to litigation or arbitration")


class Finding(models.TextChoices):
    TRUE = "true", _("Substantiated (属实)")
    PARTLY_TRUE = "partly_true", _("Partly substantiated (部分属实)")
    UNTRUE = "untrue", _("Not substantiated (不属实)")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    OPEN311 = "open311", _("Open311 API")
    STAFF = "staff", _("Entered by staff")


class Tipoff(models.Model):
    """A pollution report (举报件) from submission to closure."""

    tracking_code = models.CharField(
        _("tracking code"), max_length=CODE_LENGTH, unique=True, default=new_tracking_code
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tipoffs", verbose_name=_("category")
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        related_name="tipoffs",
        verbose_name=_("sub-district"),
    )
    address = models.CharField(_("address"), max_length=255)
    public_address = models.CharField(
        _("public location"),
        max_length=255,
        blank=True,
        help_text=_("The address cut to the road, as shown on public pages."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    reported_party = models.CharField(
        _("reported unit"),
        max_length=REPORTED_PARTY_MAX_LENGTH,
        blank=True,
        help_text=_(
            "The unit or factory the reporter names, if any. Shown to case handlers only, "
            "never on public pages."
        ),
    )
    observed_at = models.DateTimeField(_("observed at"))
    description = models.TextField(_("description"))
    extra_answers = models.JSONField(_("answers to category questions"), default=dict, blank=True)
    confidentiality = models.CharField(
        _("confidentiality"), max_length=16, choices=Confidentiality.choices
    )

    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    acceptance_due = models.DateField(_("acceptance due"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    handling_due = models.DateField(_("handling due"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    period_start = models.DateField(_("current period started"), null=True, blank=True)
    due_date = models.DateField(
        _("current deadline"), null=True, blank=True, help_text=_("Empty once no deadline runs.")
    )
    reminded_for = models.DateField(_("reminder sent for deadline"), null=True, blank=True)
    escalated_for = models.DateField(_("escalation sent for deadline"), null=True, blank=True)

    not_accepted_reason = models.CharField(
        _("reason for not accepting"),
        max_length=20,
        choices=NotAcceptedReason.choices,
        blank=True,
    )
    not_accepted_detail = models.TextField(_("where to go instead"), blank=True)
    master = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_reports",
        verbose_name=_("master case"),
    )
    # The notices about this report (portal.Notification): filterable as
    # ``Notification.objects.filter(tipoff=…)`` and deleted with the report.
    notifications = GenericRelation("portal.Notification", related_query_name="tipoff")
    departments = models.ManyToManyField(
        Department,
        through="TipoffAssignment",
        related_name="tipoffs",
        verbose_name=_("departments"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("officer in charge"),
    )

    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    penalty_reference = models.CharField(
        _("penalty decision reference"), max_length=128, blank=True
    )
    public_reply = models.TextField(_("reply to the reporter"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    review_requested_at = models.DateTimeField(_("review requested at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reward_eligible = models.BooleanField(_("eligible for a reward"), default=False)
    is_public = models.BooleanField(
        _("published as a case"),
        default=True,
        help_text=_("Resolved cases appear anonymised on the public case list unless unticked."),
    )
    open311_client = models.ForeignKey(
        "Open311Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Open311 client"),
    )
    open311_token = models.UUIDField(_("Open311 token"), default=uuid.uuid4, unique=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("pollution report")
        verbose_name_plural = _("pollution reports")
        indexes = [
            models.Index(fields=["state", "due_date"], name="tipoff_state_due"),
            models.Index(fields=["category", "subdistrict", "state"], name="tipoff_dup_lookup"),
            models.Index(fields=["resolved_at"], name="tipoff_resolved"),
            # The staff queues (open / overdue / due soon / new) walk this in deadline order and
            # count from it without touching the table (covering on PostgreSQL).
            models.Index(
                fields=["due_date", "id"],
                name="tipoff_open_due",
                condition=models.Q(state__in=OPEN_STATES),
                include=["state", "category", "subdistrict"],
            ),
        ]
        permissions = [
            ("view_reporter_identity", _("Can view the reporter's identity")),
            ("intake_tipoff", _("Can accept, assign and merge pollution reports")),
            ("handle_tipoff", _("Can handle pollution reports assigned to own departments")),
            ("view_all_tipoffs", _("Can see every pollution report")),
            ("export_tipoffs", _("Can export pollution reports")),
            ("view_reward_eligibility", _("Can see the reward eligibility list")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.category.name}"

    @property
    def reference(self) -> str:
        """The case number staff use (not the secret tracking code)."""
        return f"JB{self.submitted_at:%Y}-{self.pk:06d}" if self.pk else "JB-new"

    @property
    def display_code(self) -> str:
        return format_tracking_code(self.tracking_code)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.due_date is not None and today > self.due_date


class ReporterIdentity(models.Model):
    """Who reported (real-name reports only), kept out of the case row; read only via selectors."""

    tipoff = models.OneToOneField(
        Tipoff, on_delete=models.CASCADE, related_name="identity", verbose_name=_("report")
    )
    name = models.CharField(_("name"), max_length=64, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[phone_validator], db_index=True
    )
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )
    consent_at = models.DateTimeField(_("consent given at"))
    consent_version = models.CharField(_("notice version"), max_length=16)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporter identity")
        verbose_name_plural = _("reporter identities")

    def __str__(self) -> str:
        return str(_("Reporter of report %(pk)s") % {"pk": self.tipoff_id})

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email) and self.purged_at is None


class IdentityAccessLog(AppendOnlyModel):
    """Every time a member of staff saw a reporter's identity (or an original photo).

    Append-only (``portal.audit``): the rows, the report and the account they name are protected
    from deletion.
    """

    tipoff = models.ForeignKey(
        Tipoff, on_delete=models.PROTECT, related_name="identity_views", verbose_name=_("report")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("viewed by"),
    )
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now)
    purpose = models.CharField(_("purpose"), max_length=64)

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name = _("identity access")
        verbose_name_plural = _("identity accesses")

    def __str__(self) -> str:
        return f"{self.user_id} {self.tipoff_id} {self.viewed_at:%Y-%m-%d %H:%M}"


class TipoffAssignment(models.Model):
    tipoff = models.ForeignKey(Tipoff, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    is_lead = models.BooleanField(_("lead department"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tipoff", "department"], name="unique_tipoff_dept")
        ]
        indexes = [models.Index(fields=["department", "tipoff"], name="tipoff_assign_dept")]

    def __str__(self) -> str:
        return f"{self.tipoff_id} → {self.department_id}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Investigation started")
    EXTENDED = "extended", _("Deadline extended")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    RATED = "rated", _("Rated")
    REVIEW_REQUESTED = "review_requested", _("Review (复查) requested")
    MERGED = "merged", _("Merged into another case")
    MERGE_RECEIVED = "merge_received", _("Another report merged in")
    INFO_ADDED = "info_added", _("Reporter added information")
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply")
    REMINDER = "reminder", _("Reminder (催办)")
    ESCALATION = "escalation", _("Escalation (督办)")
    PHOTO_APPROVED = "photo_approved", _("Photo approved for publication")
    OWNER = "owner", _("Officer in charge changed")


class ActorRole(models.TextChoices):
    INTAKE = "intake", _("Intake office")
    DEPARTMENT = "department", _("Handling department")
    REPORTER = "reporter", _("Reporter")
    SYSTEM = "system", _("System")
    ADMIN = "admin", _("Administrator")


class TipoffEvent(AppendOnlyModel):
    """One line of a case's history: who did what, when, from which state to which (append-only)."""

    tipoff = models.ForeignKey(
        Tipoff, on_delete=models.PROTECT, related_name="events", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_role = models.CharField(
        _("by (role)"),
        max_length=16,
        choices=ActorRole.choices,
        help_text=_("Shown to the reporter instead of a person's name."),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("visible to the reporter"), default=False)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class TipoffPhoto(models.Model):
    """A photo: the private original (evidence, hashed at intake) and the cleaned copy staff see."""

    tipoff = models.ForeignKey(
        Tipoff, on_delete=models.CASCADE, related_name="photos", verbose_name=_("report")
    )
    original = models.FileField(_("original"), storage=EvidenceStorage(), max_length=255)
    original_sha256 = models.CharField(_("SHA-256 of the original"), max_length=64)
    original_content_type = models.CharField(_("original type"), max_length=32)
    original_size = models.PositiveIntegerField(_("original size (bytes)"))
    cleaned = models.FileField(_("cleaned copy"), storage=EvidenceStorage(), max_length=255)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    public_approved = models.BooleanField(_("approved for publication"), default=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    def __str__(self) -> str:
        return f"{self.tipoff_id}/{self.pk}"

    @staticmethod
    def sha256_of(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class ReplyTemplate(models.Model):
    """A canned text staff pick when writing a reply or a decision in a given state."""

    title = models.CharField(_("title"), max_length=80)
    state = models.CharField(
        _("for state"), max_length=16, choices=State.choices, blank=True, db_index=True
    )
    body = models.TextField(_("text"))

    panels = [FieldPanel("title"), FieldPanel("state"), FieldPanel("body")]

    class Meta:
        ordering = ["state", "title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.title


def new_api_key() -> str:
    return secrets.token_urlsafe(24)


class Open311Client(models.Model):
    """A system allowed to POST reports through Open311 (api_key issued in the admin)."""

    name = models.CharField(_("name"), max_length=80)
    api_key = models.CharField(_("API key"), max_length=64, unique=True, default=new_api_key)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    panels = [FieldPanel("name"), FieldPanel("api_key"), FieldPanel("is_active")]

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name


class PurgeLog(AppendOnlyModel):
    """What the retention command purged, without the data itself (append-only)."""

    tipoff_id_value = models.BigIntegerField(_("report id"))
    reference = models.CharField(_("case number"), max_length=32)
    purged_at = models.DateTimeField(_("purged at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True)
    fields = models.CharField(_("fields purged"), max_length=128)

    class Meta:
        ordering = ["-purged_at"]
        verbose_name = _("identity purge")
        verbose_name_plural = _("identity purges")

    def __str__(self) -> str:
        return f"{self.reference} {self.purged_at:%Y-%m-%d}"


class IdentityRightChange(AppendOnlyModel):
    """A grant or revocation of a right to see reporters' identities or original photos.

    Written by ``portal.tipoffs.signals`` whenever the right changes hands: directly on an account,
    by joining or leaving a group that holds it, or by a group gaining or losing it. Append-only;
    shown to administrators under Report settings.
    """

    class Change(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REVOKED = "revoked", _("Revoked")

    class Via(models.TextChoices):
        USER_PERMISSION = "user_permission", _("Permission on the account")
        GROUP_MEMBERSHIP = "group_membership", _("Group membership")
        GROUP_PERMISSION = "group_permission", _("Permission on the group")
        GROUP_DELETED = "group_deleted", _("Group deleted")

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
        help_text=_("Empty when the change came from a command or the shell."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account"),
    )
    group_name = models.CharField(_("group"), max_length=150, blank=True)
    permission = models.CharField(_("right"), max_length=100)
    change = models.CharField(_("change"), max_length=8, choices=Change.choices)
    via = models.CharField(_("through"), max_length=20, choices=Via.choices)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("identity right change")
        verbose_name_plural = _("identity right changes")

    def __str__(self) -> str:
        whom = self.user_id or self.group_name
        return f"{self.get_change_display()} {self.permission} {whom} {self.at:%Y-%m-%d %H:%M}"


class ReportHubPage(EnglishTitleMixin, Page):
    """The 环境污染举报 section: every way in (file, track, public cases, statistics, the guide)
    and the urgent numbers, so no part of the reporting service is orphaned (issue 14)."""

    intro = models.TextField(_("introduction"), blank=True)
    urgent_numbers = RichTextField(
        _("urgent numbers"),
        blank=True,
        features=["bold", "link", "ul"],
        help_text=_(
            "Telephone numbers for emergencies and the environmental hotline, shown in a box on "
            "the section page (e.g. 12369; 110 or 119 when people or property are in danger)."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("urgent_numbers"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StandardPage"]
    max_count = 1
    template = "tipoffs/report_hub_page.html"

    class Meta:
        verbose_name = _("pollution report section page")
