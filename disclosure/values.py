"""Indicator values as the plan writes them ("≥80", "100%", "达标"): their numbers. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def parse_threshold(text: str) -> Decimal | None:
    """The number of a "≥80" / "100" style indicator value; None for qualitative targets."""
    text = (text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(?:≥|>=)?\s*(-?\d+(?:\.\d+)?)\s*%?", text)
    if not match:
        return None
    try:
        return Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover
        return None


def parse_number(text: str) -> Decimal | None:
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*%?\s*", text or "")
    return Decimal(match.group(1)) if match else None


# --- The verdict of an indicator value ---------------------------------------------------------
#
# One rule for every page (home card, indicator dashboard and page, survey results, annual
# report, the 需关注 list): the value is judged against the national indicator value (表1's
# "指标值", e.g. ≥80) AND against the plan's 2025 target (表1's "2025年规划值", e.g. ≥85), and
# both verdicts are shown side by side. A value without a number (建立, 有效开展) keeps the status
# an officer recorded for it.

MET = "met"
NOT_MET = "not_met"
UNKNOWN = ""

#: The recorded statuses of the plan's table (Indicator.Status values), as verdicts.
_RECORDED = {"已达标": MET, "未达标": NOT_MET}


@dataclass(frozen=True)
class Verdict:
    """An indicator value against the national value and the 2025 plan target."""

    has_value: bool
    national: str  # MET, NOT_MET or UNKNOWN
    plan: str  # MET, NOT_MET or UNKNOWN (no numeric plan target)
    national_value: str  # as the plan writes it: "≥80", "100"
    plan_value: str  # "≥85"

    @property
    def national_number(self) -> Decimal | None:
        return parse_threshold(self.national_value)

    @property
    def plan_number(self) -> Decimal | None:
        return parse_threshold(self.plan_value)

    @property
    def status(self) -> str:
        """The plan table's status word (已达标 / 未达标 / 无现状): met = the national value."""
        if not self.has_value or self.national == UNKNOWN:
            return "无现状" if not self.has_value else ""
        return "已达标" if self.national == MET else "未达标"

    @property
    def needs_attention(self) -> bool:
        """需关注: no current value, short of the national value, or short of the 2025 target."""
        return not self.has_value or self.national == NOT_MET or self.plan == NOT_MET

    @property
    def national_text(self) -> str:
        if not self.has_value:
            return _("no current value")
        if self.national == MET:
            return _("meets the national indicator value")
        if self.national == NOT_MET:
            return _("below the national indicator value")
        return ""

    @property
    def plan_text(self) -> str:
        if not self.has_value:
            return ""
        if self.plan == MET:
            return _("meets the 2025 plan target")
        if self.plan == NOT_MET:
            return _("below the 2025 plan target")
        return ""

    @property
    def text(self) -> str:
        """One sentence, the same on every page: "达到国家指标值，未达规划目标值"."""
        parts = [p for p in (self.national_text, self.plan_text) if p]
        return pgettext("verdict separator", ", ").join(parts)

    @property
    def css(self) -> str:
        if not self.has_value or self.national == UNKNOWN:
            return "muted"
        if self.national == NOT_MET:
            return "notmet"
        return "met" if self.plan != NOT_MET else "partial"


def _judge(value: Decimal | None, target: str) -> str:
    threshold = parse_threshold(target)
    if value is None or threshold is None:
        return UNKNOWN
    return MET if value >= threshold else NOT_MET


def indicator_verdict(
    *,
    value: Decimal | None,
    national_value: str,
    plan_value: str,
    recorded_status: str = "",
    has_value: bool | None = None,
    prefer_recorded: bool = False,
) -> Verdict:
    """The verdict of ``value`` (a number, or None for a qualitative value) against the
    national indicator value and the 2025 plan target.

    A number is judged against the numeric targets ("≥80", "100"); a target without a number
    (制定实施, "≤…" rules the plan writes in words) falls back to ``recorded_status`` (the
    已达标/未达标/无现状 an officer entered). ``has_value`` False means no current value at all.
    ``prefer_recorded`` quotes the recorded national verdict even for a number: the plan's own
    assessment of its 2020 baseline (e.g. 林草覆盖率 44.66 assessed 未达标 for the district).
    """
    if has_value is None:
        has_value = value is not None or recorded_status in _RECORDED
    if recorded_status == "无现状" and value is None:
        has_value = False
    if not has_value:
        return Verdict(False, UNKNOWN, UNKNOWN, national_value or "", plan_value or "")
    national = _RECORDED.get(recorded_status, UNKNOWN) if prefer_recorded else UNKNOWN
    if national == UNKNOWN:
        national = _judge(value, national_value)
    if national == UNKNOWN:
        national = _RECORDED.get(recorded_status, UNKNOWN)
    plan = _judge(value, plan_value)
    if plan == UNKNOWN and value is None and (plan_value or "") == (national_value or ""):
        plan = national  # the same qualitative target for both
    return Verdict(True, national, plan, national_value or "", plan_value or "")
