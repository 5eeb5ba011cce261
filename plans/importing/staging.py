"""Holding an uploaded original between the upload and the person's confirmation, outside the
database: a failed or abandoned import leaves the database as it was."""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

_FOLDER = "import-staging"
_SALT = "plans.import-staging"
MAX_AGE_SECONDS = 24 * 60 * 60


def stage(upload: UploadedFile, *, data: bytes, user: AbstractBaseUser) -> str:
    """Keep the upload's bytes and return a signed token that only ``user`` can redeem."""
    suffix = PurePath(upload.name or "").suffix.lower()[:8]
    name = default_storage.save(f"{_FOLDER}/{secrets.token_urlsafe(16)}{suffix}", ContentFile(data))
    return signing.dumps(
        {"user": user.pk, "path": name, "name": (upload.name or "")[-200:]}, salt=_SALT
    )


def _redeem(token: str, user: AbstractBaseUser) -> dict | None:
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("user") != user.pk or not str(data.get("path", "")).startswith(f"{_FOLDER}/"):
        return None
    return data if default_storage.exists(data["path"]) else None


def take(token: str, *, user: AbstractBaseUser) -> ContentFile | None:
    """The staged file for ``token``, or None when the token is not this user's, has expired
    or the file is gone. It stays staged until ``discard``, so a save that fails can be
    tried again."""
    data = _redeem(token, user)
    if data is None:
        return None
    with default_storage.open(data["path"], "rb") as handle:
        return ContentFile(handle.read(), name=data.get("name") or PurePath(data["path"]).name)


def discard(token: str, *, user: AbstractBaseUser) -> None:
    """Remove a staged file once the plan it belongs to is saved."""
    data = _redeem(token, user)
    if data is not None:
        default_storage.delete(data["path"])
