"""The account page as a workspace: the stakeholder map edited inline, version-checked, interactions
logged at once, people who leave, history on the page, every role against every new view."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Attitude, BuyingRole, Interaction, Stakeholder
from accounts.stakeholders import services
from tests.conftest import ROLES
from tests.factories import InteractionFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
PERSON = {"name": "Irena Zając", "buying_role": "decision_maker", "influence": 4, "attitude": 0,
          "relationship_strength": 1}  # fmt: skip

# Who may do what, in the order of ROLES: champion kam other_kam sponsor team_member outsider anonymous.
READ = (200, 200, 404, 200, 200, 404, 302)
CHANGE_MAP = (200, 200, 404, 403, 403, 404, 302)
LOG = (200, 200, 404, 200, 200, 404, 302)
# A contact the KAM logged: corrected by the KAM or the champion, not by the sponsor or the team
# (each corrects their own, see test_interaction_edit.py).
CORRECT_KAMS_CONTACT = (200, 200, 404, 403, 403, 404, 302)
CONTACT = {"kind": "phone_consultation", "occurred_on": "2026-01-05", "notes": "Rewritten"}


def _kams_contact(account, person):
    return InteractionFactory(account=account, stakeholders=[person], logged_by=account.kam, notes="Before")


def _view_urls(account, person, contact=None):
    a, p = account.pk, person.pk
    contact = contact or _kams_contact(account, person)
    return {
        "detail": reverse("accounts:detail", args=[a]),
        "section": reverse("accounts:detail", args=[a]) + "?section=stakeholders&map=grid",
        "add": reverse("accounts:map_stakeholder_add", args=[a]),
        "change": reverse("accounts:map_stakeholder_change", args=[a, p]),
        "move": reverse("accounts:map_stakeholder_move", args=[a, p]),
        "left": reverse("accounts:map_stakeholder_left", args=[a, p]),
        "interaction_add": reverse("accounts:interaction_quick_add", args=[a]),
        "interaction_change": reverse("accounts:interaction_change", args=[a, contact.pk]),
    }


GETS = {"detail": READ, "section": READ, "add": CHANGE_MAP, "change": CHANGE_MAP, "move": CHANGE_MAP,
        "left": CHANGE_MAP, "interaction_add": LOG, "interaction_change": CORRECT_KAMS_CONTACT}  # fmt: skip
GET_CASES = [(view, role, GETS[view][i]) for view in GETS for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(("view", "role", "expected"), GET_CASES, ids=[f"{v}-{r}" for v, r, _ in GET_CASES])
def test_every_workspace_view_answers_each_role_as_the_permission_module_says(
    as_role, account, other_account, view, role, expected
):
    person = StakeholderFactory(account=account)
    url = _view_urls(account, person)[view]
    for headers in ({}, HX):
        response = as_role(role).get(url, **headers)
        assert response.status_code == expected, (view, role, headers)


POSTS = {
    "add": (CHANGE_MAP, lambda p: PERSON),
    "change": (CHANGE_MAP, lambda p: PERSON | {"version": p.version}),
    "move": (CHANGE_MAP, lambda p: {"reports_to": "", "version": p.version}),
    "left": (CHANGE_MAP, lambda p: {"left_on": "2026-01-05", "version": p.version}),
    "remove": (CHANGE_MAP, lambda p: {"version": p.version}),
    "interaction_change": (CORRECT_KAMS_CONTACT, lambda p: CONTACT | {"stakeholders": [p.pk], "version": 1}),
}
POST_CASES = [(view, role, POSTS[view][0][i]) for view in POSTS for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(("view", "role", "expected"), POST_CASES, ids=[f"{v}-{r}" for v, r, _ in POST_CASES])
def test_only_the_kam_and_champion_change_the_map_and_the_kams_contacts(
    as_role, account, other_account, view, role, expected
):
    person = StakeholderFactory(account=account, name="Before")
    contact = _kams_contact(account, person)
    url = (
        reverse("accounts:map_stakeholder_remove", args=[account.pk, person.pk])
        if view == "remove"
        else _view_urls(account, person, contact)[view]
    )
    response = as_role(role).post(url, POSTS[view][1](person), **HX)
    assert response.status_code == expected, (view, role)
    person.refresh_from_db()
    if expected != 200:
        assert (person.name, person.version, person.left_on, person.archived_at) == ("Before", 1, None, None)
        assert Stakeholder.objects.count() == 1
    contact.refresh_from_db()
    corrected = view == "interaction_change" and expected == 200
    assert (contact.notes, contact.version) == (("Rewritten", 2) if corrected else ("Before", 1))


def test_kam_adds_a_stakeholder_under_another_and_the_map_comes_back_with_them(client, kam, account):
    coo = StakeholderFactory(account=account, name="Adam Nowak", title="COO")
    client.force_login(kam)
    data = PERSON | {"name": "Head of Quality", "reports_to": coo.pk, "influence": 4, "attitude": 1}
    response = client.post(reverse("accounts:map_stakeholder_add", args=[account.pk]), data, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="stakeholders"' in html and "Head of Quality" in html and "Supporter" in html
    assert 'id="health" aria-labelledby="health-title" hx-swap-oob="true"' in html  # health refreshed too
    added = Stakeholder.objects.get(name="Head of Quality")
    assert (added.reports_to, added.influence, added.attitude) == (coo, 4, Attitude.SUPPORTER)
    assert added.history.first().history_user == kam


def test_bad_input_rerenders_the_editor_with_the_field_named_and_nothing_written(client, kam, account):
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_add", args=[account.pk])
    response = client.post(url, PERSON | {"influence": 9, "name": "Typed Name"}, **HX)
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_influence-error"' in html and 'value="Typed Name"' in html
    assert not Stakeholder.objects.exists()


def test_moving_someone_under_their_own_report_is_refused(client, kam, account):
    boss = StakeholderFactory(account=account, name="Boss")
    report = StakeholderFactory(account=account, name="Report", reports_to=boss)
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_move", args=[account.pk, boss.pk])
    response = client.post(url, {"reports_to": report.pk, "version": boss.version}, **HX)
    assert response.status_code == 422
    assert "report to someone who reports to them" in response.content.decode()
    boss.refresh_from_db()
    assert boss.reports_to is None


def test_moving_changes_reports_to_and_bumps_the_version(client, kam, account):
    boss = StakeholderFactory(account=account, name="Boss")
    person = StakeholderFactory(account=account, name="Person")
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_move", args=[account.pk, person.pk])
    assert client.post(url, {"reports_to": boss.pk, "version": 1}, **HX).status_code == 200
    person.refresh_from_db()
    assert (person.reports_to, person.version) == (boss, 2)


def test_second_editor_is_told_sees_the_other_change_and_keeps_what_they_typed(
    client, kam, champion, account
):
    person = StakeholderFactory(account=account, name="Irena Zając", title="Buyer")
    url = reverse("accounts:map_stakeholder_change", args=[account.pk, person.pk])
    client.force_login(champion)
    assert client.post(url, PERSON | {"title": "Procurement Director", "version": 1}, **HX).status_code == 200
    client.force_login(kam)
    response = client.post(url, PERSON | {"title": "Head of Purchasing", "version": 1}, **HX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this person" in html
    assert "Procurement Director" in html  # their change, in the notice and on the map
    assert 'value="Head of Purchasing"' in html  # what this editor typed
    assert 'name="version" value="2"' in html
    person.refresh_from_db()
    assert person.title == "Procurement Director"
    # Saving again is deliberate and goes through.
    assert client.post(url, PERSON | {"title": "Head of Purchasing", "version": 2}, **HX).status_code == 200


def test_a_decision_maker_who_leaves_raises_an_alert_until_the_map_is_updated(client, kam, account):
    person = StakeholderFactory(account=account, name="Irena Zając", buying_role=BuyingRole.DECISION_MAKER)
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_left", args=[account.pk, person.pk])
    left_on = timezone.localdate() - timedelta(days=2)
    html = client.post(url, {"left_on": left_on.isoformat(), "version": 1}, **HX).content.decode()
    assert 'role="alert"' in html and "Irena Zając (Decision maker) left on" in html
    person.refresh_from_db()
    assert person.left_on == left_on and person.archived_at is None  # kept, greyed
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "left: update the map" in page and 'class="person gone decider"' in page
    # The KAM adds who took over: the alert goes.
    client.post(
        reverse("accounts:map_stakeholder_add", args=[account.pk]), PERSON | {"name": "Successor"}, **HX
    )
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "left: update the map" not in page and "Irena Zając (Decision maker) left on" not in page


def test_leaving_in_the_future_is_refused_by_field(client, kam, account):
    person = StakeholderFactory(account=account)
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_left", args=[account.pk, person.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, {"left_on": tomorrow.isoformat(), "version": 1}, **HX)
    assert response.status_code == 422 and 'id="id_left_on-error"' in response.content.decode()


def test_removing_takes_someone_off_the_map_and_their_reports_move_up(client, kam, account):
    top = StakeholderFactory(account=account, name="Top")
    middle = StakeholderFactory(account=account, name="Middle", reports_to=top)
    bottom = StakeholderFactory(account=account, name="Bottom", reports_to=middle)
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_remove", args=[account.pk, middle.pk])
    html = client.post(url, {"version": 1}, **HX).content.decode()
    assert 'data-name="Middle"' not in html and 'data-name="Bottom"' in html
    middle.refresh_from_db()
    bottom.refresh_from_db()
    assert middle.archived_at is not None and bottom.reports_to == top
    assert "removed Middle from the map" in html  # the history section came back out of band


def test_history_of_stakeholder_changes_is_readable_on_the_page(client, kam, account):
    person = StakeholderFactory(account=account, name="Irena Zając")
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_change", args=[account.pk, person.pk])
    client.post(url, PERSON | {"attitude": 2, "version": 1}, **HX)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "changed Irena Zając" in html
    assert "<del>Neutral</del> → <ins>Advocate</ins>" in html and str(kam) in html


def test_a_logged_meeting_turns_both_last_contact_marks_fresh_at_once(client, kam, account):
    coo = StakeholderFactory(account=account, name="Adam Nowak")
    quality = StakeholderFactory(account=account, name="Ola Kwiatkowska")
    client.force_login(kam)
    before = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert before.count("contact-never") == 2
    day = timezone.localdate() - timedelta(days=4)
    data = {"kind": "office_meeting", "occurred_on": day.isoformat(), "stakeholders": [coo.pk, quality.pk],
            "participants": [kam.pk], "notes": "Quality review"}  # fmt: skip
    response = client.post(reverse("accounts:interaction_quick_add", args=[account.pk]), data, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="interactions"' in html and "Quality review" in html
    assert (
        html.count("contact-fresh") == 2 and f"last contact: {date_format(day)}" in html
    )  # the map, out of band
    interaction = Interaction.objects.get()
    assert set(interaction.stakeholders.all()) == {coo, quality} and interaction.logged_by == kam


def test_a_meeting_without_stakeholders_names_the_field(client, kam, account):
    client.force_login(kam)
    data = {"kind": "office_meeting", "occurred_on": timezone.localdate().isoformat()}
    response = client.post(reverse("accounts:interaction_quick_add", args=[account.pk]), data, **HX)
    assert response.status_code == 422 and 'id="id_stakeholders-error"' in response.content.decode()
    assert not Interaction.objects.exists()


def test_team_member_logs_and_removes_only_their_own_interactions(client, team_member, kam, account):
    person = StakeholderFactory(account=account)
    theirs = InteractionFactory(account=account, stakeholders=[person], logged_by=kam)
    client.force_login(team_member)
    data = {"kind": "phone_consultation", "occurred_on": timezone.localdate().isoformat(),
            "stakeholders": [person.pk]}  # fmt: skip
    assert (
        client.post(reverse("accounts:interaction_quick_add", args=[account.pk]), data, **HX).status_code
        == 200
    )
    own = Interaction.objects.get(logged_by=team_member)
    remove = "accounts:interaction_remove"
    assert client.post(reverse(remove, args=[account.pk, theirs.pk]), **HX).status_code == 403
    assert client.post(reverse(remove, args=[account.pk, own.pk]), **HX).status_code == 200
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.archived_at is not None and theirs.archived_at is None


@pytest.mark.parametrize(
    ("role", "expected"),
    [("champion", 200), ("kam", 200), ("other_kam", 404), ("sponsor", 403), ("team_member", 403),
     ("outsider", 404), ("anonymous", 302)],
)  # fmt: skip
def test_removing_an_interaction_someone_else_logged(as_role, account, other_account, kam, role, expected):
    person = StakeholderFactory(account=account)
    interaction = InteractionFactory(account=account, stakeholders=[person], logged_by=kam)
    url = reverse("accounts:interaction_remove", args=[account.pk, interaction.pk])
    assert as_role(role).post(url, **HX).status_code == expected


def test_sponsor_reads_the_map_without_edit_links_and_logs_an_executive_visit(client, sponsor, account):
    person = StakeholderFactory(account=account, name="Irena Zając")
    client.force_login(sponsor)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Irena Zając" in html
    assert reverse("accounts:map_stakeholder_change", args=[account.pk, person.pk]) not in html
    assert "Add a stakeholder" not in html and "Log an interaction" in html
    data = {
        "kind": "executive_visit",
        "occurred_on": timezone.localdate().isoformat(),
        "stakeholders": [person.pk],
    }
    assert client.post(reverse("accounts:interaction_quick_add", args=[account.pk]), data).status_code == 302


def test_without_htmx_an_edit_opens_the_editor_on_the_full_page_and_saving_redirects(client, kam, account):
    person = StakeholderFactory(account=account, name="Irena Zając")
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_change", args=[account.pk, person.pk])
    html = client.get(url).content.decode()
    assert "<html" in html and 'id="editor-title"' in html
    response = client.post(url, PERSON | {"version": 1})
    assert response.status_code == 302 and response["Location"].endswith("#stakeholders")


def _people(account, n: int, owner):
    people = [StakeholderFactory(account=account, name=f"Person {i:03d}") for i in range(n)]
    for i, person in enumerate(people[1:], start=1):
        person.reports_to = people[(i - 1) // 8]
        person.relationship_owner = owner
        person.buying_role = [BuyingRole.DECISION_MAKER, BuyingRole.USER, BuyingRole.COACH][i % 3]
        if i % 17 == 0:
            person.left_on = date(2026, 1, 1)
    Stakeholder.objects.bulk_update(people, ["reports_to", "relationship_owner", "buying_role", "left_on"])
    for i, person in enumerate(people):
        InteractionFactory(account=account, stakeholders=[person], logged_by=owner,
                           occurred_on=timezone.localdate() - timedelta(days=i))  # fmt: skip
    return people


@pytest.mark.parametrize("n", [10, 150])
@pytest.mark.parametrize("map_view", ["chart", "grid", "list"])
def test_account_page_runs_a_fixed_number_of_queries_with_10_and_150_stakeholders(
    client, kam, account, n, map_view, django_assert_max_num_queries
):
    people = _people(account, n, kam)
    client.force_login(kam)
    client.post(
        reverse("accounts:map_stakeholder_change", args=[account.pk, people[1].pk]),
        PERSON | {"name": people[1].name, "version": 1, "reports_to": people[0].pk}, **HX,
    )  # fmt: skip
    for interaction in account.interactions.all():  # n corrections in the history too
        services.interaction_update(
            interaction=interaction, by=kam, expected_version=interaction.version, kind="presentation",
            occurred_on=interaction.occurred_on, stakeholders=list(interaction.stakeholders.all()),
            participants=[kam], notes="Corrected",
        )  # fmt: skip
    # 22 + the interaction history's 4 (corrections, their earlier rows, their people, our people)
    with django_assert_max_num_queries(31):  # + the score card's 5
        response = client.get(reverse("accounts:detail", args=[account.pk]), {"map": map_view})
    assert response.status_code == 200 and len(response.context["page"].stakeholders) == n
    with django_assert_max_num_queries(26):  # a section alone: no score card
        response = client.get(
            reverse("accounts:detail", args=[account.pk]), {"section": "stakeholders", "map": map_view}, **HX
        )
    assert response.status_code == 200


@pytest.mark.parametrize("n", [10, 150])
def test_inline_saves_run_a_fixed_number_of_queries(client, kam, account, n, django_assert_max_num_queries):
    people = _people(account, n, kam)
    client.force_login(kam)
    url = reverse("accounts:map_stakeholder_change", args=[account.pk, people[3].pk])
    # The History section it refreshes reads every record type of the account (accounts/history.py).
    with django_assert_max_num_queries(56):
        response = client.post(url, PERSON | {"version": 1, "reports_to": people[0].pk}, **HX)
    assert response.status_code == 200
    data = {"kind": "office_meeting", "occurred_on": timezone.localdate().isoformat(),
            "stakeholders": [people[0].pk, people[1].pk]}  # fmt: skip
    with django_assert_max_num_queries(56):
        response = client.post(reverse("accounts:interaction_quick_add", args=[account.pk]), data, **HX)
    assert response.status_code == 200


def test_the_full_page_stakeholder_form_is_version_checked_too(client, kam, champion, account):
    person = StakeholderFactory(account=account, name="Irena Zając")
    url = reverse("accounts:stakeholder_edit", args=[account.pk, person.pk])
    client.force_login(champion)
    assert client.post(url, PERSON | {"title": "CPO", "version": 1}).status_code == 302
    client.force_login(kam)
    response = client.post(url, PERSON | {"title": "Buyer", "version": 1})
    assert response.status_code == 409 and "Someone else changed Irena Zając" in response.content.decode()
    assert 'value="Buyer"' in response.content.decode()
    person.refresh_from_db()
    assert (person.title, person.version) == ("CPO", 2)


@pytest.mark.parametrize("section", ["overview", "health", "stakeholders", "interactions", "history"])
@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, READ, strict=True)))
def test_every_section_fragment_answers_each_role(as_role, account, other_account, section, role, expected):
    StakeholderFactory(account=account)
    url = reverse("accounts:detail", args=[account.pk])
    response = as_role(role).get(url, {"section": section}, **HX)
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert f'id="{section}"' in html and "<html" not in html


def test_an_unknown_section_is_not_found(client, kam, account):
    client.force_login(kam)
    response = client.get(reverse("accounts:detail", args=[account.pk]), {"section": "nope"}, **HX)
    assert response.status_code == 404


def _org_chart(response) -> str:
    html = response.content.decode()
    start = html.index('<svg class="org-chart"')
    return html[start : html.index("</svg>", start)]


def test_the_kept_org_chart_is_drawn_anew_whenever_what_it_shows_changes(client, kam, sponsor, account):
    person = StakeholderFactory(account=account, name="Irena Zając", title="COO", relationship_owner=kam)
    url = reverse("accounts:detail", args=[account.pk])
    client.force_login(kam)
    chart = _org_chart(client.get(url))
    assert ">COO<" in chart and "last contact: never" in chart and "Edit Irena Zając" in chart
    # Written straight to the table, as a bulk sync does, with no version bumped: still drawn anew.
    Stakeholder.objects.filter(pk=person.pk).update(title="CEO")
    assert ">CEO<" in _org_chart(client.get(url))
    for days_ago in (10, 3):  # the second contact moves the date, not how fresh it is
        day = timezone.localdate() - timedelta(days=days_ago)
        services.interaction_log(
            account=account, kind="office_meeting", occurred_on=day, stakeholders=[person], by=kam
        )
        assert f"last contact: {date_format(day)}" in _org_chart(client.get(url))
    kam.first_name = "Zofia"
    kam.save()
    assert "ours: Zofia" in _org_chart(client.get(url))
    # The reader's rights are part of the drawing: a sponsor gets no edit links from the KAM's.
    client.force_login(sponsor)
    chart = _org_chart(client.get(url))
    assert "Irena Zając" in chart and "Edit Irena Zając" not in chart
    assert reverse("accounts:map_stakeholder_change", args=[account.pk, person.pk]) not in chart
    # And the reader's language.
    client.cookies["django_language"] = "pl"
    assert "ostatni kontakt" in _org_chart(client.get(url, HTTP_ACCEPT_LANGUAGE="pl")).lower()
