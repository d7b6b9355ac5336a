"""The stakeholder map's geometry, without a database: readable at 10 and at 150 people."""

from dataclasses import dataclass

from accounts.stakeholders.pictures import BOX_HEIGHT, BOX_WIDTH, column_rows, influence_grid, org_chart


@dataclass
class Person:
    pk: int
    reports_to_id: int | None = None
    influence: int = 3
    attitude: int = 0


def _overlaps(a, b) -> bool:
    return not (
        a.x + BOX_WIDTH <= b.x or b.x + BOX_WIDTH <= a.x or a.y + BOX_HEIGHT <= b.y or b.y + BOX_HEIGHT <= a.y
    )


def _assert_no_overlap(chart):
    boxes = chart.boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlaps(a, b), (a.person.pk, b.person.pk)
        assert a.x >= 0 and a.y >= 0
        assert a.x + BOX_WIDTH <= chart.width and a.y + BOX_HEIGHT <= chart.height


def test_an_empty_map_is_an_empty_picture():
    chart = org_chart([])
    assert (chart.boxes, chart.width, chart.height) == ([], 0, 0)


def test_everyone_is_drawn_once_and_a_manager_sits_above_their_reports():
    people = [Person(1), Person(2, 1), Person(3, 1), Person(4, 2), Person(5, 2), Person(6, 4)]
    chart = org_chart(people)
    where = {b.person.pk: b for b in chart.boxes}
    assert sorted(where) == [1, 2, 3, 4, 5, 6]
    for person in people:
        if person.reports_to_id:
            assert where[person.reports_to_id].y < where[person.pk].y
    _assert_no_overlap(chart)
    assert chart.links  # connectors drawn


def test_reports_without_reports_of_their_own_stack_in_columns_instead_of_a_long_row():
    people = [Person(1)] + [Person(i, 1) for i in range(2, 12)]
    chart = org_chart(people)
    _assert_no_overlap(chart)
    # ten reports stack in one column, not ten boxes side by side
    assert chart.width < 2 * (BOX_WIDTH + 60)
    assert len({b.x for b in chart.boxes if b.person.pk != 1}) == 1


def test_one_hundred_fifty_people_stay_readable():
    # a CEO, 9 directors, each with 15 people, one of whom leads 1 more (150 in all)
    people, pk = [Person(1)], 2
    for _director in range(9):
        director = pk
        people.append(Person(director, 1))
        pk += 1
        for i in range(15):
            people.append(Person(pk, director))
            if i == 0:
                people.append(Person(pk + 1, pk))
                pk += 1
            pk += 1
    people = people[:150]
    chart = org_chart(people)
    assert len(chart.boxes) == 150
    _assert_no_overlap(chart)
    # under four laptop screens (1366 px) wide, not thirty; two screenfuls tall
    assert chart.width <= 4 * 1366 and chart.height <= 2200


def test_a_flat_list_of_150_unplaced_people_is_a_compact_block():
    chart = org_chart([Person(i) for i in range(1, 151)])
    _assert_no_overlap(chart)
    assert column_rows(150) == 17 and chart.width < 9 * (BOX_WIDTH + 60)


def test_a_reporting_cycle_in_old_data_is_cut_not_looped_forever():
    chart = org_chart([Person(1, 2), Person(2, 1), Person(3)])
    assert sorted(b.person.pk for b in chart.boxes) == [1, 2, 3]
    _assert_no_overlap(chart)


def test_a_manager_outside_the_map_makes_the_person_a_root():
    chart = org_chart([Person(1, 99), Person(2, 1)])
    where = {b.person.pk: b for b in chart.boxes}
    assert where[1].y < where[2].y


def test_influence_grid_puts_people_in_their_cell_and_grows_crowded_rows():
    people = [Person(i, influence=5, attitude=-2) for i in range(1, 11)]
    people.append(Person(11, influence=1, attitude=2))
    grid = influence_grid(people)
    rows = {r.influence: r for r in grid.rows}
    columns = {c.attitude: c for c in grid.columns}
    chips = {c.person.pk: c for c in grid.chips}
    assert rows[5].height > rows[1].height
    assert rows[5].y < rows[1].y  # more influence is higher up
    assert columns[-2].x < chips[1].x < columns[-1].x  # opponents on the left
    assert chips[11].x > columns[2].x and rows[1].y <= chips[11].y < rows[1].y + rows[1].height
    ys = [chips[i].y for i in range(1, 11)]
    assert len(set(ys)) == 10  # listed, not piled on each other
