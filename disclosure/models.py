"""生态环境信息公开: the catalogue, the annual plan, the plan's indicators and key projects,
requests for disclosure (依申请公开) and the annual report inputs.

Rows hold data and the invariants of one row; the rules that span rows live in
``services.py`` (writes), ``selectors.py`` (reads), ``deadlines.py`` and ``rates.py`` (pure).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField
from wagtail.images import get_image_model_string
from wagtail.models import Orderable, Page
from wagtail.search import index

from disclosure.deadlines import plan_entry_due_on
from disclosure.index_numbers import IndexNumberPatternError, format_index_number
from portal import codes
from portal.audit import AppendOnlyModel
from portal.localize import EnglishTitleMixin, english_name_field
from portal.pagecache import AnonymousCachedPageMixin
from portal.pages import page_context
from portal.search import ChineseSearchableMixin, html_to_text
from portal.uploads import validate_document_file

#: Years an officer may enter for a plan or a report: a typo such as 20255 is refused.
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]

# Paths the Django views own under the section; a child page may not take one of these slugs.
RESERVED_SLUGS = frozenset(
    {"indicators", "projects", "rate", "requests", "annual-report", "versions", "search"}
)


# --- Catalogue ------------------------------------------------------------------------------


class DisclosureCategory(models.Model):
    """主题分类: the taxonomy of the catalogue (机构职能, 政策文件, 环境质量, ...)."""

    class ReportRole(models.TextChoices):
        """What the annual report counts a category's items as (never its slug)."""

        NONE = "", _("No role in the annual report")
        NORMATIVE_DOCUMENTS = (
            "normative_documents",
            _("Normative documents (行政规范性文件) in the annual report"),
        )

    name = models.CharField(_("name"), max_length=64, unique=True)
    name_en = english_name_field(128)
    slug = models.SlugField(_("slug"), max_length=64, unique=True, allow_unicode=False)
    description = models.CharField(_("description"), max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    report_role = models.CharField(
        _("role in the annual report"),
        max_length=32,
        choices=ReportRole.choices,
        default=ReportRole.NONE,
        blank=True,
        help_text=_("Which row of the annual disclosure report counts this category's items."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
        FieldPanel("report_role"),
    ]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("disclosure category")
        verbose_name_plural = _("disclosure categories")

    def __str__(self) -> str:
        return self.name


@register_setting(icon="list-ol")
class DisclosureSettings(BaseGenericSetting):
    """How index numbers (索引号) are formed; one set for the whole portal."""

    index_number_pattern = models.CharField(
        _("index number pattern"),
        max_length=64,
        default="{org}/{year}-{serial:05d}",
        help_text=_(
            "Placeholders: {org} the issuing department's organisation code, {year} the "
            "publication year, {serial} the running number within that code and year "
            "(e.g. {serial:05d} for five digits)."
        ),
    )
    default_organisation_code = models.CharField(
        _("default organisation code"),
        max_length=32,
        default="000000000",
        help_text=_("Used when the issuing department has no organisation code."),
    )

    panels = [FieldPanel("index_number_pattern"), FieldPanel("default_organisation_code")]

    class Meta:
        verbose_name = _("disclosure settings")

    def clean(self):
        try:
            format_index_number(self.index_number_pattern, org="ORG", year=2025, serial=1)
        except IndexNumberPatternError as exc:
            raise ValidationError({"index_number_pattern": str(exc)}) from exc


class IndexNumberSequence(models.Model):
    """The last serial used for one organisation code and year (row-locked when allocating)."""

    organisation_code = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_code", "year"], name="unique_index_sequence"
            )
        ]
        verbose_name = _("index number sequence")

    def __str__(self) -> str:
        return f"{self.organisation_code}/{self.year}: {self.last_serial}"


def organisation_code_for(department) -> str:
    code = (department.organisation_code or "").strip()
    return code or DisclosureSettings.load().default_organisation_code


def allocate_index_number(*, department, year: int) -> str:
    """The next index number for ``department`` in ``year``; unique under concurrent callers.

    The sequence row is incremented with a single UPDATE (row-locked on PostgreSQL, database
    write lock on SQLite) inside the caller's transaction, so two concurrent publications
    never read the same serial. The unique constraint on the page field is the last guard.
    """
    org = organisation_code_for(department)
    pattern = DisclosureSettings.load().index_number_pattern
    with transaction.atomic():
        IndexNumberSequence.objects.get_or_create(organisation_code=org, year=year)
        IndexNumberSequence.objects.filter(organisation_code=org, year=year).update(
            last_serial=F("last_serial") + 1
        )
        serial = (
            IndexNumberSequence.objects.select_for_update()
            .values_list("last_serial", flat=True)
            .get(organisation_code=org, year=year)
        )
    return format_index_number(pattern, org=org, year=year, serial=serial)


class DisclosureIndexPage(AnonymousCachedPageMixin, EnglishTitleMixin, Page):
    """生态环境信息公开: the catalogue landing page with filters."""

    cache_params = frozenset({"category", "year", "department", "page"})

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("title_en"), FieldPanel("intro")]
    # Items, and plain pages such as the 政府信息公开指南 and the 制度 (rules) page.
    subpage_types = ["disclosure.DisclosureItemPage", "cms.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("disclosure index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(page_context(self, request))  # the catalogue: disclosure.views
        context["section"] = self
        return context

    def guide_pages(self):
        """The section's plain pages (政府信息公开指南, 制度), shown in the section's menu."""
        return list(self.get_children().live().public().not_type(DisclosureItemPage).specific())


class DisclosureItemPage(AnonymousCachedPageMixin, ChineseSearchableMixin, Page):
    """One disclosed document with the metadata table Chinese government sites show."""

    class DocType(models.TextChoices):
        NOTICE = "通知", _("Notice (通知)")
        ANNOUNCEMENT = "公告", _("Announcement (公告)")
        BULLETIN = "通告", _("Public notice (通告)")
        DECISION = "决定", _("Decision (决定)")
        OPINION = "意见", _("Opinion (意见)")
        REPORT = "报告", _("Report (报告)")
        MEASURES = "办法", _("Measures (办法)")
        PLAN = "规划", _("Plan (规划)")
        PROGRAMME = "方案", _("Programme (方案)")
        REPLY = "批复", _("Official reply (批复)")
        LETTER = "函", _("Letter (函)")
        OTHER = "其他", _("Other (其他)")

    class Validity(models.TextChoices):
        VALID = "valid", _("In force (有效)")
        REPEALED = "repealed", _("Repealed (废止)")
        EXPIRED = "expired", _("Expired (失效)")

    index_number = models.CharField(
        _("index number"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Generated when the item is first saved."),
    )
    department = models.ForeignKey(
        "portal.Department",
        on_delete=models.PROTECT,
        related_name="disclosure_items",
        verbose_name=_("issuing body"),
    )
    category = models.ForeignKey(
        DisclosureCategory,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("category"),
    )
    doc_type = models.CharField(
        _("document type"), max_length=8, choices=DocType.choices, default=DocType.NOTICE
    )
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    written_date = models.DateField(_("date written"))
    publication_date = models.DateField(_("publication date"), db_index=True)
    validity = models.CharField(
        _("validity"), max_length=16, choices=Validity.choices, default=Validity.VALID
    )
    summary = models.TextField(_("summary"), blank=True, max_length=500)
    body = RichTextField(_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("department"),
                FieldPanel("category"),
                FieldRowPanel([FieldPanel("doc_type"), FieldPanel("document_number")]),
                FieldRowPanel([FieldPanel("written_date"), FieldPanel("publication_date")]),
                FieldPanel("validity"),
            ],
            heading=_("Metadata"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", heading=_("Attachments"), label=_("attachment")),
    ]
    search_fields = [
        *ChineseSearchableMixin.search_fields,
        index.FilterField("publication_date"),
        index.FilterField("category_id"),
        index.FilterField("department_id"),
    ]
    search_result_label = _("Disclosure")
    parent_page_types = ["disclosure.DisclosureIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("disclosure item")
        verbose_name_plural = _("disclosure items")
        indexes = [
            # The catalogue's order (newest first, ties by id): page 1 is a walk of this index.
            models.Index(
                fields=["-publication_date", "-page_ptr"], name="disclosure_item_pub_order"
            )
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("This slug is reserved for the section's own pages.")
        if (
            self.written_date
            and self.publication_date
            and self.written_date > self.publication_date
        ):
            errors["publication_date"] = _(
                "The publication date cannot be before the date written."
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self.index_number and self.department_id and self.publication_date:
            self.index_number = allocate_index_number(
                department=self.department, year=self.publication_date.year
            )
        return super().save(*args, **kwargs)

    def get_search_body_text(self) -> str:
        return " ".join(
            part
            for part in (
                self.index_number or "",
                self.document_number,
                self.department.name if self.department_id else "",
                self.category.name if self.category_id else "",
                self.summary,
                html_to_text(self.body),
            )
            if part
        )

    def get_search_result_date(self):
        return self.publication_date

    def versions_newest_first(self) -> list[DisclosureItemVersion]:
        return list(
            DisclosureItemVersion.objects.filter(item=self).defer("text").order_by("-number")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["versions"] = self.versions_newest_first()
        context["section"] = self.get_parent().specific
        context["attachment_list"] = list(
            self.attachments.select_related("document").order_by("sort_order")
        )
        return context


class DisclosureItemAttachment(Orderable):
    page = ParentalKey(DisclosureItemPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        get_document_model_string(),
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("document"),
    )
    label = models.CharField(_("label"), max_length=255, blank=True)

    panels = [FieldPanel("document"), FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")

    def clean(self):
        super().clean()
        if self.document_id:
            try:
                validate_document_file(
                    self.document.file, max_bytes=settings.DISCLOSURE_ATTACHMENT_MAX_BYTES
                )
            except ValidationError as exc:
                raise ValidationError({"document": exc.messages}) from exc


class DisclosureItemVersion(models.Model):
    """A published version of an item: what a resident saw from ``published_at`` on."""

    item = models.ForeignKey(DisclosureItemPage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revision_id = models.BigIntegerField(null=True, blank=True)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64)
    title = models.CharField(max_length=255)
    text = models.TextField(help_text=_("Body and metadata as plain text, as fingerprinted."))
    attachments = models.JSONField(default=list)

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="unique_item_version")
        ]
        verbose_name = _("disclosure item version")

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


# --- Annual disclosure plan -----------------------------------------------------------------


class DisclosurePlan(ClusterableModel):
    """生态环境信息公开年度计划: what will be disclosed in a year and by when."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=255)
    note = models.TextField(_("note"), blank=True)

    panels = [
        FieldPanel("year"),
        FieldPanel("title"),
        FieldPanel("note"),
        InlinePanel("entries", heading=_("Planned entries"), label=_("entry")),
    ]

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual disclosure plan")
        verbose_name_plural = _("annual disclosure plans")

    def __str__(self) -> str:
        return self.title


class DisclosurePlanEntry(Orderable):
    """One planned disclosure: due on a fixed date, or 20 working days after it is formed."""

    class DueRule(models.TextChoices):
        FIXED = "fixed", _("Fixed due date")
        AFTER_FORMED = "after_formed", _("20 working days after it is formed (Art. 26)")

    plan = ParentalKey(DisclosurePlan, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(_("what"), max_length=255)
    category = models.ForeignKey(
        DisclosureCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    department = models.ForeignKey(
        "portal.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    due_rule = models.CharField(
        _("due rule"), max_length=16, choices=DueRule.choices, default=DueRule.FIXED
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    formed_date = models.DateField(
        _("date formed"),
        null=True,
        blank=True,
        help_text=_("When the information was formed or changed."),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True, editable=False, db_index=True)
    item = models.ForeignKey(
        DisclosureItemPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_entries",
        verbose_name=_("published item"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("department")]),
        FieldRowPanel([FieldPanel("due_rule"), FieldPanel("due_date"), FieldPanel("formed_date")]),
        FieldPanel("item"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("plan entry")
        verbose_name_plural = _("plan entries")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        if self.due_rule == self.DueRule.FIXED and not self.due_date:
            errors["due_date"] = _("Enter the due date.")
        if self.due_rule == self.DueRule.AFTER_FORMED and not self.formed_date:
            errors["formed_date"] = _("Enter the date the information was formed.")
        if (
            self.due_rule == self.DueRule.FIXED
            and self.due_date
            and self.formed_date
            and self.due_date < self.formed_date
        ):
            errors["due_date"] = _("An entry cannot be due before the information is formed.")
        if errors:
            raise ValidationError(errors)
        try:
            self.due_on = plan_entry_due_on(
                rule=self.due_rule, due_date=self.due_date, formed_date=self.formed_date
            )
        except Exception as exc:  # WorkdayCalendarUnknown: tell the officer what to enter
            raise ValidationError(str(exc)) from exc

    def save(self, *args, **kwargs):
        self.due_on = plan_entry_due_on(
            rule=self.due_rule, due_date=self.due_date, formed_date=self.formed_date
        )
        super().save(*args, **kwargs)


# --- Indicators (表1) ------------------------------------------------------------------------


class Indicator(models.Model):
    """One row of the plan's 表1 (a top-level indicator or one part of a multi-part one)."""

    class Field(models.TextChoices):
        SYSTEM = "生态制度", _("Eco-institutions (生态制度)")
        SECURITY = "生态安全", _("Eco-security (生态安全)")
        SPACE = "生态空间", _("Eco-space (生态空间)")
        ECONOMY = "生态经济", _("Eco-economy (生态经济)")
        LIVING = "生态生活", _("Eco-living (生态生活)")
        CULTURE = "生态文化", _("Eco-culture (生态文化)")

    class Status(models.TextChoices):
        MET = "已达标", _("Met (已达标)")
        NOT_MET = "未达标", _("Not met (未达标)")
        NO_DATA = "无现状", _("No baseline (无现状)")

    field = models.CharField(_("field"), max_length=8, choices=Field.choices)
    task = models.CharField(_("task"), max_length=64)
    number = models.PositiveSmallIntegerField(_("number"))
    part = models.PositiveSmallIntegerField(
        _("part"), default=0, help_text=_("0 for the indicator, 1, 2, ... for its parts.")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="parts"
    )
    name = models.CharField(_("name"), max_length=128)
    name_en = english_name_field(255)
    qualifier = models.CharField(_("qualifier"), max_length=128, blank=True)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    target_value = models.CharField(_("indicator value"), max_length=128, blank=True)
    baseline_value = models.CharField(_("baseline value"), max_length=128, blank=True)
    baseline_status = models.CharField(_("baseline status"), max_length=8, blank=True)
    planned_2025 = models.CharField(_("2025 planned value"), max_length=128, blank=True)
    attribute = models.CharField(_("binding or reference"), max_length=8, blank=True)
    responsible_units = models.CharField(_("responsible units"), max_length=255, blank=True)
    departments = models.ManyToManyField(
        "portal.Department", blank=True, related_name="indicators", verbose_name=_("departments")
    )

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("part")]),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("qualifier"),
        FieldRowPanel([FieldPanel("field"), FieldPanel("task")]),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("attribute")]),
        FieldRowPanel(
            [FieldPanel("target_value"), FieldPanel("baseline_value"), FieldPanel("planned_2025")]
        ),
        FieldPanel("baseline_status"),
        FieldPanel("responsible_units"),
        FieldPanel("departments"),
    ]

    class Meta:
        ordering = ["number", "part"]
        constraints = [
            models.UniqueConstraint(fields=["number", "part"], name="unique_indicator_number")
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        if self.part:
            return f"{self.number}.{self.part} {self.name}"
        return f"{self.number} {self.name}"

    @property
    def code(self) -> str:
        return f"{self.number}.{self.part}" if self.part else str(self.number)


class IndicatorReading(models.Model):
    """A value of an indicator for a period, entered by an officer (or recorded from a survey)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="readings", verbose_name=_("indicator")
    )
    period = models.CharField(
        _("period"),
        max_length=16,
        help_text=_("A year (2024) or a part of one (2024-H1, 2024-Q3)."),
    )
    period_end = models.DateField(_("end of period"))
    value = models.DecimalField(
        _("numeric value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    value_text = models.CharField(
        _("value as text"),
        max_length=128,
        blank=True,
        help_text=_("For qualitative indicators (建立, 有效开展) or a value with its sign."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Indicator.Status.choices)
    source_note = models.CharField(_("source"), max_length=255)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("indicator"),
        FieldRowPanel([FieldPanel("period"), FieldPanel("period_end")]),
        FieldRowPanel([FieldPanel("value"), FieldPanel("value_text")]),
        FieldPanel("status"),
        FieldPanel("source_note"),
    ]

    class Meta:
        ordering = ["indicator", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="unique_reading_period")
        ]
        verbose_name = _("indicator reading")
        verbose_name_plural = _("indicator readings")

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.value_text:
            return self.value_text
        if self.value is None:
            return ""
        return f"{self.value.normalize():f}"

    def clean(self):
        if self.value is None and not self.value_text:
            raise ValidationError(_("Enter a numeric value or a value as text."))


# --- Key projects (附表) ---------------------------------------------------------------------


class ProjectSystem(models.Model):
    """One of the six systems of 表2 with the plan's stated investment."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=16, unique=True)
    name_en = english_name_field(64)
    planned_investment = models.DecimalField(
        _("investment in the plan (10k yuan)"), max_digits=14, decimal_places=2
    )
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["number"]
        verbose_name = _("project system")

    def __str__(self) -> str:
        return self.name


class KeyProject(models.Model):
    """One of the plan's 48 key projects, with its latest progress denormalised for lists."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started (未开工)")
        IN_PROGRESS = "in_progress", _("Under construction (在建)")
        COMPLETED = "completed", _("Completed (完工)")
        DELAYED = "delayed", _("Delayed (延期)")

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    system = models.ForeignKey(
        ProjectSystem,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=pgettext_lazy("key project system", "system"),
    )
    name = models.CharField(_("name"), max_length=128)
    name_en = english_name_field(255)
    content = models.TextField(_("construction content"))
    location = models.CharField(_("location"), max_length=128)
    period = models.CharField(_("construction period"), max_length=32)
    total_investment = models.DecimalField(
        _("total investment (10k yuan)"), max_digits=14, decimal_places=2
    )
    total_investment_text = models.CharField(
        _("total investment as written"), max_length=32, blank=True
    )
    responsible_units = models.CharField(_("responsible units"), max_length=255)
    departments = models.ManyToManyField(
        "portal.Department", blank=True, related_name="key_projects", verbose_name=_("departments")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        editable=False,
    )
    percent_complete = models.PositiveSmallIntegerField(_("% complete"), default=0, editable=False)
    progress_date = models.DateField(_("last update"), null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("system")]),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("content"),
        FieldRowPanel([FieldPanel("location"), FieldPanel("period")]),
        FieldRowPanel([FieldPanel("total_investment"), FieldPanel("total_investment_text")]),
        FieldPanel("responsible_units"),
        FieldPanel("departments"),
    ]

    class Meta:
        ordering = ["number"]
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ProjectProgress(ClusterableModel):
    """A dated progress update of a key project."""

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="progress", verbose_name=_("project")
    )
    date = models.DateField(_("date"))
    percent_complete = models.PositiveSmallIntegerField(
        _("% complete"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(_("status"), max_length=16, choices=KeyProject.Status.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("project"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("percent_complete"), FieldPanel("status")]),
        FieldPanel("note"),
        InlinePanel("photos", heading=_("Photos"), label=_("photo")),
    ]

    class Meta:
        ordering = ["project", "-date", "-pk"]
        verbose_name = _("project progress update")
        verbose_name_plural = _("project progress updates")

    def __str__(self) -> str:
        return f"{self.project} {self.date:%Y-%m-%d} {self.percent_complete}%"

    def clean(self):
        if self.status == KeyProject.Status.COMPLETED and self.percent_complete != 100:
            raise ValidationError({"percent_complete": _("A completed project is 100% complete.")})
        if self.status == KeyProject.Status.NOT_STARTED and self.percent_complete:
            raise ValidationError(
                {"percent_complete": _("A project that has not started is 0% complete.")}
            )


class ProjectProgressPhoto(Orderable):
    progress = ParentalKey(ProjectProgress, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        get_image_model_string(),
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("image"),
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


# --- Requests for disclosure (依申请公开) ------------------------------------------------------


class DisclosureRequest(models.Model):
    """A request under the 条例; its state changes only through ``disclosure.workflow``."""

    class ApplicantType(models.TextChoices):
        PERSON = "person", _("Natural person (自然人)")
        BUSINESS = "business", _("Business (商业企业)")
        RESEARCH = "research", _("Research institution (科研机构)")
        NONPROFIT = "nonprofit", _("Public-interest organisation (社会公益组织)")
        LEGAL = "legal", _("Legal service organisation (法律服务机构)")
        OTHER_ORG = "other_org", _("Other organisation (其他)")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("Resident identity card (居民身份证)")
        PASSPORT = "passport", _("Passport (护照)")
        HK_MACAO = "hk_macao", _("Mainland travel permit for HK/Macao residents")
        TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
        CREDIT_CODE = "credit_code", _("Unified social credit code (统一社会信用代码)")
        OTHER = "other", _("Other (其他)")

    class Delivery(models.TextChoices):
        EMAIL = "email", _("By email (电子邮件)")
        POST = "post", _("Paper copy by post (邮寄纸质)")
        COLLECT = "collect", _("Collect in person (当面领取)")
        DISC = "disc", _("On disc (光盘)")
        ONLINE = "online", _("Online, on this site (网上获取)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested (补正)")
        IN_CONSULTATION = "in_consultation", _("Third-party consultation (clock paused)")
        PROCESSING = "processing", _("Processing")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")

    class ReplyType(models.TextChoices):
        # Art. 36 of the 条例, in the rows of the annual report (国办公开办函〔2021〕30号).
        DISCLOSED = "disclosed", _("Disclosed (予以公开)")
        PARTLY = "partly", _("Partly disclosed (部分公开)")
        WITHHELD_SECRET = "withheld_secret", _("Withheld: state secret (属于国家秘密)")
        WITHHELD_LAW = "withheld_law", _("Withheld: prohibited by law (其他法律行政法规禁止公开)")
        WITHHELD_SAFETY = (
            "withheld_safety",
            _('Withheld: endangers "three securities and one stability"'),
        )
        WITHHELD_THIRD = "withheld_third", _("Withheld: third-party rights (保护第三方合法权益)")
        WITHHELD_INTERNAL = "withheld_internal", _("Withheld: internal affairs (三类内部事务信息)")
        WITHHELD_PROCESS = "withheld_process", _("Withheld: process information (四类过程性信息)")
        WITHHELD_ENFORCEMENT = (
            "withheld_enforcement",
            _("Withheld: enforcement case file (行政执法案卷)"),
        )
        WITHHELD_QUERY = "withheld_query", _("Withheld: administrative query (行政查询事项)")
        UNAVAILABLE_NOT_HELD = "unavailable_not_held", _("Cannot provide: not held (本机关不掌握)")
        UNAVAILABLE_NEEDS_CREATION = (
            "unavailable_creation",
            _("Cannot provide: would need to be created (需要另行制作)"),
        )
        UNAVAILABLE_UNCLEAR = (
            "unavailable_unclear",
            _("Cannot provide: still unclear after supplement (补正后仍不明确)"),
        )
        NOT_PROCESSED_COMPLAINT = (
            "np_complaint",
            _("Not processed: complaint or petition (信访举报投诉类)"),
        )
        NOT_PROCESSED_REPEAT = "np_repeat", _("Not processed: repeated request (重复申请)")
        NOT_PROCESSED_PUBLICATION = (
            "np_publication",
            _("Not processed: public publication (要求提供公开出版物)"),
        )
        NOT_PROCESSED_MASS = (
            "np_mass",
            _("Not processed: large repeated requests (无正当理由大量反复申请)"),
        )
        NOT_PROCESSED_CONFIRM = (
            "np_confirm",
            _("Not processed: confirm or re-issue (要求确认或重新出具)"),
        )
        OTHER_NO_SUPPLEMENT = "other_no_supplement", _("Other: no supplement in time (逾期不补正)")
        OTHER_NO_FEE = "other_no_fee", _("Other: fee not paid (逾期未缴费)")
        OTHER = "other", _("Other (其他)")

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    applicant_type = models.CharField(
        _("applicant type"), max_length=16, choices=ApplicantType.choices
    )
    applicant_name = models.CharField(_("name or organisation"), max_length=100)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=32)
    id_last4 = models.CharField(max_length=4, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    description = models.TextField(_("information requested"), max_length=2000)
    delivery = models.CharField(_("form of delivery"), max_length=16, choices=Delivery.choices)
    department = models.ForeignKey(
        "portal.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosure_requests",
        verbose_name=_("handling department"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.RECEIVED, editable=False
    )
    received_on = models.DateField(_("received on"), editable=False)
    clock_start = models.DateField(
        _("clock starts"),
        editable=False,
        help_text=_("The date the 20 working days count from: receipt, or the supplement."),
    )
    paused_working_days = models.PositiveSmallIntegerField(default=0, editable=False)
    paused_since = models.DateField(null=True, blank=True, editable=False)
    supplement_requested_on = models.DateField(null=True, blank=True, editable=False)
    supplement_received_on = models.DateField(null=True, blank=True, editable=False)
    extension_days = models.PositiveSmallIntegerField(default=0, editable=False)
    extension_reason = models.TextField(blank=True, editable=False)
    due_on = models.DateField(_("due on"), null=True, blank=True, editable=False, db_index=True)
    reply_type = models.CharField(
        _("reply type"), max_length=24, choices=ReplyType.choices, blank=True, editable=False
    )
    reply_text = models.TextField(_("reply"), blank=True, editable=False)
    reply_reason = models.TextField(_("legal basis and reasons"), blank=True, editable=False)
    replied_on = models.DateField(null=True, blank=True, editable=False)
    closed_on = models.DateField(null=True, blank=True, editable=False)
    redirected = models.BooleanField(_("redirected (Art. 39)"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("account"),
        help_text=_("The account the request was filed from, shown to its owner on 我的."),
    )
    # Set when the retention purge erased the ID number and contacts (docs/privacy.md).
    identity_purged_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("disclosure request")
        verbose_name_plural = _("disclosure requests")
        permissions = [
            ("process_disclosurerequest", "Can process disclosure requests"),
            ("reveal_applicant_id", "Can reveal applicants' ID numbers (each reveal logged)"),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def display_number(self) -> str:
        """The number for people: ``YSQ2026-ABCD-EFGH`` (the portal's one code format,
        portal/codes.py); the stored number has no separators and look-ups accept either."""
        return codes.format_code(self.tracking_number, prefix_length=7)

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.REPLIED, self.Status.CLOSED)

    @property
    def applicant_is_person(self) -> bool:
        return self.applicant_type == self.ApplicantType.PERSON

    @property
    def masked_id(self) -> str:
        return "*" * max(len(self.id_number) - 4, 0) + self.id_last4


class DisclosureRequestAttachment(models.Model):
    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.CASCADE, related_name="reply_attachments"
    )
    document = models.ForeignKey(
        get_document_model_string(), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("reply attachment")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.document_id}"


class DisclosureRequestEvent(AppendOnlyModel):
    """Who did what to a request, and when. Written in the same transaction as the change;
    append-only (``portal.audit``)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Assigned to a department")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
        SUPPLEMENTED = "supplemented", _("Supplement received")
        CONSULTATION_STARTED = "consultation_started", _("Third-party consultation started")
        CONSULTATION_ENDED = "consultation_ended", _("Third-party consultation ended")
        EXTENDED = "extended", _("Deadline extended")
        REPLIED = "replied", _("Replied")
        REDIRECTED = "redirected", _("Redirected (Art. 39)")
        CLOSED = "closed", _("Closed")
        NOTE = "note", pgettext_lazy("remark", "Note")

    request = models.ForeignKey(DisclosureRequest, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    on_date = models.DateField()
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    note = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["request", "at", "pk"]
        verbose_name = _("request event")

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.at:%Y-%m-%d}"


# --- Annual report inputs -------------------------------------------------------------------


class AnnualReportInputs(models.Model):
    """Figures and text of the 年度报告 that live outside this module, entered by officers."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=YEAR_VALIDATORS)
    agency = models.CharField(
        _("reporting agency"),
        max_length=128,
        blank=True,
        help_text=_("Named in the title; empty: the site's operator (承办单位)."),
    )
    published_on = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_("Until this date is set and reached, the report is shown as a draft (草稿)."),
    )
    overview = models.TextField(_("一、overview"), blank=True)
    problems = models.TextField(_("五、problems and improvements"), blank=True)
    other_matters = models.TextField(_("六、other matters"), blank=True)
    rules_issued = models.PositiveIntegerField(_("rules issued"), default=0)
    rules_repealed = models.PositiveIntegerField(_("rules repealed"), default=0)
    rules_in_force = models.PositiveIntegerField(_("rules in force"), default=0)
    licences_decided = models.PositiveIntegerField(_("licensing decisions"), default=0)
    penalties_decided = models.PositiveIntegerField(_("penalty decisions"), default=0)
    coercive_measures = models.PositiveIntegerField(
        _("administrative coercion decisions"), default=0
    )
    fees_amount = models.DecimalField(
        _("administrative fees (10k yuan)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    # 四、行政复议、行政诉讼: 维持 / 纠正 / 其他 / 尚未审结 for each of the three groups.
    review_upheld = models.PositiveIntegerField(_("review: upheld"), default=0)
    review_corrected = models.PositiveIntegerField(_("review: corrected"), default=0)
    review_other = models.PositiveIntegerField(_("review: other result"), default=0)
    review_pending = models.PositiveIntegerField(_("review: pending"), default=0)
    suit_direct_upheld = models.PositiveIntegerField(_("direct suit: upheld"), default=0)
    suit_direct_corrected = models.PositiveIntegerField(_("direct suit: corrected"), default=0)
    suit_direct_other = models.PositiveIntegerField(_("direct suit: other result"), default=0)
    suit_direct_pending = models.PositiveIntegerField(_("direct suit: pending"), default=0)
    suit_after_upheld = models.PositiveIntegerField(_("suit after review: upheld"), default=0)
    suit_after_corrected = models.PositiveIntegerField(_("suit after review: corrected"), default=0)
    suit_after_other = models.PositiveIntegerField(_("suit after review: other result"), default=0)
    suit_after_pending = models.PositiveIntegerField(_("suit after review: pending"), default=0)

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("published_on")]),
        FieldPanel("agency"),
        FieldPanel("overview"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("rules_issued"),
                        FieldPanel("rules_repealed"),
                        FieldPanel("rules_in_force"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("licences_decided"),
                        FieldPanel("penalties_decided"),
                        FieldPanel("coercive_measures"),
                    ]
                ),
                FieldPanel("fees_amount"),
            ],
            heading=_("二、proactive disclosure figures kept elsewhere"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("review_upheld"),
                        FieldPanel("review_corrected"),
                        FieldPanel("review_other"),
                        FieldPanel("review_pending"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("suit_direct_upheld"),
                        FieldPanel("suit_direct_corrected"),
                        FieldPanel("suit_direct_other"),
                        FieldPanel("suit_direct_pending"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("suit_after_upheld"),
                        FieldPanel("suit_after_corrected"),
                        FieldPanel("suit_after_other"),
                        FieldPanel("suit_after_pending"),
                    ]
                ),
            ],
            heading=_("四、administrative review and litigation"),
        ),
        FieldPanel("problems"),
        FieldPanel("other_matters"),
    ]

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual report inputs")
        verbose_name_plural = _("annual report inputs")

    def __str__(self) -> str:
        return str(self.year)


def today() -> dt.date:
    """The local date (Asia/Shanghai); one place so tests can pin it."""
    from django.utils import timezone

    return timezone.localdate()
