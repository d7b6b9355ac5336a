"""The 4S portfolio matrix's geometry: where each account's point goes, how big, in which order.

Pure functions on plain values, so the picture's rules are tested without a database or a browser.
x = relationship strength, y = attractiveness (both 0-100); the cut lines are the programme's
cut-offs; a point's *area* grows with its CLV, so a twice-as-valuable account looks twice as big.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

SCALE_MAX = 100


@dataclass(frozen=True)
class MatrixPoint:
    account_id: int
    name: str
    attractiveness: Decimal | float
    relationship: Decimal | float
    clv: Decimal | float | None
    status: str  # lifecycle status: "key" or "candidate"
    quadrant: str = ""
    recommendation: str = ""
    url: str = ""


@dataclass(frozen=True)
class PlacedPoint:
    point: MatrixPoint
    cx: float
    cy: float
    r: float


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class MatrixLayout:
    width: int
    height: int
    plot: Box
    cut_x: float  # the relationship cut-off line
    cut_y: float  # the attractiveness cut-off line
    points: list[PlacedPoint]  # in drawing order: candidates under key accounts, big under small
    ticks: list[tuple[int, float, float]]  # (value, x, y) for the axes

    def quadrant_boxes(self) -> list[tuple[str, float, float, float, float]]:
        """(quadrant, x, y, width, height) of the four 4S areas, for their background and label."""
        p, x, y = self.plot, self.cut_x, self.cut_y
        return [
            ("star", p.left, p.top, x - p.left, y - p.top),
            ("strategic", x, p.top, p.right - x, y - p.top),
            ("streamline", p.left, y, x - p.left, p.bottom - y),
            ("status", x, y, p.right - x, p.bottom - y),
        ]

    @property
    def key_count(self) -> int:
        return sum(1 for p in self.points if p.point.status == "key")

    @property
    def candidate_count(self) -> int:
        return len(self.points) - self.key_count


def _clamp(value: float) -> float:
    return max(0.0, min(float(SCALE_MAX), float(value)))


def radius_for(clv, *, largest_clv, min_radius: float, max_radius: float) -> float:
    """Area proportional to CLV between the two radii; no or negative CLV gets the smallest dot."""
    if clv is None or largest_clv is None or largest_clv <= 0 or clv <= 0:
        return min_radius
    share = min(1.0, float(clv) / float(largest_clv))
    return round(min_radius + (max_radius - min_radius) * math.sqrt(share), 2)


GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def spread_overlaps(
    placed: list[PlacedPoint], *, box: Box | None = None, cell: float = 4.0, step: float = 4.0
) -> list[PlacedPoint]:
    """Nudge points that land on the same spot along a sunflower spiral, so each stays reachable.

    Scores cluster (many candidates share 100/100, or a rounded value); without this, the later
    point hides the earlier one completely. The offset is a few pixels, turned back inside `box`
    at its edges: the position still reads true.
    """

    def inside(origin: float, offset: float, low: float, high: float) -> float:
        value = origin + offset
        if box is not None and not low <= value <= high:
            value = origin - offset
        return round(value, 2)

    seen: dict[tuple[int, int], int] = {}
    spread = []
    for pp in sorted(placed, key=lambda pp: pp.point.account_id):  # deterministic whatever the input order
        spot = (round(pp.cx / cell), round(pp.cy / cell))
        k = seen.get(spot, 0)
        seen[spot] = k + 1
        if k:
            radius, angle = step * math.sqrt(k), k * GOLDEN_ANGLE
            left, top, right, bottom = (box.left, box.top, box.right, box.bottom) if box else (0, 0, 0, 0)
            cx = inside(pp.cx, radius * math.cos(angle), left, right)
            cy = inside(pp.cy, radius * math.sin(angle), top, bottom)
            pp = PlacedPoint(pp.point, cx, cy, pp.r)
        spread.append(pp)
    return spread


def layout_matrix(
    points: list[MatrixPoint],
    *,
    attractiveness_cutoff,
    relationship_cutoff,
    width: int = 720,
    height: int = 520,
    margin: tuple[int, int, int, int] = (16, 16, 44, 52),  # top, right, bottom, left: room for axes
    min_radius: float = 3.0,
    max_radius: float = 20.0,
) -> MatrixLayout:
    """Place every point; candidates are drawn first (under), and within a group big before small,
    so that every point stays reachable for hover and click with 25 key accounts and 200 candidates."""
    top, right, bottom, left = margin
    plot = Box(left=left, top=top, right=width - right, bottom=height - bottom)

    def x_at(value) -> float:
        return round(plot.left + plot.width * _clamp(value) / SCALE_MAX, 2)

    def y_at(value) -> float:
        return round(plot.bottom - plot.height * _clamp(value) / SCALE_MAX, 2)

    values = [p.clv for p in points if p.clv is not None and p.clv > 0]
    largest = max(values) if values else None
    placed = [
        PlacedPoint(
            point=p,
            cx=x_at(p.relationship),
            cy=y_at(p.attractiveness),
            r=radius_for(p.clv, largest_clv=largest, min_radius=min_radius, max_radius=max_radius),
        )
        for p in points
        if p.attractiveness is not None and p.relationship is not None
    ]
    placed = spread_overlaps(placed, box=plot)
    placed.sort(key=lambda pp: (pp.point.status == "key", -pp.r, pp.point.account_id))
    ticks = [(v, x_at(v), y_at(v)) for v in range(0, SCALE_MAX + 1, 25)]
    return MatrixLayout(
        width=width,
        height=height,
        plot=plot,
        cut_x=x_at(relationship_cutoff),
        cut_y=y_at(attractiveness_cutoff),
        points=placed,
        ticks=ticks,
    )
