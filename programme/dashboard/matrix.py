"""The 4S portfolio matrix's geometry: where each account's point goes, how big, in which order.

Pure functions on plain values, so the picture's rules are tested without a database or a browser.
x = relationship strength, y = attractiveness (both 0-100); the cut lines are the programme's
cut-offs; a point's *area* grows with its CLV, so a twice-as-valuable account looks twice as big.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
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
    labels: list[Label] = field(default_factory=list)  # the key accounts' names

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
# How far a point may be moved off its true spot to keep clear of others (pixels; a score point is
# about 6.5 px on the default 720 px matrix): the position still reads true.
MAX_SHIFT = 24.0
SHIFT_STEP = 2.0  # the sunflower spiral's spacing: about (MAX_SHIFT / SHIFT_STEP)^2 spots to try
CLEARANCE = 2.0  # pixels between a point's centre and the edge of a smaller neighbour's
ROUNDING = 0.01  # coordinates are rounded to two places: a free spot keeps this much more room


# The spiral's offsets, computed once: the k-th spot is step * sqrt(k) away, turned by the golden angle.
SPIRAL = [
    (math.sqrt(k) * math.cos(k * GOLDEN_ANGLE), math.sqrt(k) * math.sin(k * GOLDEN_ANGLE))
    for k in range(int((MAX_SHIFT / SHIFT_STEP) ** 2) + 1)
]


class _Grid:
    """Placed points by grid cell, to look only at the neighbours that could be too close. A point is
    filed under every cell its reach touches (its radius, CLEARANCE and ROUNDING), so that a spot
    looks in its own cell only: one lookup per spot tried, not one per cell around it."""

    def __init__(self, cell: float):
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[float, float, float]]] = {}

    def add(self, x: float, y: float, r: float) -> None:
        reach, cell, point = r + CLEARANCE + ROUNDING, self.cell, (x, y, r)
        for i in range(int((x - reach) // cell), int((x + reach) // cell) + 1):
            for j in range(int((y - reach) // cell), int((y + reach) // cell) + 1):
                self.cells.setdefault((i, j), []).append(point)

    def clearance(self, x: float, y: float, r: float, floor: float = -math.inf) -> float:
        """The smallest (distance - needed distance) to a placed point that is too close (inf when none
        is: the spot is free); stops early once below `floor` (no better than a spot already found)."""
        worst = math.inf
        for ox, oy, other in self.cells.get((int(x // self.cell), int(y // self.cell)), ()):
            need = (other if other < r else r) + CLEARANCE
            dx, dy = x - ox, y - oy
            distance2 = dx * dx + dy * dy
            if distance2 >= (need + ROUNDING) * (need + ROUNDING):
                continue  # far enough: it cannot make this spot less than free
            gap = math.sqrt(distance2) - need
            if gap < worst:
                worst = gap
                if worst < floor:
                    return worst
        return worst


def spread_overlaps(
    placed: list[PlacedPoint], *, box: Box | None = None, step: float = SHIFT_STEP, limit: float = MAX_SHIFT
) -> list[PlacedPoint]:
    """Move points that would hide one another a few pixels along a sunflower spiral, deterministically.

    Centres `min(r1, r2) + CLEARANCE` apart leave each point's centre outside its smaller neighbour,
    which is drawn on top: both stay visible and clickable.

    Scores cluster (relationship criteria scored by bands give the same few values to hundreds of
    candidates: vertical stripes of rings). Key accounts are placed first (biggest first), so they move
    least; then candidates by id. Each takes the first spot on its spiral that keeps clear of every
    point placed before it, or, when none within `limit` does, the spot that keeps clearest.
    """
    grid = _Grid(cell=8.0)
    order = sorted(placed, key=lambda pp: (pp.point.status != "key", -pp.r, pp.point.account_id))
    spots = SPIRAL[: int((limit / step) ** 2) + 1]
    left, top, right, bottom = (box.left, box.top, box.right, box.bottom) if box else (-1e9, -1e9, 1e9, 1e9)
    spread = []
    for pp in order:
        best, best_clearance = (pp.cx, pp.cy), -math.inf
        for dx, dy in spots:
            x, y = pp.cx + step * dx, pp.cy + step * dy
            if not (left <= x <= right and top <= y <= bottom):
                continue
            clearance = grid.clearance(x, y, pp.r, best_clearance)
            if clearance > best_clearance:
                best, best_clearance = (x, y), clearance
                if clearance >= ROUNDING:  # still clear once rounded to two places
                    break
        best = (round(best[0], 2), round(best[1], 2))
        grid.add(best[0], best[1], pp.r)
        spread.append(PlacedPoint(pp.point, best[0], best[1], pp.r))
    return spread


@dataclass(frozen=True)
class Label:
    """A key account's name beside its point; `leader` joins them when the label had to sit further off."""

    account_id: int
    text: str
    x: float
    y: float  # the text's baseline
    anchor: str  # SVG text-anchor: start, middle or end
    box: Box
    leader: tuple[float, float, float, float] | None = None


LABEL_CHARS = 22  # longer names are cut (the point's tooltip has the whole name)
LABEL_CHAR_WIDTH = 6.4  # an 11 px sans-serif's average advance, generous: estimated, not measured
LABEL_HEIGHT = 13.0
LABEL_GAP = 3.0
QUADRANT_NAME_WIDTH = 90.0  # "Streamline" in 13 px bold, about
# Around the point, from the preferred side: right, left, the diagonals, above, below (degrees, y down).
LABEL_ANGLES = (0, 180, -30, 30, -150, 150, -90, 90, -60, 60, -120, 120, -15, 15, -165, 165)
# Beyond the point's edge; > 0 draws a leader line.
LEADER_DISTANCES = (0.0, 14.0, 28.0, 44.0, 62.0, 84.0, 110.0, 140.0, 175.0, 215.0)


def label_text(name: str) -> str:
    name = " ".join(str(name).split())
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def _overlaps(a: Box, b: Box) -> bool:
    return a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom


def _circle_box(pp: PlacedPoint) -> Box:
    return Box(pp.cx - pp.r, pp.cy - pp.r, pp.cx + pp.r, pp.cy + pp.r)


def _label_at(pp: PlacedPoint, text: str, angle: float, distance: float) -> Label:
    theta = math.radians(angle)
    cos, sin = math.cos(theta), math.sin(theta)
    reach = pp.r + LABEL_GAP + distance
    ax, ay = pp.cx + reach * cos, pp.cy + reach * sin
    width = len(text) * LABEL_CHAR_WIDTH
    if cos > 0.3:
        anchor, left = "start", ax
    elif cos < -0.3:
        anchor, left = "end", ax - width
    else:
        anchor, left = "middle", ax - width / 2
    if sin > 0.3:
        top = ay
    elif sin < -0.3:
        top = ay - LABEL_HEIGHT
    else:
        top = ay - LABEL_HEIGHT / 2
    box = Box(round(left, 2), round(top, 2), round(left + width, 2), round(top + LABEL_HEIGHT, 2))
    x = {"start": box.left, "end": box.right, "middle": round(ax, 2)}[anchor]
    leader = None
    if distance:
        edge_x, edge_y = pp.cx + pp.r * cos, pp.cy + pp.r * sin
        end_x, end_y = pp.cx + (reach - LABEL_GAP / 2) * cos, pp.cy + (reach - LABEL_GAP / 2) * sin
        leader = (round(edge_x, 2), round(edge_y, 2), round(end_x, 2), round(end_y, 2))
    return Label(pp.point.account_id, text, round(x, 2), round(box.bottom - 3, 2), anchor, box, leader)


def label_key_accounts(points: list[PlacedPoint], *, bounds: Box, avoid: list[Box] = ()) -> list[Label]:
    """A label for every key account, placed where it covers no other label and no key account's point
    (and as few candidates as it can), inside `bounds`; further off with a leader line when the spots
    next to the point are taken. Biggest accounts choose first; deterministic."""
    keys = sorted(
        (pp for pp in points if pp.point.status == "key"), key=lambda pp: (-pp.r, pp.point.account_id)
    )
    hard = [_circle_box(pp) for pp in keys]
    soft = [_circle_box(pp) for pp in points if pp.point.status != "key"] + list(avoid)
    cell = 40.0
    soft_cells: dict[tuple[int, int], list[int]] = {}
    for number, circle in enumerate(soft):
        for i in range(int(circle.left // cell), int(circle.right // cell) + 1):
            for j in range(int(circle.top // cell), int(circle.bottom // cell) + 1):
                soft_cells.setdefault((i, j), []).append(number)

    def covered(box: Box) -> int:
        near = {
            number
            for i in range(int(box.left // cell), int(box.right // cell) + 1)
            for j in range(int(box.top // cell), int(box.bottom // cell) + 1)
            for number in soft_cells.get((i, j), ())
        }
        return sum(_overlaps(box, soft[number]) for number in near)

    labels: list[Label] = []
    for index, pp in enumerate(keys):
        text = label_text(pp.point.name)
        others = hard[:index] + hard[index + 1 :]
        best, best_cost, clean = None, math.inf, False
        for ring, distance in enumerate(LEADER_DISTANCES):
            for turn, angle in enumerate(LABEL_ANGLES):
                label = _label_at(pp, text, angle, distance)
                box = label.box
                inside = (
                    bounds.left <= box.left and box.right <= bounds.right
                    and bounds.top <= box.top and box.bottom <= bounds.bottom
                )  # fmt: skip
                collisions = sum(_overlaps(box, other.box) for other in labels)
                collisions += sum(_overlaps(box, circle) for circle in others)
                if best is not None and (not inside or collisions):
                    continue  # no better than what was found, whatever it covers
                hidden = covered(box)
                cost = (0 if inside else 100_000) + collisions * 10_000 + hidden * 500 + ring * 50 + turn
                if cost < best_cost:
                    best, best_cost = label, cost
                    clean = inside and not collisions
                if clean and not hidden:
                    break
            if clean:  # readable at this distance: going further only lengthens the leader line
                break
        labels.append(best)
    return labels


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
    label_keys: bool = True,
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
    cut_x, cut_y = x_at(relationship_cutoff), y_at(attractiveness_cutoff)
    # The quadrants' names, top left of each area (as the template draws them): kept clear if possible.
    names = [
        Box(x + 4, y + 2, x + 4 + QUADRANT_NAME_WIDTH, y + 20)
        for x, y in ((plot.left, plot.top), (cut_x, plot.top), (plot.left, cut_y), (cut_x, cut_y))
    ]
    labels = label_key_accounts(placed, bounds=plot, avoid=names) if label_keys else []
    return MatrixLayout(
        width=width,
        height=height,
        plot=plot,
        cut_x=cut_x,
        cut_y=cut_y,
        points=placed,
        ticks=ticks,
        labels=labels,
    )
