"""Identity numbers, validated with python-stdnum (a maintained library, not our own tables).

* Mainland resident ID numbers (居民身份证号码, GB 11643-1999): ``stdnum.cn.ric`` checks the
  length, the administrative region code of the place of birth, a real date of birth and the
  check digit.
* Unified social credit codes (统一社会信用代码, GB 32100-2015): ``stdnum.cn.uscc`` checks the
  alphabet, the registration authority and type, the region code and the check character.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError


def resident_id_check_digit(first17: str) -> str:
    """The check digit for the first 17 characters (stdnum wants a placeholder 18th)."""
    return ric.calc_check_digit(first17[:17] + "0")


def is_valid_resident_id(value: str) -> bool:
    return ric.is_valid((value or "").strip().upper())


def validate_resident_id(value: str) -> None:
    try:
        ric.validate((value or "").strip().upper())
    except InvalidChecksum:
        raise ValidationError(
            _("The check digit (the last character) of this resident ID number is wrong."),
            code="invalid_resident_id",
        ) from None
    except StdnumError:
        raise ValidationError(
            _(
                "This is not a valid resident ID number: 18 characters, a real date of birth "
                "and a correct check digit (GB 11643)."
            ),
            code="invalid_resident_id",
        ) from None


def is_valid_credit_code(value: str) -> bool:
    return uscc.is_valid((value or "").strip().upper())


def validate_credit_code(value: str) -> None:
    try:
        uscc.validate((value or "").strip().upper())
    except InvalidChecksum:
        raise ValidationError(
            _("The check character (the last character) of this credit code is wrong."),
            code="invalid_credit_code",
        ) from None
    except (InvalidComponent, StdnumError):
        raise ValidationError(
            _("A unified social credit code has 18 digits and capital letters."),
            code="invalid_credit_code",
        ) from None
