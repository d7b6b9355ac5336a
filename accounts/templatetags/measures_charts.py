"""Small trend pictures, drawn on the server as SVG: no chart library, nothing from a CDN."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

WIDTH, HEIGHT, PAD = 168, 40, 4


@register.simple_tag
def sparkline(points, label: str = "", low=None, high=None, unit: str = ""):
    """A line through (label, value) points, oldest first; a gap where a value is None.

    `low`/`high` fix the scale (NPS -100…100, CSAT 1…5, stage 1…5) so that trends compare across accounts.
    """
    known = [(i, name, float(value)) for i, (name, value) in enumerate(points) if value is not None]
    if not known:
        return format_html('<span class="muted sparkline-empty">{}</span>', _("no trend yet"))
    values = [v for _i, _n, v in known]
    lo = float(low) if low is not None else min(values)
    hi = float(high) if high is not None else max(values)
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def xy(i, v):
        return round(PAD + i * step, 1), round(PAD + (hi - v) / (hi - lo) * (HEIGHT - 2 * PAD), 1)

    coordinates = [(*xy(i, v), name, v) for i, name, v in known]
    line = " ".join(f"{x},{y}" for x, y, _n, _v in coordinates)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2.5" fill="currentColor"><title>{}: {}{}</title></circle>',
        ((x, y, name, f"{v:g}", unit) for x, y, name, v in coordinates),
    )
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-label="{label}">'
        '<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="1.5"/>{dots}</svg>',
        w=WIDTH,
        h=HEIGHT,
        label=label,
        line=line,
        dots=dots,
    )
