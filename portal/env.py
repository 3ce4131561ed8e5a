"""Typed readers for environment variables that fail loudly on values they cannot parse.

Kept free of Django imports (apart from the exception) so that settings.py can use them first.
Every reader treats an unset or blank variable as "use the default".
"""

import json
import os
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    return raw


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_secret(name: str, default: str) -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/systemd secrets).

    The file's trailing newline is stripped. Setting both is an error, so that nobody wonders
    which one wins.
    """
    file_name = f"{name}_FILE"
    value = os.environ.get(name)
    path = os.environ.get(file_name)
    if path is not None and path.strip() == "":
        path = None
    if path is not None and value not in (None, ""):
        raise ImproperlyConfigured(f"Set either {name} or {file_name}, not both.")
    if path is None:
        return default if value is None else value
    try:
        content = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{file_name}={path!r} cannot be read: {exc.strerror or exc}."
        ) from None
    return content.removesuffix("\n").removesuffix("\r")


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of {sorted(_TRUE | _FALSE)}."
    )


def _check_range(name: str, raw, value, minimum, maximum):
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is below the minimum {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} is above the maximum {maximum}.")
    return value


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    return _check_range(name, raw, value, minimum, maximum)


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a finite number.")
    return _check_range(name, raw, value, minimum, maximum)


def env_choice(name: str, default: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of {choices}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; empty items are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_json(name: str, default):
    """A JSON value (object, list, number…); the caller validates its shape."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}.") from None


def env_rate_limits(name: str, defaults: dict) -> dict[str, tuple[int, int]]:
    """Rate limits ``{scope: (uses, window seconds)}``; the JSON in ``name`` overrides single
    scopes, e.g. ``{"ip": [5, 3600]}``. Unknown scopes and malformed pairs stop start-up."""
    limits = {scope: tuple(pair) for scope, pair in defaults.items()}
    overrides = env_json(name, {})
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured(f'{name} must be a JSON object, e.g. {{"ip": [5, 3600]}}.')
    for scope, pair in overrides.items():
        if scope not in limits:
            raise ImproperlyConfigured(f"{name}: unknown scope {scope!r}; known: {sorted(limits)}.")
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(type(n) is int and n > 0 for n in pair)
        ):
            raise ImproperlyConfigured(
                f"{name}[{scope!r}] must be [uses, seconds], two positive integers."
            )
        limits[scope] = tuple(pair)
    return limits
