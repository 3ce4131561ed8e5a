from django.conf import settings

ELDERLY_COOKIE = "portal_elderly"


def shell(request):
    """What the site shell needs on every page: the elderly-mode flag and the languages."""
    return {
        "elderly_mode": request.COOKIES.get(ELDERLY_COOKIE) == "1",
        "portal_languages": settings.LANGUAGES,
    }
