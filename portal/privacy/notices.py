"""Version 1 of the notice at each collection point (loaded by migration 0002; administrators
edit later versions in the admin). Chinese, as residents read them; docs/privacy.md has the
inventory they summarise."""

from __future__ import annotations

CONSENT = "consent"
STATUTORY = "statutory"
PUBLIC_INTEREST = "public_interest"

RIGHTS = (
    "您可以在“我的 → 我的数据”中查阅、下载、更正您的个人信息或注销账号；没有账号的，"
    "可以联系本平台的个人信息保护负责人（见“联系我们”），我们在15个工作日内答复。"
)

DEFAULT_NOTICES = [
    {
        "point": "signup",
        "title": "注册账号个人信息告知",
        "summary": (
            "我们收集您的电子邮箱和（可选的）手机号码，用于登录、找回密码和向您发送您办理事项的"
            "进展通知。账号注销后，上述信息立即删除。"
        ),
        "body": (
            "处理者：本平台运营单位。目的：创建和保护您的账号，向您发送您本人办理事项的通知。"
            "处理方式：仅存储于本平台服务器，不向第三方提供，不用于营销。"
            "保存期限：至账号注销；注册后30天内未验证且从未登录的账号自动删除。" + RIGHTS
        ),
        "legal_basis": CONSENT,
        "agreement": "我已阅读并同意《注册账号个人信息告知》。",
        "withdrawal_effect": "撤回同意即注销账号：账号信息立即删除，法定留存的记录除外（见注销页面）。",
    },
    {
        "point": "tipoff_real_name",
        "title": "实名举报个人信息告知",
        "summary": (
            "实名举报时，我们收集您的姓名、手机号码和（或）电子邮箱，仅用于受理和办理本举报、"
            "向您反馈结果和核定奖励。只有受理人员可以查看，每次查看都有记录；办理部门看不到。"
            "案件办结3年后，您的身份信息自动删除。"
        ),
        "body": (
            "处理者：本平台运营单位（举报受理）。目的：核实、办理、反馈举报，依法保护举报人。"
            "接收方：无；办理部门只看到案件内容，看不到举报人身份。"
            "保存期限：案件办结后3年，届时身份信息删除，案件办理记录保留（不含身份）。"
            "您也可以选择匿名举报。" + RIGHTS
        ),
        "legal_basis": CONSENT,
        "agreement": "我已阅读《实名举报个人信息告知》，同意我的信息用于办理本举报。",
        "withdrawal_effect": (
            "撤回同意后，我们不再联系您，也不能再考虑奖励；已经开始办理的案件继续办理，"
            "您的身份信息随案卷保留至保存期限届满后删除。"
        ),
    },
    {
        "point": "disclosure_request",
        "title": "政府信息公开申请个人信息告知",
        "summary": (
            "我们收集您的姓名、身份证件号码、联系方式和地址，仅用于确认申请人身份、与您联系和送达"
            "答复，这是《政府信息公开条例》的要求。证件号码在系统中遮挡显示，查看全号需要授权并留痕。"
            "答复后3年，证件号码和联系方式自动删除。"
        ),
        "body": (
            "处理者：本机关政府信息公开工作机构。法律依据：《政府信息公开条例》第二十九条。"
            "接收方：无。保存期限：答复或终止后3年，届时删除证件号码、联系方式和自然人姓名，"
            "申请办理记录保留。" + RIGHTS
        ),
        "legal_basis": STATUTORY,
        "agreement": "我已阅读《政府信息公开申请个人信息告知》。",
        "withdrawal_effect": "",
    },
    {
        "point": "survey_account",
        "title": "账号参与问卷个人信息告知",
        "summary": (
            "使用账号参与问卷时，我们只记录您参加了哪份问卷和日期，以防重复作答；您的答案与账号"
            "完全分开保存，任何人（包括我们）都无法把答案和您对应起来（《统计法》第二十八条）。"
        ),
        "body": (
            "目的：每人一份答卷、发放参与积分。答案：匿名保存，不与账号、IP地址关联。"
            "参与记录保存至账号注销。" + RIGHTS
        ),
        "legal_basis": CONSENT,
        "agreement": "我已阅读《账号参与问卷个人信息告知》。",
        "withdrawal_effect": "撤回同意后，参与记录删除；已提交的匿名答案无法识别，因此无法删除。",
    },
    {
        "point": "learning",
        "title": "学习积分个人信息告知",
        "summary": (
            "参加学习答题和积分兑换时，我们记录您的答题、积分和兑换记录；排行榜只显示您自己设置的"
            "昵称，且需要您主动选择上榜。"
        ),
        "body": (
            "目的：计算积分、兑换奖品、统计参与情况（统计只用汇总数）。保存期限：至账号注销；"
            "积分流水为防止重复兑换保留，但不含姓名、电话或邮箱。" + RIGHTS
        ),
        "legal_basis": CONSENT,
        "agreement": "我已阅读《学习积分个人信息告知》。",
        "withdrawal_effect": "撤回同意后，您的昵称删除并退出排行榜；答题记录删除；积分流水保留。",
    },
]
