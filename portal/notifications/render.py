"""Message text from templates: ``templates/notifications/<key>.<part>.txt``.

``part`` is ``subject`` and ``email`` for e-mail, ``sms`` for text messages. Templates are rendered
in the site language (``LANGUAGE_CODE``, zh-hans) whatever the language of the request or worker
that sends them. The context is the row's stored ``context`` (ids), the recipient reference and
what the context builder registered for the related object's model adds (``register_context``).

Mainland SMS gateways do not take free text: the operator registers each message's text with the
gateway and sends a template id with parameters. ``<key>.sms.txt`` is that text as the portal
knows it; its variables, in order of first appearance, are the parameters (``sms_params``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.base import Node, NodeList, TokenType, VariableNode
from django.template.loader import get_template
from django.templatetags.i18n import BlockTranslateNode
from django.urls import NoReverseMatch, reverse
from django.utils import translation

_context_builders: dict[str, Callable] = {}


def register_context(model_label: str, build: Callable) -> None:
    """``build(obj, notification) -> dict`` adds what a notice about ``obj`` may show."""
    _context_builders[model_label.lower()] = build


def admin_link(view_name: str, *args) -> str | None:
    """The absolute address of an admin screen for a notice to staff (WAGTAILADMIN_BASE_URL),
    or None when the screen is not installed."""
    try:
        path = reverse(view_name, args=args)
    except NoReverseMatch:
        return None
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def template_name(key: str, part: str) -> str:
    return f"notifications/{key}.{part}.txt"


def context_for(notification) -> dict:
    context = dict(notification.context)
    context["recipient_kind"] = notification.recipient_kind
    obj = notification.related
    if obj is not None:
        build = _context_builders.get(obj._meta.label_lower)
        if build is not None:
            context.update(build(obj, notification))
    return context


def render(key: str, part: str, context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = get_template(template_name(key, part)).render(context)
    # Templates end with a newline and may wrap lines for readability: a subject is one line.
    text = text.strip()
    return " ".join(text.split()) if part in ("subject", "sms") else text


def _nodes(nodelist: NodeList) -> Iterator[Node]:
    for node in nodelist:
        yield node
        for attr in node.child_nodelists:
            child = getattr(node, attr, None)
            if child:
                yield from _nodes(child)


def template_variables(key: str, part: str = "sms") -> list[str]:
    """The variables a template uses, in order of first appearance (``{{ x }}`` and the
    placeholders of ``{% blocktranslate %}``)."""
    template = get_template(template_name(key, part)).template
    names: list[str] = []
    for node in _nodes(template.nodelist):
        if isinstance(node, VariableNode):
            candidates = [str(node.filter_expression.var)]
        elif isinstance(node, BlockTranslateNode):
            tokens = list(node.singular) + list(node.plural or [])
            candidates = [t.contents for t in tokens if t.token_type == TokenType.VAR]
        else:
            continue
        names += [name for name in candidates if name not in names]
    return names


def sms_params(key: str, context: dict) -> dict[str, str]:
    """The gateway parameters of ``key``: each variable of its SMS text and its value."""
    missing = [name for name in template_variables(key) if name not in context]
    if missing:
        raise ImproperlyConfigured(f"SMS template {key!r} needs {missing} in its context.")
    return {name: str(context[name]) for name in template_variables(key)}
