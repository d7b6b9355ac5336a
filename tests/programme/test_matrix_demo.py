"""The 4S matrix on the demo programme, as the dashboard draws it: readable with its 170 points."""

import itertools
import math
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.urls import reverse

from accounts.demo.records import DemoOptions
from accounts.models import Account, User
from programme.dashboard.matrix import MatrixPoint, layout_matrix
from programme.dashboard.picture import KINDS
from programme.demo.seed import seed

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
SVG = "{http://www.w3.org/2000/svg}"


def _matrix_svg(html: str) -> ET.Element:
    svg = re.search(r'<svg class="matrix" viewBox="0 0 \d+ \d+".*?</svg>', html, re.S).group(0)
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_the_dashboards_matrix_is_readable_on_the_demo_programme(client):
    seed(DemoOptions(today=TODAY))
    client.force_login(User.objects.get(username="jan"))
    response = client.get(reverse("portfolio:dashboard"))
    html = response.content.decode()
    svg = _matrix_svg(html)
    layout = response.context["page"].matrix

    # Every point is a link to its account with a tooltip naming it.
    links = svg.findall(f"{SVG}a")
    circles = [c for c in svg.iter(f"{SVG}circle")]
    assert len(circles) == len(links) == len(layout.points) > 150
    names = dict(Account.objects.values_list("pk", "name"))
    for link in links:
        account_id = int(re.fullmatch(r"/accounts/(\d+)/", link.get("href")).group(1))
        circle = link.find(f"{SVG}circle")
        assert circle.find(f"{SVG}title").text.startswith(names[account_id])

    # The legend names every colour drawn, "watch" and "exit" included on the demo.
    drawn = {re.search(r"kind-(\w+)", c.get("class")).group(1) for c in circles}
    legend = set(re.findall(r'<li data-kind="(\w+)">', html))
    assert {"key", "watch", "exit", "candidate", "add"} <= drawn <= legend <= set(KINDS)

    # No two points on the same spot; none's centre under another's point of its size or smaller.
    spots = [(p.cx, p.cy) for p in layout.points]
    assert len(set(spots)) == len(spots)
    for a, b in itertools.combinations(layout.points, 2):
        assert math.dist((a.cx, a.cy), (b.cx, b.cy)) >= min(a.r, b.r), (a.point.name, b.point.name)

    # Every key account is labelled, and no label covers another or another key account's point.
    keys = {p.point.account_id for p in layout.points if p.point.status == "key"}
    labels = {int(t.get("data-account")): t for t in svg.iter(f"{SVG}text") if t.get("data-account")}
    assert set(labels) == keys and len(keys) == 15
    boxes = layout.labels
    for a, b in itertools.combinations(boxes, 2):
        assert not (
            a.box.left < b.box.right
            and b.box.left < a.box.right
            and a.box.top < b.box.bottom
            and b.box.top < a.box.bottom
        ), (a.text, b.text)
    key_points = [p for p in layout.points if p.point.status == "key"]
    for label in boxes:
        for p in key_points:
            if p.point.account_id == label.account_id:
                continue
            nearest_x = min(max(p.cx, label.box.left), label.box.right)
            nearest_y = min(max(p.cy, label.box.top), label.box.bottom)
            assert math.dist((p.cx, p.cy), (nearest_x, nearest_y)) >= p.r * 0.99, (label.text, p.point.name)


def test_a_stripe_of_candidates_on_one_relationship_score_is_spread_apart():
    """Relationship scored by bands gives hundreds of candidates the same few values: once a stripe of
    overlapping rings, each now keeps clear of the others."""
    points = [
        MatrixPoint(
            account_id=i,
            name=f"C{i}",
            attractiveness=50 + (i % 40),
            relationship=26,
            clv=None,
            status="candidate",
        )
        for i in range(1, 121)
    ]
    layout = layout_matrix(points, attractiveness_cutoff=50, relationship_cutoff=50)
    for a, b in itertools.combinations(layout.points, 2):
        assert math.dist((a.cx, a.cy), (b.cx, b.cy)) >= min(a.r, b.r) + 2 - 1e-6
    assert all(abs(p.cx - layout.plot.left - layout.plot.width * 0.26) <= 24 for p in layout.points)
