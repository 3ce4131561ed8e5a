"""Masking of personal fields shown to staff, and the one logged way to unmask them.

Lists and detail screens show ``mask_phone`` / ``mask_id_number`` / ``mask_email``; the full
value is shown only through ``reveal()``, which the caller reaches after its permission policy
allowed it, and which writes a ``DataReveal`` row (who, which record, which field, why) before
returning the value. Reporter identities in the tip-off app follow the same pattern with their
own log (``tipoffs.IdentityAccessLog``, the reveal in ``portal.tipoffs.selectors``).
"""

from __future__ import annotations

from portal.privacy.models import DataReveal


def mask_phone(phone: str | None) -> str:
    """138****5678: the first three and last four digits stay."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * (len(phone) - 2) + phone[-2:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(value: str | None) -> str:
    """Only the last four characters stay."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def reveal(*, actor, record: str, field: str, value: str, purpose: str) -> str:
    """Log that ``actor`` unmasked ``field`` of ``record`` and return the value.

    The caller has already asked its policy; this only records and returns."""
    DataReveal.objects.create(
        actor=actor, record=record[:80], field=field[:40], purpose=purpose[:120]
    )
    return value
