"""Context that the view layer adds to a Wagtail page.

A page model's ``get_context`` sometimes needs what only views and selectors know (a filtered,
paginated catalogue; the survey landing with the visitor's progress). Models never import views or
selectors, so the page asks for it through a Wagtail hook named after its model, registered by the
app's ``wagtail_hooks.py``::

    # models.py
    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(page_context(self, request))
        return context

    # wagtail_hooks.py
    hooks.register(page_context_hook(SurveyPage), views.survey_page_context)

Each hook is called as ``fn(page, request)`` and returns a dict merged into the context. Other
purposes than serving a page use their own hook name, e.g. a snippet's Wagtail preview:
``page_context_hook(Survey, "preview")`` and ``page_context(survey, request, "preview")``.
"""

from __future__ import annotations

from wagtail import hooks


def page_context_hook(model, purpose: str = "page") -> str:
    """The hook name for one model, e.g. ``portal_page_context:surveys.surveypage``."""
    return f"portal_{purpose}_context:{model._meta.label_lower}"


def page_context(page, request, purpose: str = "page") -> dict:
    """The context every hook registered for ``page``'s model provides, merged in order."""
    context: dict = {}
    for provide in hooks.get_hooks(page_context_hook(type(page), purpose)):
        context.update(provide(page, request))
    return context
