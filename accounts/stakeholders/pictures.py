"""Where each person goes on the stakeholder map: pure geometry, no database, no templates.

Two pictures of the same people:
- the org chart, built from `reports_to`. A plain tidy tree is unreadable once a manager has dozens of
  reports (150 people side by side is 30,000 px wide), so people without reports of their own are
  stacked in columns under their manager, hanging off a spine; only managers spread sideways.
- influence (y) against attitude (x): a 5 by 5 grid, people listed in their cell.

Input: any objects with `pk`, `reports_to_id`, `influence` and `attitude` (stakeholders). Output:
positions in pixels and SVG path strings for the connectors, so the template only draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

BOX_WIDTH = 224
BOX_HEIGHT = 96
GAP_X = 28
GAP_Y = 44
INDENT = 18  # a stacked column's boxes sit this far right of its spine
ROW_GAP = 12
MARGIN = 12
MIN_COLUMN_ROWS = 15


@dataclass
class Box:
    person: object
    x: int
    y: int
    depth: int
    manager_pk: int | None = None  # whom the chart draws them under (a cut reporting cycle: nobody)
    has_reports: bool = False


@dataclass
class Connector:
    """The lines from a manager down to their reports, drawn as one path so a collapsed subtree hides
    its lines with its boxes (`manager_pk` None: people nobody is known to manage)."""

    manager_pk: int | None
    path: str


@dataclass
class OrgChart:
    boxes: list[Box]
    links: list[str]
    width: int
    height: int
    connectors: list[Connector] = field(default_factory=list)

    @property
    def box_width(self) -> int:
        return BOX_WIDTH

    @property
    def box_height(self) -> int:
        return BOX_HEIGHT


def column_rows(count: int) -> int:
    """How many people one stacked column holds: tall enough to keep a big team from sprawling sideways,
    and columns evenly filled (14 people are one column of 14, 30 are two of 15, not 12 + 12 + 6)."""
    columns = math.ceil(count / max(MIN_COLUMN_ROWS, math.ceil(math.sqrt(2 * count))))
    return math.ceil(count / max(columns, 1))


@dataclass
class _Block:
    """A laid-out part of the chart: a person with their subtree, or a stack of people without reports."""

    width: int
    height: int
    node: object | None = None  # the person heading a subtree
    children: list[_Block] = field(default_factory=list)
    stack: list = field(default_factory=list)  # people without reports, in columns
    rows: int = 0


def _reporting_lines(people) -> tuple[dict, list]:
    by_id = {p.pk: p for p in people}
    reports: dict = {p.pk: [] for p in people}
    roots = []
    for person in people:
        manager = person.reports_to_id
        if manager is None or manager not in by_id or manager == person.pk:
            roots.append(person)
        else:
            reports[manager].append(person)
    # A reporting cycle (the database forbids it, old data may not) would leave people unreachable:
    # start a tree at the first of them, cutting the cycle there.
    reached = set()
    stack = list(roots)
    while stack:
        person = stack.pop()
        reached.add(person.pk)
        stack.extend(reports[person.pk])
    for person in people:
        if person.pk not in reached:
            roots.append(person)
            stack = [person]
            while stack:
                current = stack.pop()
                if current.pk in reached:
                    continue
                reached.add(current.pk)
                stack.extend(r for r in reports[current.pk] if r.pk not in reached)
            reports = {k: [r for r in v if r is not person] for k, v in reports.items()}
    return reports, roots


def _stack_block(people: list) -> _Block:
    rows = column_rows(len(people))
    columns = math.ceil(len(people) / rows)
    width = columns * (INDENT + BOX_WIDTH) + (columns - 1) * GAP_X
    height = rows * BOX_HEIGHT + (rows - 1) * ROW_GAP
    return _Block(width=width, height=height, stack=people, rows=rows)


def _group(people: list, reports: dict, seen: set) -> list[_Block]:
    """Blocks for a set of siblings: one per person with reports, and one stack for the others."""
    people = [p for p in people if p.pk not in seen]
    seen.update(p.pk for p in people)
    managers = [p for p in people if any(r.pk not in seen for r in reports[p.pk])]
    others = [p for p in people if p not in managers]
    blocks = [_tree_block(p, reports, seen) for p in managers]
    if others:
        blocks.append(_stack_block(others))
    return blocks


def _tree_block(person, reports: dict, seen: set) -> _Block:
    children = _group(reports[person.pk], reports, seen)
    if not children:
        return _stack_block([person])
    below = sum(b.width for b in children) + GAP_X * (len(children) - 1)
    height = BOX_HEIGHT + GAP_Y + max(b.height for b in children)
    return _Block(width=max(BOX_WIDTH, below), height=height, node=person, children=children)


def _place(
    block: _Block, x: int, y: int, depth: int, boxes: list, links: list, manager=None
) -> tuple[int, int]:
    """Place `block` with its top-left at (x, y); return where its connector attaches (top centre).

    `links` gets (manager's pk, path) pairs: a stack's lines belong to the manager it hangs from."""
    owner = manager.pk if manager is not None else None
    if block.stack:
        for i, person in enumerate(block.stack):
            column, row = divmod(i, block.rows)
            spine = x + column * (INDENT + BOX_WIDTH + GAP_X) + INDENT // 2
            top = y + row * (BOX_HEIGHT + ROW_GAP)
            boxes.append(Box(person, spine + INDENT // 2, top, depth, manager_pk=owner))
            links.append((owner, f"M{spine},{top + BOX_HEIGHT // 2}H{spine + INDENT // 2}"))
        columns = math.ceil(len(block.stack) / block.rows)
        bus = y - GAP_Y // 2
        for column in range(columns):
            spine = x + column * (INDENT + BOX_WIDTH + GAP_X) + INDENT // 2
            in_column = min(block.rows, len(block.stack) - column * block.rows)
            last = y + (in_column - 1) * (BOX_HEIGHT + ROW_GAP) + BOX_HEIGHT // 2
            links.append((owner, f"M{spine},{bus}V{last}"))
        if columns > 1:
            last_spine = x + (columns - 1) * (INDENT + BOX_WIDTH + GAP_X) + INDENT // 2
            links.append((owner, f"M{x + INDENT // 2},{bus}H{last_spine}"))
        return x + INDENT // 2, bus
    left = x + (block.width - BOX_WIDTH) // 2
    boxes.append(Box(block.node, left, y, depth, manager_pk=owner, has_reports=True))
    head = block.node.pk
    centre = left + BOX_WIDTH // 2
    bottom = y + BOX_HEIGHT
    bus = bottom + GAP_Y // 2
    below = sum(b.width for b in block.children) + GAP_X * (len(block.children) - 1)
    child_x = x + (block.width - below) // 2
    anchors = []
    for child in block.children:
        anchors.append(_place(child, child_x, bottom + GAP_Y, depth + 1, boxes, links, block.node))
        child_x += child.width + GAP_X
    links.append((head, f"M{centre},{bottom}V{bus}"))
    xs = [a[0] for a in anchors] + [centre]
    links.append((head, f"M{min(xs)},{bus}H{max(xs)}"))
    for anchor_x, anchor_y in anchors:
        if anchor_y > bus:  # a subtree's head: drop from the bus onto its top edge
            links.append((head, f"M{anchor_x},{bus}V{anchor_y}"))
    return centre, y


def org_chart(people) -> OrgChart:
    """Lay out `people` as an org chart from `reports_to`, keeping their order among siblings."""
    people = list(people)
    if not people:
        return OrgChart([], [], 0, 0)
    reports, roots = _reporting_lines(people)
    seen: set = set()
    top_blocks = _group(roots, reports, seen)
    boxes: list[Box] = []
    links: list[tuple] = []
    x = MARGIN
    height = 0
    for block in top_blocks:
        # People nobody is known to manage hang from no one: their stack gets no spine bus above it.
        y = MARGIN + (GAP_Y // 2 if block.stack else 0)
        _place(block, x, y, 0, boxes, links)
        x += block.width + GAP_X
        height = max(height, y + block.height)
    paths: dict = {}
    for owner, path in links:
        paths[owner] = paths.get(owner, "") + path
    return OrgChart(
        boxes,
        [path for _owner, path in links],
        x - GAP_X + MARGIN,
        height + MARGIN,
        connectors=[Connector(owner, path) for owner, path in paths.items()],
    )


# --- influence against attitude ------------------------------------------------------------------------

INFLUENCE_LEVELS = (5, 4, 3, 2, 1)  # top to bottom
ATTITUDE_LEVELS = (-2, -1, 0, 1, 2)  # left (against us) to right (for us)
CELL_WIDTH = 200
CHIP_HEIGHT = 24
CELL_PADDING = 8
MIN_CELL_HEIGHT = 56
AXIS_LABEL_WIDTH = 110
AXIS_LABEL_HEIGHT = 36


@dataclass
class Chip:
    person: object
    x: int
    y: int


@dataclass
class GridRow:
    influence: int
    y: int
    height: int


@dataclass
class GridColumn:
    attitude: int
    x: int


@dataclass
class InfluenceGrid:
    chips: list[Chip]
    rows: list[GridRow]
    columns: list[GridColumn]
    width: int
    height: int
    cell_width: int = CELL_WIDTH
    chip_height: int = CHIP_HEIGHT

    @property
    def plot_left(self) -> int:
        return AXIS_LABEL_WIDTH

    @property
    def plot_bottom(self) -> int:
        return self.height - AXIS_LABEL_HEIGHT


def influence_grid(people) -> InfluenceGrid:
    """Place each person in the cell of their influence (row) and attitude (column), listed in order.

    A row is as tall as its fullest cell, so a crowded row grows instead of overlapping.
    """
    cells: dict[tuple[int, int], list] = {}
    for person in people:
        influence = min(max(int(person.influence), 1), 5)
        attitude = min(max(int(person.attitude), -2), 2)
        cells.setdefault((influence, attitude), []).append(person)
    columns = [GridColumn(a, AXIS_LABEL_WIDTH + i * CELL_WIDTH) for i, a in enumerate(ATTITUDE_LEVELS)]
    rows, chips, y = [], [], 0
    for influence in INFLUENCE_LEVELS:
        fullest = max((len(cells.get((influence, a), [])) for a in ATTITUDE_LEVELS), default=0)
        height = max(MIN_CELL_HEIGHT, fullest * CHIP_HEIGHT + 2 * CELL_PADDING)
        rows.append(GridRow(influence, y, height))
        for column in columns:
            for i, person in enumerate(cells.get((influence, column.attitude), [])):
                chips.append(Chip(person, column.x + CELL_PADDING, y + CELL_PADDING + i * CHIP_HEIGHT))
        y += height
    width = AXIS_LABEL_WIDTH + CELL_WIDTH * len(ATTITUDE_LEVELS)
    return InfluenceGrid(chips, rows, columns, width, y + AXIS_LABEL_HEIGHT)
