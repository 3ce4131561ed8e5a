"""Code lists as typed by analysts and interviewers (no Django, no ORM)."""

from __future__ import annotations

import re


def split_codes(value: str) -> list[str]:
    """'1; 2,3' -> ['1', '2', '3'] (semicolons, commas or spaces separate codes)."""
    return [part for part in re.split(r"[;,\s，；]+", value or "") if part]
