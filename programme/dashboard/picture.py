"""The 4S matrix ready to draw: each point's link, colour and tooltip, the key accounts' labels, a
legend of exactly the colours drawn, and for the what-if the arrows from where accounts are now.

The geometry is `programme/dashboard/matrix.py`'s; this module adds the words (translated) and the
CSS classes, and `templates/programme/_matrix.html` draws it, on the dashboard and twice on the what-if.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import LifecycleStatus
from accounts.templatetags.kam_format import money
from programme.dashboard.matrix import Label, MatrixLayout
from programme.models import Quadrant, Recommendation

# Each colour on the matrix and what it means, in the legend's order.
KINDS = {
    "key": gettext_lazy("key account"),
    "watch": gettext_lazy("key account on watch"),
    "exit": gettext_lazy("key account proposed for exit review"),
    "candidate": gettext_lazy("candidate"),
    "add": gettext_lazy("candidate proposed for entry"),
}
MOVED = gettext_lazy("changes quadrant or crosses a threshold (arrows start where accounts are now)")


def kind_of(status: str, recommendation: str) -> str:
    if status == LifecycleStatus.KEY:
        return {Recommendation.WATCH: "watch", Recommendation.REVIEW_FOR_EXIT: "exit"}.get(
            recommendation, "key"
        )
    return "add" if recommendation == Recommendation.ADD else "candidate"


@dataclass(frozen=True)
class MatrixMark:
    url: str
    css: str
    cx: float
    cy: float
    r: float
    title: str
    kind: str


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class MatrixPicture:
    name: str  # unique on its page: the SVG's ids start with it
    layout: MatrixLayout
    marks: list[MatrixMark]
    labels: list[Label]
    legend: list[tuple[str, str]]  # (kind, what it means), only the kinds drawn
    quadrants: list[tuple[str, str, float, float, float, float]]
    arrows: list[Arrow] = field(default_factory=list)
    title: str = ""

    @property
    def kinds(self) -> set[str]:
        return {m.kind for m in self.marks}


def matrix_picture(
    layout: MatrixLayout,
    currency: str,
    *,
    name: str = "matrix",
    title: str = "",
    moved_from: dict[int, tuple[float, float]] | None = None,
    highlighted: set[int] | None = None,
) -> MatrixPicture:
    """For the what-if's second matrix: `moved_from`, where each account that moves sits on the first
    (an arrow from there); `highlighted`, the accounts that change quadrant or cross a threshold."""
    kinds = {LifecycleStatus.KEY: _("key account"), LifecycleStatus.CANDIDATE: _("candidate")}
    template = _("%(name)s · %(kind)s · attractiveness %(a).0f · relationship %(r).0f · CLV %(clv)s")
    moved_from, highlighted = moved_from or {}, highlighted or set()
    marks, arrows = [], []
    for placed in layout.points:
        p = placed.point
        kind = kind_of(p.status, p.recommendation)
        title_text = template % {
            "name": p.name,
            "kind": kinds.get(p.status, p.status),
            "a": p.attractiveness,
            "r": p.relationship,
            "clv": money(p.clv, currency),
        }
        css = f"pt pt-{p.status} kind-{kind} pq-{p.quadrant or 'none'}"
        if p.account_id in highlighted:
            css += " moved"
        origin = moved_from.get(p.account_id)
        if origin is not None and (origin[0], origin[1]) != (placed.cx, placed.cy):
            arrows.append(Arrow(origin[0], origin[1], placed.cx, placed.cy))
        marks.append(MatrixMark(p.url, css, placed.cx, placed.cy, placed.r, title_text, kind))
    drawn = {m.kind for m in marks}
    legend = [
        (kind, str(label)) for kind, label in KINDS.items() if kind in drawn or kind in ("key", "candidate")
    ]
    if highlighted & {m.point.account_id for m in layout.points}:
        legend.append(("moved", str(MOVED)))
    quadrants = [(q, Quadrant(q).label, *box) for q, *box in layout.quadrant_boxes()]
    return MatrixPicture(name, layout, marks, layout.labels, legend, quadrants, arrows, title)
