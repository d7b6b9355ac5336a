"""The account page's History in people's words: names as they were, every field old → new, every record."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts import services as account_services
from accounts.measures import services as measure_services
from accounts.models import Stakeholder
from accounts.plans import services as plan_services
from accounts.stakeholders import selectors
from accounts.stakeholders import services as stakeholder_services
from tests.accounts.measures_factories import SurveyFactory
from tests.accounts.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory, RiskFactory
from tests.factories import StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db


def _history_html(client, user, account) -> str:
    client.force_login(user)
    response = client.get(reverse("accounts:detail", args=[account.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="history"') :]


def _changes(entry) -> dict:
    return {str(label): (old, new) for label, old, new in entry.changes}


def test_a_move_names_both_managers_as_they_were_then_never_their_ids(client, kam, account):
    ceo, coo, buyer = (
        StakeholderFactory(account=account, name=n) for n in ("Anna Ceo", "Piotr Coo", "Ola Buyer")
    )
    stakeholder_services.stakeholder_move(stakeholder=buyer, reports_to=ceo, expected_version=1, by=kam)
    stakeholder_services.stakeholder_move(stakeholder=buyer, reports_to=coo, expected_version=2, by=kam)
    coo.name = "Piotr Nowak-Coo"  # renamed later: the move keeps the name he had then
    stakeholder_services.stakeholder_record(stakeholder=coo, expected_version=1, by=kam)

    moves = [
        e for e in selectors.account_history(account=account) if e.person == "Ola Buyer" and e.kind == "~"
    ]
    assert [_changes(e)["reports to"] for e in moves] == [("Anna Ceo", "Piotr Coo"), ("—", "Anna Ceo")]
    html = _history_html(client, kam, account)
    assert f"#{ceo.pk}" not in html and f"#{coo.pk}" not in html
    assert "<del>Anna Ceo</del> → <ins>Piotr Coo</ins>" in html
    assert "<del>Piotr Coo</del> → <ins>Piotr Nowak-Coo</ins>" in html


def test_marking_someone_as_left_says_so_with_the_date_even_for_people_bulk_inserted_without_history(
    client, kam, account
):
    # As the demo and the CRM's first load put people on the map: no history row of their own yet.
    [giulia] = Stakeholder.objects.bulk_create(
        [Stakeholder(account=account, name="Giulia Brown", title="Buyer")]
    )
    stakeholder_services.stakeholder_mark_left(
        stakeholder=giulia, left_on=date(2026, 11, 20), expected_version=1, by=kam
    )
    [entry] = [e for e in selectors.account_history(account=account) if e.person == "Giulia Brown" and e.who]
    assert entry.kind == "left" and entry.left_on == date(2026, 11, 20)
    html = _history_html(client, kam, account)
    day = date_format(date(2026, 11, 20))
    assert f'marked Giulia Brown as left on <time datetime="2026-11-20">{day}</time>' in html
    assert "changed Giulia Brown" not in html


def test_every_record_of_the_account_shows_each_changed_field_in_words(client, kam, account):
    today = timezone.localdate()
    sponsor_before = account.executive_sponsor
    new_sponsor = UserFactory(username="ewa2", first_name="Ewa", last_name="Lis")
    account.industry, account.executive_sponsor = "Chemicals", new_sponsor
    account_services.account_save(
        account=account, expected_version=1, fields=["industry", "executive_sponsor"], by=kam
    )

    plan = PlanFactory(account=account)
    objective = ObjectiveFactory(plan=plan, title="Grow coatings")
    action = ActionFactory(plan=plan, objective=objective, owner=kam, description="Book the audit")
    action.status, action.due_on = "in_progress", today + timedelta(days=30)
    plan_services.action_save(action=action, expected_version=1, by=kam)
    risk = RiskFactory(plan=plan)
    risk.likelihood = 3
    plan_services.risk_save(risk=risk, expected_version=1, by=kam)
    survey = SurveyFactory(account=account)
    survey.nps = 3
    measure_services.survey_save(survey=survey, expected_version=1, by=kam)

    entries = {e.subject: e for e in selectors.account_history(account=account) if e.kind == "~"}
    assert _changes(entries["account"]) == {
        "industry": ("Steel", "Chemicals"),
        "executive sponsor": (str(sponsor_before), str(new_sponsor)),
    }
    assert _changes(entries["action"]) == {
        "status": ("Open", "In progress"),
        "due": (date_format(today + timedelta(days=14)), date_format(today + timedelta(days=30))),
    }
    assert _changes(entries["risk"])["likelihood"][1] == "High"
    assert _changes(entries["survey"]) == {"NPS answer (0-10)": ("9", "3")}
    html = _history_html(client, kam, account)
    for words in ["changed the account Baltic Steel", "changed the action “Book the audit”",
                  "<del>Open</del> → <ins>In progress</ins>", "changed the survey of"]:  # fmt: skip
        assert words in html, words


@pytest.mark.parametrize("size", [1, 12])
def test_history_takes_a_fixed_number_of_queries_whatever_the_records(
    kam, account, size, django_assert_max_num_queries
):
    for i in range(size):
        person = StakeholderFactory(account=account)
        manager = StakeholderFactory(account=account)
        stakeholder_services.stakeholder_move(
            stakeholder=person, reports_to=manager, expected_version=1, by=kam
        )
        plan = PlanFactory(
            account=account, period_start=date(2020 + i, 1, 1), period_end=date(2020 + i, 12, 31)
        )
        objective = ObjectiveFactory(plan=plan)
        action = ActionFactory(plan=plan, objective=objective, owner=kam)
        action.status = "in_progress"
        plan_services.action_save(action=action, expected_version=1, by=kam)
        risk = RiskFactory(plan=plan)
        risk.likelihood = 3
        plan_services.risk_save(risk=risk, expected_version=1, by=kam)
        survey = SurveyFactory(
            account=account, stakeholder=person, surveyed_on=date(2026, 1, 1) + timedelta(i)
        )
        survey.nps = 3
        measure_services.survey_save(survey=survey, expected_version=1, by=kam)
        # Each quarter's investment entered, then corrected: named by its quarter, from the history row.
        quarter = date(2010 + i, 1, 1)
        measure_services.investment_save(account=account, period_start=quarter, currency="EUR", by=kam)
        measure_services.investment_save(
            account=account, period_start=quarter, currency="EUR", note="audit", expected_version=1, by=kam
        )
    account.industry = "Chemicals"
    account_services.account_save(account=account, expected_version=1, fields=["industry"], by=kam)
    # One listing, one per record type shown, one per kind of thing named, the interaction log's four.
    with django_assert_max_num_queries(17):
        entries = selectors.account_history(account=account)
    assert {e.subject for e in entries} >= {
        "account",
        "stakeholder",
        "action",
        "risk",
        "survey",
        "investment",
    }
    assert {e.person for e in entries if e.subject == "investment"} <= {f"{2010 + i} Q1" for i in range(size)}


def test_the_listing_compiled_once_reads_each_accounts_own_rows(kam, account, other_account):
    from accounts.history import latest_rows, latest_rows_query

    for i, each in enumerate((account, other_account, account)):
        person = StakeholderFactory(account=each)
        person.title = f"Director {i}"
        stakeholder_services.stakeholder_record(stakeholder=person, expected_version=1, by=kam)
        plan = PlanFactory(account=each, period_start=date(2020 + i, 1, 1), period_end=date(2020 + i, 12, 31))
        risk = RiskFactory(plan=plan)
        risk.likelihood = 3
        plan_services.risk_save(risk=risk, expected_version=1, by=kam)
    for each in (account, other_account):
        expected = [(r[0], r[1], r[2], r[4]) for r in latest_rows_query(each, 30)]
        assert expected and [(r[0], r[1], r[2], r[4]) for r in latest_rows(each, 30)] == expected
    ours, theirs = ({(r[0], r[2]) for r in latest_rows(each, 30)} for each in (account, other_account))
    assert not ours & theirs  # (record type, history id): each account's own rows


def test_the_kept_history_is_drawn_anew_after_every_change(client, kam, account):
    person = StakeholderFactory(account=account, name="Adam Nowak")
    contact = stakeholder_services.interaction_log(
        account=account, kind="office_meeting", occurred_on=date(2026, 1, 5), stakeholders=[person], by=kam
    )
    assert "changed the account" not in _history_html(client, kam, account)
    account.industry = "Chemicals"
    account_services.account_save(account=account, expected_version=1, fields=["industry"], by=kam)
    assert "<ins>Chemicals</ins>" in _history_html(client, kam, account)
    # A correction of the interaction log, which the listing of records does not hold.
    stakeholder_services.interaction_update(
        interaction=contact, by=kam, expected_version=contact.version, kind="phone_consultation",
        occurred_on=date(2026, 1, 5), stakeholders=[person], notes="Rescheduled",
    )  # fmt: skip
    assert "corrected the phone consultation of" in _history_html(client, kam, account)
    # Kept per language.
    client.cookies["django_language"] = "pl"
    polish = client.get(reverse("accounts:detail", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="pl")
    assert "Chemicals" in polish.content.decode() and "No changes recorded yet" not in polish.content.decode()
    assert "changed the account" not in polish.content.decode()
