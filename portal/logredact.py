"""Personal data never reaches the log: a filter on every handler (settings.LOGGING) redacts it.

Code logs ids, not values (a report's pk, a notification's pk); this filter is the second line
for what slips through — a library's message, an exception text quoting an address, a gateway
error. It rewrites each record before any formatter sees it:

* e-mail addresses                               → ``[email]``
* mainland mobile numbers (+86 / 0086 / 86 prefix, spaces or hyphens between the groups) and
  landline numbers with their area code (0812-1234567)  → ``[phone]``
* 18-character resident ID numbers (the last may be X)  → ``[id-number]``
* the bearer codes the portal hands out: tip-off tracking codes (20 characters, raw or shown
  in groups of four), disclosure request tracking numbers (``YSQ2026…``), reward pickup codes
  and survey tokens (10 and 12 characters)             → ``[code]``

The record's message is formatted once (``msg % args``), redacted and stored back with no args;
the exception and stack text are rendered and redacted too, and so is every extra string
attribute. Names cannot be recognised by a pattern: code must not log them (see
docs/operations.md, "Logs and personal data").
"""

from __future__ import annotations

import logging
import re

# The unambiguous alphabets of portal/tipoffs (no 0/O 1/I/L U), portal/learning and surveys
# (no 0/O 1/I/L) and disclosure (no 0/O 1/I): their union, upper case, is 2-9 and A-Z without I, O.
_CODE_CHAR = "[2-9A-HJ-NP-Z]"
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

_PATTERNS = {
    # ASCII, as Django's EmailValidator wants for the local part (IDN domains are not matched).
    "email": r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}",
    # 6-digit area + 8-digit birth date + 3 digits + check character.
    "id_number": rf"{_NOT_ALNUM_BEFORE}\d{{17}}[\dXx]{_NOT_ALNUM_AFTER}",
    "mobile": r"(?<![\d+.])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)",
    # Area code (with its 0, in brackets, or after +86 without the 0) and 7 or 8 digits.
    "landline": r"(?<![\d+.])(?:(?:\+|00)?86[ -]?0?|0|\(0)[1-9]\d{1,2}\)?[ -]?[2-9]\d{6,7}(?!\d)",
    "disclosure_code": rf"{_NOT_ALNUM_BEFORE}YSQ\d{{4}}{_CODE_CHAR}{{8}}{_NOT_ALNUM_AFTER}",
    # Display form: 3 to 5 groups of four (survey token, tip-off tracking code).
    "grouped_code": rf"{_NOT_ALNUM_BEFORE}(?:{_CODE_CHAR}{{4}}-){{2,4}}{_CODE_CHAR}{{4}}"
    rf"{_NOT_ALNUM_AFTER}",
    # A raw tip-off tracking code: 20 code characters, at least one a letter.
    "tracking_code": rf"{_NOT_ALNUM_BEFORE}(?=[2-9]*[A-HJ-NP-Z]){_CODE_CHAR}{{20}}"
    rf"{_NOT_ALNUM_AFTER}",
    # Shorter raw codes (pickup codes: 10, survey tokens: 12) need a digit and a letter, so that
    # an upper-case word ("DEPRECATED") or a number is left alone.
    "short_code": rf"{_NOT_ALNUM_BEFORE}(?=[A-HJ-NP-Z]*[2-9])(?=[2-9]*[A-HJ-NP-Z])"
    rf"{_CODE_CHAR}{{10,19}}{_NOT_ALNUM_AFTER}",
}
_REPLACEMENT = {
    "email": "[email]",
    "id_number": "[id-number]",
    "mobile": "[phone]",
    "landline": "[phone]",
    "disclosure_code": "[code]",
    "grouped_code": "[code]",
    "tracking_code": "[code]",
    "short_code": "[code]",
}
# One pass over the text: the alternatives in order, the first that matches at a position wins
# (an e-mail whose local part is a phone number is redacted as the e-mail).
PERSONAL_DATA_RE = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _PATTERNS.items()))

# A cheap pre-check: every pattern needs a digit, an "@" or an upper-case code character.
_MAYBE = re.compile(r"[\d@A-HJ-NP-Z]")


def _replace(match: re.Match) -> str:
    return _REPLACEMENT[match.lastgroup]


def redact(text: str) -> str:
    """``text`` with e-mail addresses, phone and ID numbers and portal codes replaced."""
    if not text or not _MAYBE.search(text):
        return text
    return PERSONAL_DATA_RE.sub(_replace, text)


# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactPersonalDataFilter(logging.Filter):
    """Attached to every handler in settings.LOGGING; never drops a record, only rewrites it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, redact(value))
        return True
