"""The one writer of spreadsheets (.xlsx) and CSV files: what people typed is written as
text, never as a formula.

A task's text such as ``=HYPERLINK("http://…?x="&A1,"Bấm")`` would otherwise become a live
formula in whoever opens the download (CSV injection). In .xlsx every text cell is written as
a string, and one starting with ``= + - @`` (or a tab or carriage return) is also marked with
Excel's "quote prefix", so the program shows it exactly as typed and does not turn it into a
formula when the cell is edited. In CSV, which has no types, such a value is written with a
leading apostrophe, as OWASP advises. Every export of the project goes through here (a test
fails on any other use of openpyxl's writer or the csv module).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

# What spreadsheet programs read as the start of a formula (or of a DDE call).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_safe(value: object) -> object:
    """A value for a CSV cell: dates as dd/mm/yyyy, text that would start a formula behind
    an apostrophe."""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if is_formula_like(value):
        return "'" + str(value)
    return value


@dataclass
class Sheet:
    """One sheet: a bold header row and the rows below it."""

    title: str
    header: Sequence[object] = ()
    rows: Iterable[Sequence[object]] = field(default_factory=list)


def _cell(sheet: Any, value: object, *, bold: bool = False) -> WriteOnlyCell:
    if value is not None and not isinstance(value, (str, int, float, Decimal, date)):
        value = str(value)  # lazy translations, decimals, enums: written as their text
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl types a string starting with "=" as a formula; people's text never is.
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
    return cell


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of ``sheets`` (titles cut to Excel's 31 characters)."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=str(spec.title)[:31])
        if spec.header:
            sheet.append([_cell(sheet, title, bold=True) for title in spec.header])
        for row in spec.rows:
            sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A CSV file with a byte-order mark, so spreadsheet programs read Vietnamese as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(v) for v in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return buffer.getvalue()


def download(content: bytes | str, *, filename: str, kind: str) -> HttpResponse:
    """An attachment response for ``content`` of ``kind`` ("xlsx" or "csv")."""
    response = HttpResponse(content, content_type=XLSX_TYPE if kind == "xlsx" else CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
