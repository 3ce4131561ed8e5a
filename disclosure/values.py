"""Indicator values as the plan writes them ("≥80", "100%", "达标"): their numbers. Pure."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

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
