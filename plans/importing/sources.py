"""Turn what a user uploads or pastes into plain text for the extractor.

Accepted: a Word ``.docx`` file, a ``.txt`` file (UTF-8 with or without BOM, UTF-16 with BOM, or
as a last resort the legacy Vietnamese Windows code page cp1258 / windows-1252), or pasted text.
Everything else is refused with a :class:`SourceError` that names the problem in Vietnamese for
the user and in English for the log. The kind of a file is decided by its bytes (magic numbers),
never by its name, because users rename files and browsers send whatever name they like.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

MAX_BYTES: Final = 10 * 1024 * 1024
"""Largest upload or pasted text accepted (10 MB): a plan is tens of kilobytes."""

MAX_UNZIPPED_BYTES: Final = 50 * 1024 * 1024
"""Largest total uncompressed size of a .docx's members; beyond it the file is a zip bomb."""

MAX_RATIO: Final = 250
"""Largest compression ratio of one member. Word XML compresses about 5-15 times, but a long
plan of repeated forms (hundreds of tasks written alike, as Cascade's own exports of such a
plan are) reaches 100:1; a zip bomb is thousands to one, and the total above bounds memory."""

RATIO_MIN_BYTES: Final = 1024 * 1024
"""Ratios are only judged on members over 1 MB: tiny files can legitimately compress well."""

MAX_MEMBERS: Final = 2000
"""A .docx has a few dozen parts; thousands of members is an attack on the reader."""

_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Formats people commonly upload by mistake, so the message can say what the file really is.
_KNOWN_BINARY: Final[tuple[tuple[bytes, str], ...]] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"{\\rtf", "RTF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
)

# Letters only Vietnamese uses: ă đ ơ ư and the precomposed tone letters U+1EA0-U+1EF9. A legacy
# decoding is accepted only when it produces these, so random binary is never taken for text.
_VIETNAMESE_LETTER: Final = re.compile("[ăĂđĐơƠưƯ\u1ea0-\u1ef9]")
# C0 controls other than tab, line feed, vertical tab, form feed and carriage return.
_BINARY_BYTES: Final = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_LINE_BREAKS: Final = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n"})
_W_NS: Final = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class SourceError(ValueError):
    """An input that cannot be read as a plan, with messages for the user and for the log.

    ``code`` is a stable machine-readable reason (``unsupported``, ``legacy_doc``, ``corrupt``,
    ``not_word``, ``zip_bomb``, ``too_large``, ``empty``, ``encoding``, ``unreadable``).
    """

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_vi)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.message_vi} ({self.message_en})"


def read_source(source: bytes | str | os.PathLike[str], *, filename: str | None = None) -> str:
    """Return the text of an uploaded file, a file on disk or pasted text.

    ``bytes`` are an upload (``filename`` only enriches messages); a ``str`` is pasted text; a
    path is read from disk. The result is NFC-normalised with ``\\n`` line ends, one line per
    Word paragraph.
    """
    if isinstance(source, str):
        return _read_pasted(source)
    if isinstance(source, os.PathLike):
        path = Path(source)
        filename = filename or path.name
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise _too_large(size)
            source = path.read_bytes()
        except OSError as exc:
            raise SourceError(
                "unreadable",
                f"Không mở được tệp «{filename}».",
                f"Cannot open the file: {exc.strerror or exc}.",
            ) from exc
    if not isinstance(source, bytes | bytearray | memoryview):
        raise TypeError(f"read_source() takes bytes, str or a path, not {type(source).__name__}")
    return _read_bytes(bytes(source), filename)


def _read_pasted(text: str) -> str:
    """Pasted text: only the size and emptiness can be wrong."""
    # A character takes at least one byte: only text that might be too large is encoded.
    if len(text) * 4 > MAX_BYTES:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_BYTES:
            raise _too_large(size)
    return _finish(text)


def _read_bytes(data: bytes, filename: str | None) -> str:
    """Dispatch on the leading bytes of an upload."""
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    if not data.strip():
        raise _empty()
    if data.startswith(_ZIP_MAGIC):
        return _finish(_read_docx(data))
    if data.startswith(_OLE_MAGIC):
        raise SourceError(
            "legacy_doc",
            "Tệp là định dạng Word cũ (.doc). Hãy mở bằng Word và lưu lại thành .docx rồi tải lên.",
            "The file is a legacy Word .doc (OLE) document; save it as .docx first.",
        )
    for magic, kind in _KNOWN_BINARY:
        if data.startswith(magic):
            raise _unsupported(filename, kind)
    return _finish(_decode_text(data, filename))


def _decode_text(data: bytes, filename: str | None) -> str:
    """Decode a .txt upload: BOMs first, then UTF-8, then the legacy Vietnamese code pages."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", filename)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", filename)
    # NUL and other control bytes never occur in text: the file is binary (or UTF-16 without a
    # BOM, which cannot be told apart reliably and is refused as well).
    if _BINARY_BYTES.search(data):
        raise _unsupported(filename, None)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    legacy = _decode_legacy(data)
    if legacy is None:
        raise SourceError(
            "encoding",
            "Không đọc được bảng mã của tệp văn bản (không phải UTF-8, UTF-16 hay Windows-1258). "
            "Hãy lưu lại tệp với bảng mã UTF-8.",
            "Could not determine the text encoding (not UTF-8, UTF-16 or cp1258/cp1252).",
        )
    return legacy


def _strict(data: bytes, encoding: str, filename: str | None) -> str:
    """Decode with a declared encoding (a BOM): failing here means a damaged file."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            "encoding",
            f"Không đọc được bảng mã: tệp có dấu {encoding.upper()} nhưng nội dung bị hỏng.",
            f"The file declares {encoding} by its BOM but does not decode: {exc.reason}.",
        ) from exc
    if "\x00" in text:
        raise _unsupported(filename, None)
    return text


def _decode_legacy(data: bytes) -> str | None:
    """Try the Windows code pages Vietnamese offices used before Unicode; None if neither fits.

    Any byte string decodes in *some* single-byte code page, so a result only counts when it
    contains letters that exist in Vietnamese alone, and no control characters.
    """
    for encoding in ("cp1258", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        text = unicodedata.normalize("NFC", text)
        if _VIETNAMESE_LETTER.search(text):
            return text
    return None


def _read_docx(data: bytes) -> str:
    """Read a .docx after checking it is a sound Word package and not a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _corrupt(str(exc)) from exc
    with archive:
        infos = archive.infolist()
        _check_zip_bomb(infos)
        names = {info.filename for info in infos}
        if "word/document.xml" not in names:
            raise SourceError(
                "not_word",
                "Tệp nén không phải văn bản Word .docx (không có word/document.xml). "
                "Chỉ nhận tệp .docx hoặc .txt.",
                "The zip archive is not a .docx package (word/document.xml is missing).",
            )
    # Imported here so pasted text and .txt uploads never pay for loading python-docx.
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document.element.body))
    except Exception as exc:  # python-docx raises many kinds of errors on damaged packages
        raise _corrupt(f"{type(exc).__name__}: {exc}") from exc
    return "\n".join(lines)


def _check_zip_bomb(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse archives whose declared sizes would expand far beyond any real Word file.

    zipfile stops a member's decompression at its declared size, so checking the declared sizes
    before anything is decompressed bounds the memory the reader can be made to use.
    """
    if len(infos) > MAX_MEMBERS:
        raise _bomb(f"{len(infos)} members")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise _bomb(f"{total} bytes uncompressed")
    for info in infos:
        if info.file_size > RATIO_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise _bomb(f"member {info.filename!r} compressed {ratio:.0f}:1")


def _docx_lines(container: object) -> Iterator[str]:
    """Paragraph texts in body order, descending into tables (row by row, cell by cell) and
    content controls, so a header laid out in a table reads top-left before top-right."""
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():  # type: ignore[attr-defined]
        tag = child.tag
        if tag == f"{_W_NS}p":
            # Only the text is read: the paragraph needs no parent document part.
            yield Paragraph(child, None).text  # type: ignore[arg-type]
        elif tag == f"{_W_NS}tbl":
            for row in child.iterchildren(f"{_W_NS}tr"):
                # Walk the cell elements themselves: python-docx's row.cells repeats merged cells.
                for cell in row.iterchildren(f"{_W_NS}tc"):
                    yield from _docx_lines(cell)
        elif tag == f"{_W_NS}sdt":
            for content in child.iterchildren(f"{_W_NS}sdtContent"):
                yield from _docx_lines(content)


def _finish(text: str) -> str:
    """Normalise line ends and Unicode composition; refuse text with nothing in it."""
    # Vertical tab (Word's manual line break in plain-text exports) and form feed (page
    # break) end a line like a newline does.
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    text = unicodedata.normalize("NFC", text)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise _empty()
    return text


def _too_large(size: int) -> SourceError:
    megabytes = size / (1024 * 1024)
    return SourceError(
        "too_large",
        f"Tệp quá lớn ({megabytes:.1f} MB); chỉ nhận tệp tối đa 10 MB.",
        f"Input is too large ({size} bytes); the limit is {MAX_BYTES} bytes.",
    )


def _empty() -> SourceError:
    return SourceError(
        "empty",
        "Tệp trống: không có nội dung văn bản nào để đọc.",
        "The input is empty or contains only whitespace.",
    )


def _corrupt(detail: str) -> SourceError:
    return SourceError(
        "corrupt",
        "Tệp .docx bị hỏng, không mở được. Hãy mở bằng Word, lưu lại rồi tải lên lần nữa.",
        f"The .docx file is corrupt and cannot be opened ({detail}).",
    )


def _bomb(detail: str) -> SourceError:
    return SourceError(
        "zip_bomb",
        "Tệp .docx có nội dung nén bất thường (giải nén quá lớn), có thể là tệp độc hại; "
        "không mở tệp này.",
        f"The .docx looks like a zip bomb ({detail}); refused before decompression.",
    )


def _unsupported(filename: str | None, kind: str | None) -> SourceError:
    what = f" (tệp {kind})" if kind else ""
    name = f" «{filename}»" if filename else ""
    return SourceError(
        "unsupported",
        f"Định dạng tệp{name} không được hỗ trợ{what}: chỉ nhận tệp Word .docx hoặc văn bản .txt.",
        f"Unsupported file format{f' ({kind})' if kind else ''}: only .docx and .txt are accepted.",
    )
