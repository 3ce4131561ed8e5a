"""Small text helpers: the public location (address cut to the road) and text similarity."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SUBDISTRICT = r"([\u4e00-\u9fff]{1,8}?(街道|镇|乡))?"
_ROAD = re.compile(r"^(.*?(大道|路|街|巷|胡同))((东|西|南|北|中)段)?")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")


def public_location(address: str, prefixes: Sequence[str] = ()) -> str:
    """The address cut to the road (“攀枝花大道东段”), or "" when no road can be recognised.

    ``prefixes`` (province, city, district: ``PortalSettings.address_prefixes``) and a leading
    sub-district are dropped first. House numbers, buildings, shop names and anything after the
    road are dropped, so a public page cannot point at a reporter's door.
    """
    text = re.sub(r"\s+", "", address or "")
    leading = "".join(f"(?:{re.escape(prefix)})?" for prefix in prefixes)
    text = re.sub(f"^{leading}{_SUBDISTRICT}", "", text, count=1)
    match = _ROAD.match(text)
    if not match:
        return ""
    road = match.group(1) + (match.group(3) or "")
    if len(road) > 24 or re.search(r"\d", road):
        return ""
    return road


def _shingles(text: str) -> set[str]:
    tokens = _CJK_OR_WORD.findall((text or "").lower())
    if len(tokens) < 2:
        return set(tokens)
    return {tokens[i] + tokens[i + 1] for i in range(len(tokens) - 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (works for Chinese without a word segmenter)."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)
