"""Validation of the unified social credit code (统一社会信用代码, GB 32100-2015). Pure."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "")


def validate_credit_code(value: str) -> None:
    """Raise a translated ValidationError unless ``value`` is a valid 18-character code."""
    try:
        uscc.validate(value or "")
    except StdnumError:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid unified social credit code: it must have 18 "
                "characters (digits and capital letters without I, O, S, V, Z) and a correct "
                "check character."
            ),
            code="invalid_credit_code",
            params={"value": value},
        ) from None
