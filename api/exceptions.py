"""Errors of the services, answered as the API's errors: a refusal is a 403 and invalid input
a 400, each with the service's own message; never a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def validation_payload(error: ValidationError) -> dict[str, Any]:
    """``{"detail": one line, "errors": {field: [messages]}}`` for a service's error."""
    if hasattr(error, "error_dict"):
        errors = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        errors = {"non_field_errors": list(error.messages)}
    lines = [message for messages in errors.values() for message in messages]
    return {"detail": " ".join(lines) or _("The request is not valid."), "errors": errors}


def _messages(detail: Any) -> list[str]:
    """Every message of a (nested) DRF error detail, in order."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, after turning Django's exceptions from the services into answers. Every
    400 has one shape, whether the input or a service refused it: ``detail`` and ``errors``."""
    if isinstance(exc, ValidationError):
        return Response(validation_payload(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return Response(
            {
                "detail": " ".join(_messages(detail)) or _("The request is not valid."),
                "errors": errors,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, PermissionDenied):
        return Response(
            {"detail": str(exc) or _("You may not do this.")}, status=status.HTTP_403_FORBIDDEN
        )
    if isinstance(exc, ObjectDoesNotExist) and not isinstance(exc, Http404):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return exception_handler(exc, context)
