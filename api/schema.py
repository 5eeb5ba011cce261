"""Touches to the generated OpenAPI schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from api.docs import DESCRIPTION, tags


def add_texts(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """The bilingual description and the tags' descriptions (drf-spectacular hook)."""
    result["info"]["description"] = DESCRIPTION
    result["tags"] = tags()
    return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the API token to the schema (and the documentation page's Authorize box)."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Authorization: Bearer csc_… — an API token issued by an "
            "administrator. / Mã API do quản trị viên cấp.",
        }


# Integer bounds, and the int64 format that follows from them, that Django derives from the
# database backend (SQLite allows 64 bits for every integer column, PostgreSQL 16 or 32 for
# some): left in, the schema would differ between the two databases the suite runs on. They
# are limits of storage, not rules of the API.
_BACKEND_MAXIMUMS = {2**63 - 1, 2**31 - 1, 2**15 - 1}
_BACKEND_MINIMUMS = {-(2**63), -(2**31), -(2**15)}


def _drop_ranges(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            if node.get("maximum") in _BACKEND_MAXIMUMS:
                del node["maximum"]
            if node.get("minimum") in _BACKEND_MINIMUMS:
                del node["minimum"]
            # Set from the same bounds (beyond 32 bits on SQLite only).
            if node.get("format") == "int64":
                del node["format"]
        for value in node.values():
            _drop_ranges(value)
    elif isinstance(node, list):
        for value in node:
            _drop_ranges(value)


def drop_database_ranges(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """The same schema whatever the database (drf-spectacular hook)."""
    _drop_ranges(result)
    return result


# The answers every operation may give besides its own, all with the same body.
ERROR_RESPONSES = {
    "400": "Invalid input, with the reason (per field in errors). — Dữ liệu không hợp lệ, kèm "
    "lý do (theo từng trường trong errors).",
    "401": "No credentials, or an invalid, expired or revoked token. — Chưa xác thực, hoặc mã "
    "không hợp lệ, đã hết hạn hay bị thu hồi.",
    "403": "Not allowed, with the reason. — Không được phép, kèm lý do.",
    "404": "Not found, or not yours to see. — Không tìm thấy, hoặc bạn không được xem.",
    "429": "Too many requests for this token; see Retry-After. — Quá nhiều yêu cầu với mã này; "
    "xem Retry-After.",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["detail"],
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Document the error answers of every operation (drf-spectacular hook)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"content": body, "description": description})
    return result
