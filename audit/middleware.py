"""Tells the audit trail that changes during a request come from the web, and from where."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.services import current_ip, current_source


class AuditContextMiddleware:
    """Sets the audit source and client address for the duration of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source_token = current_source.set("web")
        ip_token = current_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            current_source.reset(source_token)
            current_ip.reset(ip_token)
