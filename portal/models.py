"""Reference data every app shares: accounts, sub-districts, departments, the working-day calendar
overrides, the site-wide settings shown in the page shell and the notification outbox."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from portal import process_cache
from portal.audit import AppendOnlyModel
from portal.phones import e164_or_original, phone_validator


class User(AbstractUser):
    """The portal's account. Email is the main login; a verified phone number is an optional one."""

    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(
        _("phone number"),
        max_length=20,
        blank=True,
        null=True,
        unique=True,
        validators=[phone_validator],
    )
    phone_verified = models.BooleanField(_("phone verified"), default=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self):
        super().clean()
        if self.phone:  # before the uniqueness check, so 138… and +86138… are one number
            self.phone = e164_or_original(self.phone)

    def save(self, *args, **kwargs):
        # One stored form (E.164) whatever path set the number: allauth, the admin, a script.
        if self.phone:
            self.phone = e164_or_original(self.phone)
        super().save(*args, **kwargs)


class Subdistrict(models.Model):
    """A 街道 or 镇 of the district. A district adopting the product edits these rows, not code."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("Sub-district (街道)")
        TOWN = "town", _("Town (镇)")
        TOWNSHIP = "township", _("Township (乡)")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("sub-district")
        verbose_name_plural = _("sub-districts")

    def __str__(self) -> str:
        return self.name


class Department(ClusterableModel):
    """A responsible unit (责任单位) named in the plan: owns indicators, projects and cases."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128, unique=True)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    organisation_code = models.CharField(
        _("organisation code"),
        max_length=32,
        blank=True,
        help_text=_("Unified social credit code or the code used in disclosure index numbers."),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("code"),
                FieldPanel("name"),
                FieldPanel("short_name"),
                FieldPanel("organisation_code"),
                FieldPanel("contact_phone"),
                FieldPanel("sort_order"),
                FieldPanel("is_active"),
            ],
            heading=_("Department"),
        ),
        InlinePanel("memberships", heading=_("Staff"), label=_("member")),
    ]

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class DepartmentMembership(models.Model):
    """A staff member working for a department; handlers see only their departments' work."""

    department = ParentalKey(Department, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="department_memberships",
        verbose_name=_("user"),
    )
    is_lead = models.BooleanField(
        _("department lead"),
        default=False,
        help_text=_("Leads may assign work within the department."),
    )

    panels = [FieldPanel("user"), FieldPanel("is_lead")]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "user"], name="unique_department_member")
        ]
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class HolidayCalendarYear(models.Model):
    """A year whose public holidays and make-up working days an administrator has entered in full.

    For years the chinese-calendar package does not know, working days are decided only when such
    a row exists: weekends plus the year's WorkdayOverride rows. Without it, portal.workdays raises.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"), max_length=255, help_text=_("The State Council notice the overrides follow.")
    )
    panels = [FieldPanel("year"), FieldPanel("source")]

    class Meta:
        ordering = ["-year"]
        verbose_name = _("holiday calendar year")
        verbose_name_plural = _("holiday calendar years")

    def __str__(self) -> str:
        return str(self.year)


class WorkdayOverride(models.Model):
    """One date whose working-day status differs from the package or the weekend rule."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: a make-up working day (调休). Unticked: a public holiday."),
    )
    reason = models.CharField(_("reason"), max_length=128, blank=True)
    panels = [FieldPanel("date"), FieldPanel("is_working_day"), FieldPanel("reason")]

    class Meta:
        ordering = ["-date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} ({self.reason})" if self.reason else f"{self.date:%Y-%m-%d}"


class RetentionPurgeRun(AppendOnlyModel):
    """One run of a documented retention purge (``portal.audit.retention_purge``).

    The only way audit rows are changed or removed leaves this row behind: what ran, why, when,
    and how many rows of each kind it touched (never the data itself).
    """

    reason = models.CharField(_("reason"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    counts = models.JSONField(_("rows touched"), default=dict, blank=True)

    class Meta:
        ordering = ["-finished_at", "-pk"]
        verbose_name = _("retention purge run")
        verbose_name_plural = _("retention purge runs")

    def __str__(self) -> str:
        return f"{self.reason} {self.finished_at:%Y-%m-%d %H:%M}"


ADDRESS_PREFIXES_CACHE = "portal-address-prefixes"


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """What the page shell shows: the site's name and the identifiers Chinese government sites carry."""

    site_name = models.CharField(
        _("site name"), max_length=128, default="攀枝花市东区生态文明建设公众参与平台"
    )
    district_name = models.CharField(_("district name"), max_length=64, default="攀枝花市东区")
    address_prefixes = models.CharField(
        _("address prefixes"),
        max_length=128,
        blank=True,
        default="四川省 攀枝花市 东区",
        help_text=_(
            "Province, city and district as residents write them before the street, separated "
            "by spaces. Public locations of reports drop them (and the sub-district)."
        ),
    )
    organiser = models.CharField(
        _("organiser (主办单位)"), max_length=128, default="攀枝花市东区人民政府"
    )
    operator = models.CharField(
        _("operator (承办单位)"), max_length=128, blank=True, default="攀枝花市东区生态环境局"
    )
    contact_phone = models.CharField(_("contact phone"), max_length=64, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_address = models.CharField(_("contact address"), max_length=255, blank=True)
    website_code = models.CharField(
        _("website identifier code (网站标识码)"), max_length=32, blank=True
    )
    icp_number = models.CharField(_("ICP licence number (ICP备案号)"), max_length=64, blank=True)
    public_security_number = models.CharField(
        _("public security record number (公安备案号)"), max_length=64, blank=True
    )
    pollution_hotline = models.CharField(
        _("pollution report hotline"), max_length=32, blank=True, default="12345"
    )
    # The pages the footer links to (关于, 联系我们, 无障碍声明, 隐私政策); an empty one is left out.
    about_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("about page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("contact page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("accessibility statement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("site_name"),
                FieldPanel("district_name"),
                FieldPanel("address_prefixes"),
                FieldPanel("organiser"),
                FieldPanel("operator"),
            ],
            heading=_("Site"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_phone"),
                FieldPanel("contact_email"),
                FieldPanel("contact_address"),
                FieldPanel("pollution_hotline"),
            ],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("website_code"),
                FieldPanel("icp_number"),
                FieldPanel("public_security_number"),
            ],
            heading=_("Registration numbers"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("about_page"),
                FieldPanel("contact_page"),
                FieldPanel("accessibility_page"),
                FieldPanel("privacy_page"),
            ],
            heading=_("Footer pages"),
        ),
    ]

    @classmethod
    def default_address_prefixes(cls) -> tuple[str, ...]:
        """The default site's ``address_prefixes``, for code that runs without a request.

        Read on every tip-off submission, changed perhaps once: each process keeps a copy
        (``portal.process_cache``), dropped everywhere when the settings are saved.
        """

        def load() -> tuple[str, ...]:
            row = cls.objects.filter(site__is_default_site=True).only("address_prefixes").first()
            return tuple((row or cls()).address_prefixes.split())

        return process_cache.get(ADDRESS_PREFIXES_CACHE, None, load)

    class Meta:
        verbose_name = _("portal settings")


class Notification(models.Model):
    """One message to one recipient over one channel (the outbox row of ``portal.notifications``).

    A notice to a reporter who gave a phone and an e-mail address is two rows, each sent and
    retried on its own, so a failed e-mail never resends the text message.

    Personal data: none is stored here. The recipient is a reference (``recipient_kind`` +
    ``recipient_id``, e.g. ``tipoffs.reporter`` + the report's id, or ``user`` + the account's id)
    resolved to an address only when the message is sent, so erasing a reporter's identity also
    stops every unsent notice to them; the message is rendered at send time from ``template`` and
    ``context`` (ids only) and never stored; ``last_error`` holds an exception class name, never a
    gateway's message (which may quote the address). Rows live as long as the object they are
    about (a ``GenericRelation`` on that model deletes them with it).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (no address)")

    event = models.CharField(_("event"), max_length=60)
    role = models.CharField(_("recipient role"), max_length=30)
    channel = models.CharField(_("channel"), max_length=20)
    recipient_kind = models.CharField(_("recipient kind"), max_length=40)
    recipient_id = models.PositiveBigIntegerField(_("recipient id"))
    template = models.CharField(_("template"), max_length=60)
    context = models.JSONField(_("context"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("about (type)")
    )
    object_id = models.PositiveBigIntegerField(_("about (id)"))
    related = GenericForeignKey("content_type", "object_id")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="notification_about")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.event} → {self.role} by {self.channel} ({self.state})"
