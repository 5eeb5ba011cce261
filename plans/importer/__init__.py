"""Plan importer core: read an uploaded or pasted plan into text and extract its contents.

Pure Python (no Django) so it runs in a view, a Celery task, a management command or a
benchmark alike::

    text = read_source(upload_bytes, filename="ke-hoach.docx")
    plan = extract_plan(text)
"""

from plans.importer.extract import extract_plan
from plans.importer.sources import SourceError, read_source

__all__ = ["SourceError", "extract_plan", "read_source"]
