"""The reply types of a disclosure request as one table (Art. 36 of the 条例).

Each ``DisclosureRequest.ReplyType`` has one ``ReplyTypeSpec``: whether the reply must state
its legal basis and reasons, and where it is counted in 三、本年度办理结果 of the annual report
(国办公开办函〔2021〕30号). The workflow (``request_reply``), the reply form and the annual
report all read this table; a reply type missing from it fails at import.
"""

from __future__ import annotations

from dataclasses import dataclass

from disclosure.models import DisclosureRequest

RT = DisclosureRequest.ReplyType


@dataclass(frozen=True)
class ReplyTypeSpec:
    #: The reply must state its legal basis and reasons (Art. 36 (2)-(7)).
    reason_required: bool
    #: Its level-1 row in 三、本年度办理结果 of the annual report.
    report_group: str
    #: Its level-2 row under that group; "" when the type is counted on the group row itself.
    report_row: str = ""


_WITHHELD = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

#: In the order of the rows of the standard table.
REPLY_TYPES: dict[str, ReplyTypeSpec] = {
    RT.DISCLOSED: ReplyTypeSpec(False, "（一）予以公开"),
    RT.PARTLY: ReplyTypeSpec(True, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    RT.WITHHELD_SECRET: ReplyTypeSpec(True, _WITHHELD, "1.属于国家秘密"),
    RT.WITHHELD_LAW: ReplyTypeSpec(True, _WITHHELD, "2.其他法律行政法规禁止公开"),
    RT.WITHHELD_SAFETY: ReplyTypeSpec(True, _WITHHELD, "3.危及“三安全一稳定”"),
    RT.WITHHELD_THIRD: ReplyTypeSpec(True, _WITHHELD, "4.保护第三方合法权益"),
    RT.WITHHELD_INTERNAL: ReplyTypeSpec(True, _WITHHELD, "5.属于三类内部事务信息"),
    RT.WITHHELD_PROCESS: ReplyTypeSpec(True, _WITHHELD, "6.属于四类过程性信息"),
    RT.WITHHELD_ENFORCEMENT: ReplyTypeSpec(True, _WITHHELD, "7.属于行政执法案卷"),
    RT.WITHHELD_QUERY: ReplyTypeSpec(True, _WITHHELD, "8.属于行政查询事项"),
    RT.UNAVAILABLE_NOT_HELD: ReplyTypeSpec(True, _UNAVAILABLE, "1.本机关不掌握相关政府信息"),
    RT.UNAVAILABLE_NEEDS_CREATION: ReplyTypeSpec(True, _UNAVAILABLE, "2.没有现成信息需要另行制作"),
    RT.UNAVAILABLE_UNCLEAR: ReplyTypeSpec(True, _UNAVAILABLE, "3.补正后申请内容仍不明确"),
    RT.NOT_PROCESSED_COMPLAINT: ReplyTypeSpec(True, _NOT_PROCESSED, "1.信访举报投诉类申请"),
    RT.NOT_PROCESSED_REPEAT: ReplyTypeSpec(True, _NOT_PROCESSED, "2.重复申请"),
    RT.NOT_PROCESSED_PUBLICATION: ReplyTypeSpec(True, _NOT_PROCESSED, "3.要求提供公开出版物"),
    RT.NOT_PROCESSED_MASS: ReplyTypeSpec(True, _NOT_PROCESSED, "4.无正当理由大量反复申请"),
    RT.NOT_PROCESSED_CONFIRM: ReplyTypeSpec(
        True, _NOT_PROCESSED, "5.要求行政机关确认或重新出具已获取信息"
    ),
    RT.OTHER_NO_SUPPLEMENT: ReplyTypeSpec(
        True,
        _OTHER,
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    RT.OTHER_NO_FEE: ReplyTypeSpec(
        True,
        _OTHER,
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    RT.OTHER: ReplyTypeSpec(True, _OTHER, "3.其他"),
}

_missing = set(RT.values) - set(REPLY_TYPES)
if _missing:  # pragma: no cover - a programming error caught at import
    raise RuntimeError(f"Reply types without a row in disclosure.reply_types: {sorted(_missing)}")

#: Reply types that must state the legal basis and reasons.
REASON_REQUIRED = frozenset(t for t, spec in REPLY_TYPES.items() if spec.reason_required)


def reply_type_spec(reply_type: str) -> ReplyTypeSpec | None:
    return REPLY_TYPES.get(reply_type)


def outcome_rows() -> list[tuple[str, list[str], int]]:
    """Rows of 三、本年度办理结果: (label, reply types counted, level), in table order."""
    rows: list[tuple[str, list[str], int]] = []
    groups: dict[str, list[str]] = {}
    for reply_type, spec in REPLY_TYPES.items():
        groups.setdefault(spec.report_group, []).append(reply_type)
    for group, members in groups.items():
        rows.append((group, members, 1))
        rows.extend(
            (REPLY_TYPES[t].report_row, [t], 2) for t in members if REPLY_TYPES[t].report_row
        )
    return rows
