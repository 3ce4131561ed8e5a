"""Demo pollution reports: ~200 cases across categories, sub-districts, states and months.

Idempotent: does nothing once the demo cases exist. Also creates the default routing table, reply
templates and the Open311 demo API key named in the README (``demo-open311-key-2026``).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.models import Department, HolidayCalendarYear, Notification, Subdistrict
from portal.tipoffs import notifications, workflow
from portal.tipoffs.models import (
    Category,
    Confidentiality,
    Finding,
    NotAcceptedReason,
    Open311Client,
    ReplyTemplate,
    ReportHubPage,
    RoutingRule,
    State,
    Tipoff,
)
from portal.tipoffs.routing import suggest_departments
from portal.tipoffs.taxonomy import fill_english_names, seed_taxonomy

DEMO_API_KEY = "demo-open311-key-2026"
DEMO_CASES = 200
ROADS = [
    "攀枝花大道东段",
    "炳草岗大街",
    "机场路",
    "新华街",
    "人民街",
    "金沙江大道",
    "弄弄坪路",
    "瓜子坪路",
    "银江路",
    "大渡口街",
]
TEXTS = {
    "air": [
        "烟囱冒黑烟，气味刺鼻，附近居民无法开窗。",
        "工地未覆盖防尘网，车辆进出扬尘很大。",
        "餐馆油烟直排，楼上住户反映强烈。",
        "夜间有人焚烧垃圾，烟雾很大。",
    ],
    "water": [
        "排污口有黑色污水流入河道，有明显臭味。",
        "小区生活污水溢流到路面和雨水沟。",
        "河道水体发黑发臭，漂浮垃圾较多。",
    ],
    "noise": [
        "深夜施工噪声扰民，影响休息。",
        "工厂设备噪声很大，夜间尤其明显。",
        "广场舞音响声音太大，持续到晚上十点以后。",
    ],
    "waste": [
        "路边倾倒建筑垃圾，占用人行道。",
        "发现疑似危险废物桶随意堆放。",
        "生活垃圾长期无人清运，蚊蝇滋生。",
    ],
    "soil": ["厂区外土壤颜色异常，疑似渗漏污染。"],
    "radiation": ["疑似有放射性标识的设备被丢弃在空地。"],
    "ecology": [
        "金沙江边有人夜间非法采砂。",
        "山坡林地被砍伐，疑似毁林开垦。",
        "禁渔期有人在江边电鱼。",
    ],
    "other": ["厂区周边有异常粉尘沉降，原因不明。"],
}
TEMPLATES = [
    ("受理告知", State.SUBMITTED, "您反映的问题已受理，我们将依法在规定期限内办理并答复。"),
    (
        "不予受理：非本部门职责",
        State.SUBMITTED,
        "您反映的问题不属于生态环境部门职责范围，请向××部门反映（联系电话：12345）。",
    ),
    ("转办说明", State.ACCEPTED, "已转交责任部门办理，请耐心等待。"),
    ("现场核查", State.INVESTIGATING, "执法人员已赴现场核查，核查情况将及时告知。"),
    (
        "办结答复：属实",
        State.INVESTIGATING,
        "经现场核查，您反映的问题属实。已责令当事单位立即整改，并依法立案查处。感谢您对生态环境保护工作的支持。",
    ),
    (
        "办结答复：不属实",
        State.INVESTIGATING,
        "经现场核查，未发现您反映的问题。如有新的线索，欢迎继续反映。",
    ),
]


HUB_INTRO = "发现环境污染问题，可在线举报并凭查询码跟踪办理进度；举报人信息依法保密。"
URGENT_NUMBERS = (
    "<ul><li><b>12369</b> 环保举报热线（全天受理环境污染举报）</li>"
    "<li><b>12345</b> 政务服务便民热线</li>"
    "<li>污染正在危及人身或财产安全（泄漏、爆炸、起火）时，请立即拨打 <b>110</b> 或 <b>119</b>，"
    "再在网上举报。</li></ul>"
)


def ensure_hub() -> ReportHubPage | None:
    """The 环境污染举报 section as its hub page (replacing the foundation's placeholder)."""
    from wagtail.models import Site

    from portal.demo import ensure_section

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None
    return ensure_section(
        site.root_page,
        slug="report",
        page_class=ReportHubPage,
        title="环境污染举报",
        title_en="Report pollution",
        intro=HUB_INTRO,
        urgent_numbers=URGENT_NUMBERS,
    )


def seed() -> None:
    seed_taxonomy(Category, RoutingRule, Department)
    fill_english_names(Category)
    ensure_hub()
    for title, state, body in TEMPLATES:
        ReplyTemplate.objects.get_or_create(title=title, defaults={"state": state, "body": body})
    Open311Client.objects.get_or_create(
        api_key=DEMO_API_KEY, defaults={"name": "演示 Open311 客户端（12345 热线平台）"}
    )
    # Deadlines of recent demo cases run into next year; chinese-calendar 1.11 stops at 2026.
    HolidayCalendarYear.objects.get_or_create(
        year=timezone.localdate().year + 1,
        defaults={"source": "演示数据：仅按周末计算，正式使用前请按国务院通知录入节假日"},
    )
    if Tipoff.objects.count() >= DEMO_CASES:
        return
    with notifications.suppressed(), transaction.atomic():
        _seed_cases()
        Notification.objects.filter(state=Notification.State.QUEUED).update(
            state=Notification.State.SKIPPED
        )


def _seed_cases() -> None:
    User = get_user_model()
    intake = User.objects.filter(username="intake").first()
    handlers = {
        m.department_id: m.user
        for u in User.objects.filter(username__in=["handler", "handler2"])
        for m in u.department_memberships.all()
    }
    if intake is None or not handlers:
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    leaves = [
        c
        for c in Category.objects.select_related("parent").prefetch_related("children")
        if not c.children.all()
    ]
    subdistricts = list(Subdistrict.objects.all())
    demo_departments = list(Department.objects.filter(pk__in=handlers))
    now = timezone.now()
    made: list[Tipoff] = []
    for i in range(DEMO_CASES - Tipoff.objects.count()):
        category = rng.choice(leaves)
        top = category.parent.code if category.parent_id else category.code
        days_ago = rng.randint(0, 330)
        submitted = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 10))
        real = rng.random() < 0.6
        tipoff = workflow.tipoff_submit(
            category=category,
            subdistrict=rng.choice(subdistricts),
            address=f"{rng.choice(ROADS)}{rng.randint(1, 300)}号附近",
            observed_at=submitted - dt.timedelta(hours=rng.randint(1, 48)),
            description=rng.choice(TEXTS.get(top, TEXTS["other"])),
            confidentiality=Confidentiality.REAL_NAME if real else Confidentiality.ANONYMOUS,
            name=f"演示举报人{i:03d}" if real else "",
            phone=f"1390000{i:04d}" if real else "",
            email=f"reporter{i:03d}@demo.local" if real and i % 3 == 0 else "",
            consent=real,
            now=submitted,
        )
        made.append(tipoff)
        # How far the case got: older cases are further along; a few stay stuck (overdue).
        roll = rng.random()
        if days_ago < 2 and roll < 0.7:
            continue
        if roll < 0.05 and days_ago > 4:
            continue  # overdue for acceptance
        at = submitted + dt.timedelta(days=1)
        if roll < 0.12:
            reason = rng.choice([NotAcceptedReason.OUT_OF_SCOPE, NotAcceptedReason.LITIGATION])
            workflow.tipoff_not_accept(
                tipoff=tipoff,
                actor=intake,
                reason=reason,
                detail="请向区市场监督管理局反映（电话 12345）。"
                if reason == NotAcceptedReason.OUT_OF_SCOPE
                else "该事项已进入诉讼程序。",
                now=at,
            )
            continue
        if roll < 0.16 and len(made) > 1:
            master = next(
                (
                    m
                    for m in reversed(made[:-1])
                    if m.category_id == tipoff.category_id
                    and Tipoff.objects.get(pk=m.pk).state in workflow.TRANSITIONS["assign"]
                ),
                None,
            )
            if master is not None:
                workflow.tipoff_merge(tipoff=tipoff, master=master, actor=intake, now=at)
                continue
        workflow.tipoff_accept(tipoff=tipoff, actor=intake, now=at)
        suggested = [d for d in suggest_departments(tipoff) if d.pk in handlers] or [
            rng.choice(demo_departments)
        ]
        workflow.tipoff_assign(
            tipoff=tipoff, actor=intake, departments=suggested[:1], now=at + dt.timedelta(hours=2)
        )
        handler = handlers[suggested[0].pk]
        if days_ago < 5:
            continue
        workflow.tipoff_start_investigation(
            tipoff=tipoff, actor=handler, now=at + dt.timedelta(days=1)
        )
        if roll > 0.85 and days_ago > 40:
            workflow.tipoff_extend(
                tipoff=tipoff,
                actor=handler,
                days=rng.choice([15, 30]),
                reason="需委托第三方检测机构采样检测。",
                now=at + dt.timedelta(days=30),
            )
        if 0.16 <= roll < 0.26 and days_ago > 62:
            continue  # overdue in handling
        if days_ago < 20 and roll < 0.6:
            continue
        resolved_at = at + dt.timedelta(days=rng.randint(5, min(55, max(6, days_ago - 2))))
        if resolved_at > now:
            continue
        finding = rng.choices(
            [Finding.TRUE, Finding.PARTLY_TRUE, Finding.UNTRUE], weights=[6, 2, 2]
        )[0]
        workflow.tipoff_resolve(
            tipoff=tipoff,
            actor=handler,
            finding=finding,
            measures={
                Finding.TRUE: "责令立即整改，依法立案查处。",
                Finding.PARTLY_TRUE: "督促当事单位规范管理，加强巡查。",
                Finding.UNTRUE: "现场核查未发现问题，将持续关注。",
            }[finding],
            penalty_reference=f"攀东环罚〔2026〕{rng.randint(1, 99)}号"
            if finding == Finding.TRUE and rng.random() < 0.5
            else "",
            public_reply=TEMPLATES[4][2] if finding != Finding.UNTRUE else TEMPLATES[5][2],
            now=resolved_at,
        )
        if rng.random() < 0.6:
            workflow.tipoff_rate(
                tipoff=tipoff,
                rating=rng.choices([5, 4, 3, 2, 1], weights=[5, 3, 1, 1, 1])[0],
                now=resolved_at + dt.timedelta(days=2),
            )
        elif (now - resolved_at).days > 15:
            workflow.tipoff_close(tipoff=tipoff, now=resolved_at + dt.timedelta(days=15))
        if rng.random() < 0.15:
            from portal.tipoffs.photos import store_photo

            photo = store_photo(tipoff=tipoff, photo=_demo_photo(rng), now=submitted)
            workflow.tipoff_approve_photo(photo=photo, actor=intake, now=resolved_at)


def _demo_photo(rng):
    """A small generated picture (sky, haze and ground) run through the real photo pipeline."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from portal.tipoffs.photos import process_upload

    image = Image.new("RGB", (320, 240), (150 + rng.randint(0, 60), 160, 170))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 320, 240), fill=(110, 100 + rng.randint(0, 40), 80))
    for _i in range(6):
        x, y = rng.randint(0, 300), rng.randint(40, 160)
        draw.ellipse((x, y, x + 60, y + 30), fill=(190, 185, 175))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return process_upload(SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg"))
