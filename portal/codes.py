"""The one generator of the short random codes people read, type or say aloud.

Tip-off tracking codes, pickup codes of rewards, disclosure request numbers and survey tokens all
come from ``random_code``: cryptographically random (``secrets``), upper case, from one alphabet
without the characters that are misread on paper or over the phone (0/O, 1/I/L, U/V). Callers
choose only the length; each says in its own module how many bits that gives.
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
