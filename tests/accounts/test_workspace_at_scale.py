"""The account page with a real account's size: older interactions paged (not silently dropped), the
map saying what a save did and whom it touched, the people picker's labels, the manual score page
that saves from a tab of its own, and the alignment notes labelled. What a person sees in the browser
is in tests/browser/test_big_account_journey.py."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.stakeholders.forms import QuickInteractionForm
from accounts.stakeholders.pictures import org_chart
from programme.models import AlignmentElement
from programme.reviews import services as review_services
from programme.workspace.selectors import RECENT_INTERACTIONS
from tests.conftest import ROLES
from tests.factories import InteractionFactory, StakeholderFactory
from tests.programme.factories import CriterionFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
READ = (200, 200, 404, 200, 200, 404, 302)  # champion kam other_kam sponsor team_member outsider anonymous


def _log(account, n, *, by):
    person = StakeholderFactory(account=account, name="Adam Nowak")
    today = timezone.localdate()
    return [
        InteractionFactory(
            account=account,
            stakeholders=[person],
            logged_by=by,
            notes=f"Contact {i + 1}",
            occurred_on=today - timedelta(days=i),
        )
        for i in range(n)
    ]


def _older_url(account, contact):
    cursor = f"{contact.occurred_on.isoformat()}.{contact.pk}"
    return reverse("accounts:interactions_older", args=[account.pk]) + f"?before={cursor}"


def test_the_26th_interaction_is_one_click_away_not_gone(client, kam, account):
    contacts = _log(account, RECENT_INTERACTIONS + 1, by=kam)
    client.force_login(kam)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Contact 25" in html and "Contact 26" not in html
    older = _older_url(account, contacts[RECENT_INTERACTIONS - 1])
    assert f'href="{older.replace("&", "&amp;")}"' in html and "Older interactions" in html

    fragment = client.get(older, **HX).content.decode()
    assert "Contact 26" in fragment and "Contact 25" not in fragment
    assert "<html" not in fragment and "Older interactions" not in fragment  # nothing older left
    page = client.get(older).content.decode()  # without htmx: a page of its own
    assert "<html" in page and "Contact 26" in page


def test_exactly_25_interactions_offer_no_older_page(client, kam, account):
    _log(account, RECENT_INTERACTIONS, by=kam)
    client.force_login(kam)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Contact 25" in html and "Older interactions" not in html


def test_interactions_on_the_same_day_page_without_a_gap_or_a_repeat(client, kam, account):
    person = StakeholderFactory(account=account)
    day = timezone.localdate()
    for i in range(60):
        InteractionFactory(account=account, stakeholders=[person], occurred_on=day, notes=f"Same day {i}")
    client.force_login(kam)
    page = client.get(reverse("accounts:detail", args=[account.pk])).context["page"]
    seen, cursor = [i.notes for i in page.interactions], page.older_interactions
    while cursor:
        url = reverse("accounts:interactions_older", args=[account.pk]) + f"?before={cursor}"
        older = client.get(url, **HX).context["older"]
        seen += [i.notes for i in older.interactions]
        cursor = older.older_than
    assert sorted(seen) == sorted(f"Same day {i}" for i in range(60))


@pytest.mark.parametrize("n", [30, 120])
def test_older_interactions_run_a_fixed_number_of_queries(
    client, kam, account, n, django_assert_max_num_queries
):
    contacts = _log(account, n, by=kam)
    client.force_login(kam)
    with django_assert_max_num_queries(8):
        response = client.get(_older_url(account, contacts[0]), **HX)
    assert response.status_code == 200 and len(response.context["older"].interactions) == min(n - 1, 25)


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, READ, strict=True)))
def test_older_interactions_answer_each_role_as_the_account_page_does(
    as_role, account, other_account, kam, role, expected
):
    contacts = _log(account, 3, by=kam)
    for headers in ({}, HX):
        assert as_role(role).get(_older_url(account, contacts[0]), **headers).status_code == expected


def test_a_cursor_that_is_not_one_is_not_found(client, kam, account):
    client.force_login(kam)
    url = reverse("accounts:interactions_older", args=[account.pk])
    for before in ("", "yesterday", "2026-13-01.4", "2026-01-01.x"):
        assert client.get(url, {"before": before}).status_code == 404


def test_the_people_pickers_are_searchable_and_capitalised(kam, account):
    form = QuickInteractionForm(account=account, user=kam)
    labels = [form[name].label for name in form.fields]
    assert labels == ["Type", "Date", "Their people", "Our people", "Notes"]
    assert "data-searchable" in str(form["stakeholders"]) and "data-searchable" in str(form["participants"])
    assert "Ctrl" not in str(form.fields["stakeholders"].help_text)


def test_adding_someone_says_so_and_marks_them_for_the_chart(client, kam, account):
    coo = StakeholderFactory(account=account, name="Adam Nowak")
    client.force_login(kam)
    data = {"name": "Ola Kwiatkowska", "reports_to": coo.pk, "buying_role": "user", "influence": 4,
            "attitude": 1, "relationship_strength": 1}  # fmt: skip
    url = reverse("accounts:map_stakeholder_add", args=[account.pk])
    html = client.post(url, data, **HX).content.decode()
    added = account.stakeholders.get(name="Ola Kwiatkowska")
    assert "Ola Kwiatkowska added under Adam Nowak." in html
    assert f'data-changed="{added.pk}"' in html and "just-changed" in html


def test_moving_and_marking_as_left_say_what_happened(client, kam, account):
    ceo = StakeholderFactory(account=account, name="Piotr Lis")
    person = StakeholderFactory(account=account, name="Irena Zając")
    client.force_login(kam)
    move = reverse("accounts:map_stakeholder_move", args=[account.pk, person.pk])
    html = client.post(move, {"reports_to": ceo.pk, "version": 1}, **HX).content.decode()
    assert "Irena Zając now reports to Piotr Lis." in html and f'data-changed="{person.pk}"' in html
    left = reverse("accounts:map_stakeholder_left", args=[account.pk, person.pk])
    day = timezone.localdate() - timedelta(days=2)
    html = client.post(left, {"left_on": day.isoformat(), "version": 2}, **HX).content.decode()
    assert "Irena Zając marked as left the customer on" in html
    response = client.post(left.replace("left", "remove"), {"version": 3}, follow=True)  # without htmx
    assert "Irena Zając removed from the map." in [str(m) for m in response.context["messages"]]


class Person:
    def __init__(self, pk, manager=None):
        self.pk, self.reports_to_id = pk, manager


def test_each_managers_lines_are_drawn_apart_so_their_team_folds_away_with_them():
    # The CEO (1) over two directors (2, 3); director 2 has four reports, director 3 none.
    chart = org_chart([Person(1), Person(2, 1), Person(3, 1), *(Person(i, 2) for i in range(4, 8))])
    managers = {box.person.pk: box.manager_pk for box in chart.boxes}
    assert managers == {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2}
    assert {box.person.pk for box in chart.boxes if box.has_reports} == {1, 2}
    assert {c.manager_pk for c in chart.connectors} == {1, 2}
    assert "".join(c.path for c in chart.connectors) == "".join(chart.links)


def test_the_manual_score_page_in_its_own_tab_posts_as_a_plain_form(client, kam, account):
    criterion = CriterionFactory(by_hand=True)
    client.force_login(kam)
    url = reverse("programme:manual_score", args=[account.pk, criterion.pk])
    page = client.get(url).content.decode()
    assert "<html" in page and "hx-post" not in page and "#score-editor" not in page
    fragment = client.get(url, **HX).content.decode()
    assert 'hx-target="#score-editor"' in fragment and "data-editor-close" in fragment
    response = client.post(url, {"score": "7", "justification": "Two reference visits"})
    assert response.status_code == 302 and response.url == account.get_absolute_url()


def test_every_alignment_note_has_a_label(client, champion):
    review = review_services.review_open(
        title="Q4 2026", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31), by=champion
    )
    client.force_login(champion)
    html = client.get(reverse("portfolio:review_detail", args=[review.pk])).content.decode()
    for element in AlignmentElement:
        assert f'<label for="id_{element.value}_note"' in html, element
