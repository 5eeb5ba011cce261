"""Loading the synthetic national cascade (``national.generator``) and keeping the
dashboard's roll-up tables consistent with it."""

from __future__ import annotations

import time
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cascade.services import atomic_service
from national.generator import SHAPES, Summary, generate
from rollups.services import rollups_rebuild
from units.models import Unit


@atomic_service
def nation_generate(
    *,
    seed: int,
    shape: str = "2025",
    scale: float = 1.0,
    years: int = 3,
    today: date,
    dry_run: bool = False,
) -> Summary:
    """Generate the national cascade into an empty organisation tree, then rebuild the
    dashboard's roll-ups from the occurrences written (the generator bypasses the task
    services that keep them current). With ``dry_run`` nothing is written: only the digest
    and the counts of the rows the seed gives."""
    if shape not in SHAPES:
        raise ValidationError({"shape": _("Unknown shape.")})
    if not 0 < scale <= 1:
        raise ValidationError({"scale": _("The scale must be above 0 and at most 1.")})
    if not 1 <= years <= 10:
        raise ValidationError({"years": _("Between 1 and 10 years.")})
    if not dry_run and Unit.objects.exists():
        raise ValidationError(
            _("The organisation tree is not empty: generate into a fresh database.")
        )
    summary = generate(
        seed=seed, shape=shape, scale=scale, years=years, today=today, dry_run=dry_run
    )
    if not dry_run:
        started = time.perf_counter()
        summary.counts["dashboard roll-up rows"] = rollups_rebuild()
        summary.seconds["roll-ups"] = time.perf_counter() - started
    return summary
