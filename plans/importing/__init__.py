"""Importing a plan, in one package: ``sources`` reads an upload or pasted text, ``extract``
finds the header, basis, targets, tasks, recipients and signer, ``groups`` reads group names
("Các LĐLĐ huyện"); ``service`` saves what a person confirmed, ``forms``, ``views`` and
``staging`` are the review pages and the uploaded original kept between them.

This module and the three readers are pure Python (no Django), so they run in a view, a
Celery job, a management command or a benchmark alike::

    text = read_source(upload_bytes, filename="ke-hoach.docx")
    plan = extract_plan(text)
"""

from plans.importing.extract import extract_plan
from plans.importing.sources import SourceError, read_source

__all__ = ["SourceError", "extract_plan", "read_source"]
