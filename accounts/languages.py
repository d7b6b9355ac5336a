"""The language kam speaks to a signed-in person: the one on their user record, across sessions."""

from __future__ import annotations

from django.utils import translation

# Machines say what they want in Accept-Language (LocaleMiddleware); a person's choice is for pages.
API_PREFIX = "/api/"


class UserLanguageMiddleware:
    """After LocaleMiddleware and authentication: the user's own language over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            not request.path_info.startswith(API_PREFIX)
            and user is not None
            and user.is_authenticated
            and getattr(user, "language", "")
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
