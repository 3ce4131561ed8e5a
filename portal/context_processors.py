from django.conf import settings


def shell(request):
    """What the site shell needs on every page: the languages. (The 无障碍 display settings are
    the browser's own, static/js/a11y.js: nothing per visitor is rendered on the server.)"""
    return {
        "portal_languages": settings.LANGUAGES,
    }
