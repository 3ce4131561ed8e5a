"""The registry of survey question types: one module per type, one class per module.

A type (a :class:`~surveys.question_types.base.QuestionType` subclass) says everything the
rest of the app needs about its questions: the form fields and how their cleaned values
become answer rows, how an import cell is parsed, what the import template shows, which
variables the codebook, SPSS and Stata exports hold (with value labels and storage kind) and
which template renders it. Adding a type is one module here (imported at the bottom of this
file) and a test; see docs/architecture.md, "Add a question type".

``get(kind)`` raises :class:`QuestionTypeError` for a kind nobody registered, so a question of
an unknown type stops a form, an import or an export with a clear error instead of being
silently left out.
"""

from __future__ import annotations

from surveys.question_types.base import AnswerValue, QuestionType, QuestionTypeError

__all__ = [
    "AnswerValue",
    "QuestionType",
    "QuestionTypeError",
    "all_types",
    "get",
    "kind_choices",
    "register",
    "unregister",
]

_registry: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: register ``cls`` under ``cls.kind`` (a kind is registered once)."""
    kind = cls.kind
    if not kind or len(kind) > 16:
        raise QuestionTypeError(f"Question kind {kind!r} must be 1–16 characters.")
    existing = _registry.get(kind)
    if existing is not None and type(existing) is not cls:
        raise QuestionTypeError(f"Question kind {kind!r} is already registered.")
    _registry[kind] = cls()
    return cls


def unregister(kind: str) -> None:
    """Remove a type (tests that register one of their own)."""
    _registry.pop(kind, None)


def get(kind: str) -> QuestionType:
    try:
        return _registry[str(kind)]
    except KeyError:
        raise QuestionTypeError(
            f"Unknown question type {kind!r}: no class is registered for it in "
            f"surveys.question_types (known: {', '.join(_registry)})."
        ) from None


def all_types() -> list[QuestionType]:
    return list(_registry.values())


def kind_choices() -> list[tuple[str, str]]:
    """Choices of ``Question.kind`` (a callable, so a new type needs no migration)."""
    return [(t.kind, t.label) for t in _registry.values()]


# The built-in types, in the order the admin lists them.
from surveys.question_types import (  # noqa: E402, F401, I001
    single,
    multiple,
    likert,
    matrix,
    number,
    short_text,
    long_text,
)
