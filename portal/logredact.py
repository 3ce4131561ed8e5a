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
attribute. A record costs a few microseconds: three simple scans, and the full patterns only on
the candidate runs they find. Names cannot be recognised by a pattern: code must not log them (see
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

# ASCII, as Django's EmailValidator wants for the local part (IDN domains are not matched);
# possessive and anchored at the start of the local part, so a long word costs one pass.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@(?:[A-Za-z0-9-]++\.)+[A-Za-z]{2,}")

_NUMBER_PATTERNS = {
    # 6-digit area + 8-digit birth date + 3 digits + check character.
    "id_number": rf"{_NOT_ALNUM_BEFORE}\d{{17}}[\dXx]{_NOT_ALNUM_AFTER}",
    "mobile": r"(?<![\d+.])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)",
    # Area code (with its 0, in brackets, or after +86 without the 0) and 7 or 8 digits.
    "landline": r"(?<![\d+.])(?:(?:\+|00)?86[ -]?0?|0|\(0)[1-9]\d{1,2}\)?[ -]?[2-9]\d{6,7}(?!\d)",
}
_CODE_PATTERNS = {
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
    "id_number": "[id-number]",
    "mobile": "[phone]",
    "landline": "[phone]",
    "disclosure_code": "[code]",
    "grouped_code": "[code]",
    "tracking_code": "[code]",
    "short_code": "[code]",
}


def _union(patterns: dict[str, str]) -> re.Pattern:
    return re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in patterns.items()))


NUMBERS_RE = _union(_NUMBER_PATTERNS)
CODES_RE = _union(_CODE_PATTERNS)
# Python's re tries every alternative at every position, which is slow on a long message; these
# simple scans find the few candidate runs (7+ characters of digits and separators, 10+ of
# capitals, digits and hyphens), and only those are matched against the patterns above.
_NUMBER_RUN = re.compile(r"[+(]?\d[\d ()-]{5,}\d[Xx]?")
_CODE_RUN = re.compile(r"[0-9A-Z][0-9A-Z-]{8,}[0-9A-Z]")


def _replace(match: re.Match) -> str:
    return _REPLACEMENT[match.lastgroup]


def _in_context(pattern: re.Pattern):
    """A replacement for a candidate run: the run and one character either side (which the
    patterns' look-arounds need and never consume) go through ``pattern``."""

    def replace(run: re.Match) -> str:
        text, start, end = run.string, run.start(), run.end()
        before, after = int(start > 0), int(end < len(text))
        window = text[start - before : end + after]
        result = pattern.sub(_replace, window)
        return result[before : len(result) - after]

    return replace


_numbers_in_run = _in_context(NUMBERS_RE)
_codes_in_run = _in_context(CODES_RE)


def redact(text: str) -> str:
    """``text`` with e-mail addresses, phone and ID numbers and portal codes replaced."""
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    text = _NUMBER_RUN.sub(_numbers_in_run, text)
    return _CODE_RUN.sub(_codes_in_run, text)


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
