"""The portfolio matrix's geometry, without a database: axes, cut lines, sizes by CLV, drawing order."""

from decimal import Decimal

from programme.dashboard.matrix import MatrixPoint, layout_matrix, radius_for


def point(pk, a, r, clv=None, status="key"):
    return MatrixPoint(account_id=pk, name=f"A{pk}", attractiveness=a, relationship=r, clv=clv, status=status)


def test_attractiveness_goes_up_and_relationship_goes_right():
    layout = layout_matrix(
        [point(1, 0, 0), point(2, 100, 100)], attractiveness_cutoff=50, relationship_cutoff=50
    )
    low, high = sorted(layout.points, key=lambda p: p.point.account_id)
    assert (low.cx, low.cy) == (layout.plot.left, layout.plot.bottom)
    assert (high.cx, high.cy) == (layout.plot.right, layout.plot.top)


def test_threshold_lines_sit_at_the_programme_cut_offs():
    layout = layout_matrix([], attractiveness_cutoff=Decimal("60"), relationship_cutoff=Decimal("25"))
    assert layout.cut_x == layout.plot.left + layout.plot.width * 0.25
    assert layout.cut_y == round(layout.plot.bottom - layout.plot.height * 0.6, 2)


def test_point_area_grows_with_clv():
    small = radius_for(250, largest_clv=1000, min_radius=0, max_radius=20)
    large = radius_for(1000, largest_clv=1000, min_radius=0, max_radius=20)
    assert large == 20
    assert abs((small / large) ** 2 - 0.25) < 1e-6


def test_missing_or_negative_clv_gets_the_smallest_point():
    assert radius_for(None, largest_clv=1000, min_radius=3, max_radius=20) == 3
    assert radius_for(-50, largest_clv=1000, min_radius=3, max_radius=20) == 3


def test_scores_outside_the_scale_stay_on_the_chart():
    layout = layout_matrix([point(1, 130, -5)], attractiveness_cutoff=50, relationship_cutoff=50)
    (placed,) = layout.points
    assert placed.cx == layout.plot.left and placed.cy == layout.plot.top


def test_unscored_accounts_are_left_out():
    layout = layout_matrix([point(1, None, 40)], attractiveness_cutoff=50, relationship_cutoff=50)
    assert layout.points == []


def test_key_accounts_are_drawn_over_candidates_and_small_points_over_big_ones():
    points = [point(i, 50, 50, clv=i * 100, status="candidate") for i in range(1, 201)]
    points += [point(1000 + i, 50, 50, clv=i * 1000, status="key") for i in range(1, 26)]
    layout = layout_matrix(points, attractiveness_cutoff=50, relationship_cutoff=50)
    statuses = [p.point.status for p in layout.points]
    assert statuses == ["candidate"] * 200 + ["key"] * 25
    key_radii = [p.r for p in layout.points[200:]]
    assert key_radii == sorted(key_radii, reverse=True)
    assert (layout.key_count, layout.candidate_count) == (25, 200)


def test_points_on_the_same_spot_are_spread_so_each_stays_reachable():
    points = [point(i, 100, 100, status="candidate") for i in range(1, 31)]
    layout = layout_matrix(points, attractiveness_cutoff=50, relationship_cutoff=50)
    spots = {(p.cx, p.cy) for p in layout.points}
    assert len(spots) == 30
    assert all(abs(p.cx - layout.plot.right) < 25 and abs(p.cy - layout.plot.top) < 25 for p in layout.points)
    plot = layout.plot
    assert all(plot.left <= p.cx <= plot.right and plot.top <= p.cy <= plot.bottom for p in layout.points)


def test_spreading_is_deterministic():
    points = [point(i, 40, 40) for i in range(1, 6)]
    first = layout_matrix(points, attractiveness_cutoff=50, relationship_cutoff=50).points
    again = layout_matrix(list(reversed(points)), attractiveness_cutoff=50, relationship_cutoff=50).points
    assert [(p.point.account_id, p.cx, p.cy) for p in first] == [
        (p.point.account_id, p.cx, p.cy) for p in again
    ]
