"""Enterprise environmental information disclosure (企业环境信息依法披露, 办法 24号令).

The list (``Enterprise`` with its five categories and listing years), the enterprise accounts
(``EnterpriseAccount``: a user scoped to one enterprise) and API tokens, annual reports (a draft,
then frozen ``ReportVersion`` rows: a correction is a new version with a reason), temporary
reports, and self-monitoring (``Outlet``, ``OutletLimit``, ``MonitoringResult``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

from enterprises import report_format, values
from enterprises.validators import normalize_credit_code, validate_credit_code
from portal.storage import PrivateStorage


class EnterpriseQuerySet(models.QuerySet):
    def listed_in(self, year: int):
        """Enterprises on the mandatory list of ``year``."""
        return self.filter(listed_from__lte=year).filter(
            models.Q(listed_until__isnull=True) | models.Q(listed_until__gte=year)
        )

    def published(self):
        return self.filter(is_published=True)


class Enterprise(ClusterableModel):
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    name = models.CharField(_("name"), max_length=128)
    subdistrict = models.ForeignKey(
        "portal.Subdistrict",
        verbose_name=_("sub-district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    industry = models.CharField(_("industry"), max_length=32, choices=values.INDUSTRIES)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_key_polluter = models.BooleanField(dict(values.CATEGORIES)["is_key_polluter"], default=False)
    is_clean_production_audit = models.BooleanField(
        dict(values.CATEGORIES)["is_clean_production_audit"], default=False
    )
    is_listed_company = models.BooleanField(
        dict(values.CATEGORIES)["is_listed_company"], default=False
    )
    is_bond_issuer = models.BooleanField(dict(values.CATEGORIES)["is_bond_issuer"], default=False)
    is_other_by_law = models.BooleanField(dict(values.CATEGORIES)["is_other_by_law"], default=False)
    listed_from = models.PositiveSmallIntegerField(
        _("on the list from year"),
        null=True,
        blank=True,
        help_text=_("Empty for an enterprise that is not on the list (voluntary carbon filer)."),
    )
    listed_until = models.PositiveSmallIntegerField(
        _("on the list until year"),
        null=True,
        blank=True,
        help_text=_("The last year on the list; empty while it stays on it."),
    )
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        help_text=_("Why the enterprise must disclose (e.g. 重点排污单位名录 2025)."),
    )
    is_published = models.BooleanField(_("shown on the public list"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("credit_code"),
        FieldRowPanel([FieldPanel("subdistrict"), FieldPanel("industry")]),
        FieldPanel("address"),
        MultiFieldPanel(
            [FieldPanel(name) for name, _label in values.CATEGORIES],
            heading=_("Disclosure categories"),
        ),
        FieldRowPanel([FieldPanel("listed_from"), FieldPanel("listed_until")]),
        FieldPanel("legal_basis"),
        FieldPanel("is_published"),
        InlinePanel("outlets", label=_("Monitoring outlets")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [
            ("supervise_enterprises", _("Supervise enterprise disclosure")),
            ("file_enterprise_report", _("File the disclosures of one's own enterprise")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = normalize_credit_code(self.credit_code)
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        self.credit_code = normalize_credit_code(self.credit_code)
        if self.listed_from and self.listed_until and self.listed_until < self.listed_from:
            raise ValidationError(
                {"listed_until": _("The last year on the list is before the first.")}
            )
        if self.listed_from and not self.category_codes():
            raise ValidationError(
                _("An enterprise on the list needs at least one disclosure category.")
            )

    def category_codes(self) -> list[str]:
        return [name for name, _label in values.CATEGORIES if getattr(self, name)]

    def category_labels(self) -> list[str]:
        return [str(label) for name, label in values.CATEGORIES if getattr(self, name)]

    def is_listed(self, year: int) -> bool:
        return bool(
            self.listed_from
            and self.listed_from <= year
            and (self.listed_until is None or self.listed_until >= year)
        )


class EnterpriseAccount(models.Model):
    """A user who files for one enterprise (the enterprise discloser role, scoped)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_accounts"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="accounts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "enterprise"], name="enterprise_account_once")
        ]
        verbose_name = _("enterprise account")
        verbose_name_plural = _("enterprise accounts")

    def __str__(self) -> str:
        return f"{self.user} → {self.enterprise}"


class ApiToken(models.Model):
    """A monitoring API token of one enterprise; only its SHA-256 is stored."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tokens")
    label = models.CharField(_("label"), max_length=64)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label})"


class AnnualReport(models.Model):
    """One enterprise's annual report on one year: an editable draft and its frozen versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CORRECTING = "correcting", _("Correction in progress")

    class Scope(models.TextChoices):
        FULL = "full", _("Full annual report")
        CARBON = "carbon", _("Voluntary carbon disclosure")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year covered"))
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.FULL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    draft = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="annual_report_once")
        ]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"

    @property
    def carbon_only(self) -> bool:
        return self.scope == self.Scope.CARBON

    @property
    def extra_parts(self) -> tuple[str, ...]:
        """The extra parts the enterprise owes (clean-production audit, listed/bond issuers)."""
        if self.carbon_only:
            return ()
        return report_format.extra_parts_for(self.enterprise.category_codes())

    def versions_newest_first(self):
        return self.versions.order_by("-number")


class ReportVersion(models.Model):
    """A submitted version, frozen: never edited; a correction adds the next number."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("Filed on the portal")
        IMPORT = "import", _("Imported by the bureau")

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    reason = models.TextField(_("reason for the correction"), blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PORTAL)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_late = models.BooleanField(default=False)
    attachments = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The attached files as frozen with this version (id, title, name, SHA-256)."),
    )

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class LegalDocument(models.Model):
    """A legal document the bureau served on an enterprise (第十七条): it starts the 5-working-day
    clock of a temporary report before the enterprise files anything, so a report never filed is
    counted missing. The enterprise's temporary report on the same document number links to it."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="legal_documents"
    )
    document_kind = models.CharField(
        _("kind of document"), max_length=16, choices=values.DOCUMENT_KINDS
    )
    document_number = models.CharField(_("document number"), max_length=100)
    issued_by = models.CharField(_("issued by"), max_length=100)
    served_on = models.DateField(
        _("served on"), help_text=_("The day the enterprise received the document.")
    )
    due_on = models.DateField(_("due on"))
    note = models.TextField(_("note"), blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)
    late_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "document_number"], name="legal_document_once"
            )
        ]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.document_number}"


class TemporaryReport(models.Model):
    """A temporary report (临时报告) on a legal document, due 5 working days after receipt."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="temporary_reports"
    )
    document_kind = models.CharField(
        _("kind of document"), max_length=16, choices=values.DOCUMENT_KINDS
    )
    document_number = models.CharField(_("document number"), max_length=100)
    issued_by = models.CharField(_("issued by"), max_length=100)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    content = models.TextField(_("what the document decides and what the enterprise does"))
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_late = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64)
    legal_document = models.OneToOneField(
        LegalDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="temporary_report",
        help_text=_("The document as the bureau registered it, when it did."),
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "document_number"], name="temporary_report_once"
            )
        ]
        verbose_name = _("temporary report")
        verbose_name_plural = _("temporary reports")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.document_number}"


def _attachment_name(instance, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"enterprises/attachments/{instance.enterprise_id}/{uuid.uuid4().hex}.{extension}"


class ReportAttachment(models.Model):
    """A document attached to an annual report or to a temporary report (a monitoring report, the
    legal document, a rectification plan). The file never changes: a correction that replaces it
    adds a new row, and a version keeps naming the rows it was submitted with. Private storage:
    a file reaches a browser only through ``views.attachment``, which serves it publicly once a
    submitted version or a filed temporary report names it."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="attachments")
    report = models.ForeignKey(
        AnnualReport, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    temporary_report = models.ForeignKey(
        TemporaryReport,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(storage=PrivateStorage(), upload_to=_attachment_name, max_length=255)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    in_draft = models.BooleanField(
        default=True, help_text=_("Part of the report's current draft (annual reports).")
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, temporary_report__isnull=True)
                | models.Q(report__isnull=True, temporary_report__isnull=False),
                name="attachment_belongs_to_one_report",
            )
        ]
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")

    def __str__(self) -> str:
        return self.title

    def frozen(self) -> dict:
        """What a version records of this file (and its fingerprint covers)."""
        return {
            "id": self.pk,
            "title": self.title,
            "filename": self.filename,
            "sha256": self.sha256,
        }


class Outlet(ClusterableModel):
    enterprise = ParentalKey(Enterprise, on_delete=models.CASCADE, related_name="outlets")
    code = models.CharField(
        _("outlet code"), max_length=32, help_text=_("As in the permit, e.g. DA001.")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=values.OUTLET_KINDS)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("kind")]),
        InlinePanel("limits", label=_("Limits")),
    ]

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="outlet_code_once")
        ]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OutletLimit(models.Model):
    outlet = ParentalKey(Outlet, on_delete=models.CASCADE, related_name="limits")
    pollutant = models.CharField(
        _("pollutant"), max_length=8, choices=[(k, v[0]) for k, v in values.POLLUTANTS.items()]
    )
    limit = models.DecimalField(_("emission limit"), max_digits=12, decimal_places=3)

    panels = [FieldRowPanel([FieldPanel("pollutant"), FieldPanel("limit")])]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outlet", "pollutant"], name="outlet_limit_once")
        ]

    def __str__(self) -> str:
        return f"{self.outlet.code} {self.pollutant} ≤ {self.limit} {self.unit}"

    @property
    def unit(self) -> str:
        return values.pollutant_unit(self.pollutant)


class MonitoringResult(models.Model):
    class Source(models.TextChoices):
        API = "api", _("API")
        IMPORT = "import", _("Import")

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="results")
    pollutant = models.CharField(max_length=8)
    measured_at = models.DateTimeField()
    value = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=8)
    limit = models.DecimalField(max_digits=12, decimal_places=3)
    exceeded = models.BooleanField(default=False)
    method = models.CharField(max_length=10, choices=values.MONITORING_METHODS)
    source = models.CharField(max_length=8, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outlet", "pollutant", "measured_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "pollutant", "measured_at"], name="monitoring_result_once"
            )
        ]
        indexes = [models.Index(fields=["outlet", "pollutant", "measured_at"])]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.pollutant} {self.measured_at:%Y-%m-%d %H:%M} {self.value}"

    @property
    def pollutant_label(self) -> str:
        return values.pollutant_label(self.pollutant)


class ReminderSent(models.Model):
    """One reminder of one kind per report (or temporary obligation): reminders are not repeated."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.report} {self.kind}"
