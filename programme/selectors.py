"""Reads for the criteria page. The score card, recompute page and what-if read in programme/scoring."""

from __future__ import annotations

from dataclasses import dataclass

from programme.models import (
    Criterion,
    Programme,
)
from programme.scoring import metrics


@dataclass
class CriteriaPage:
    programme: Programme
    criteria: list[Criterion]
    retired: list[Criterion]
    metric_labels: dict[str, str]


def criteria_page() -> CriteriaPage:
    criteria = list(Criterion.objects.all())
    return CriteriaPage(
        programme=Programme.load(),
        criteria=[c for c in criteria if c.is_active],
        retired=[c for c in criteria if not c.is_active],
        metric_labels={name: str(label) for name, label in metrics.choices()},
    )
