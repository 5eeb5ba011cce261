"""Language choice: Vietnamese unless the person picked another language."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class PreferredLanguageMiddleware:
    """Activates the language from the language cookie (set by the switcher in the header),
    otherwise Vietnamese. Unlike Django's LocaleMiddleware it ignores the browser's
    Accept-Language, so an office computer with an English browser still shows Vietnamese."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def is_busy_database(error: BaseException) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (the write lock still held by
    another process after the busy timeout) or a PostgreSQL lock or statement timeout."""
    from django.db import OperationalError

    if not isinstance(error, OperationalError):
        return False
    text = str(error).lower()
    return "database is locked" in text or "lock timeout" in text or "deadlock" in text


class BusyDatabaseMiddleware:
    """A request that could not get the database's write lock in time answers 503 with
    "try again in a moment" (and ``Retry-After``) instead of a server error; its transaction
    was rolled back, so nothing was half-saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy_database(exception):
            return None
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        message = _(
            "Many people are saving at this moment. Nothing was saved: try again in a moment."
        )
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = render(request, "busy.html", {"message": message}, status=503)
        response["Retry-After"] = "5"
        return response
