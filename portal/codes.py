"""The one generator of the short random codes people read, type or say aloud.

Tip-off tracking codes, pickup codes of rewards, disclosure request numbers and survey tokens all
come from ``random_code``: cryptographically random (``secrets``), upper case, from one alphabet
without the characters that are misread on paper or over the phone (0/O, 1/I/L, U/V). Callers
choose only the length; each says in its own module how many bits that gives.

One format for people (``format_code``): groups of four characters joined by hyphens, after an
optional fixed prefix — tip-off ``ABCD-EFGH-JKMN-PQRS-TVWX``, pickup code ``ABCD-EFGH-JK``,
request number ``YSQ2026-ABCD-EFGH``. Stored without separators; what people type back is read
with ``normalise_code`` (case, spaces and hyphens do not matter). See docs/architecture.md.
"""

from __future__ import annotations

import secrets

# 30 characters: log2(30) ≈ 4.9 bits per character.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int) -> str:
    """``length`` characters drawn uniformly from ``ALPHABET``."""
    if length < 1:
        raise ValueError("length must be positive")
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


GROUP = 4
SEPARATOR = "-"


def format_code(code: str, *, prefix_length: int = 0) -> str:
    """``code`` for people: its first ``prefix_length`` characters (e.g. ``YSQ2026``) kept as
    they are, the rest in groups of ``GROUP`` joined by ``SEPARATOR``."""
    code = normalise_code(code)
    prefix, rest = code[:prefix_length], code[prefix_length:]
    groups = [rest[i : i + GROUP] for i in range(0, len(rest), GROUP)]
    return SEPARATOR.join([prefix, *groups] if prefix else groups)


def normalise_code(text: str) -> str:
    """What someone typed, as stored: upper case, letters and digits only."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())
