"""Rules true of a record whatever the path: every path refuses the same nonsense, naming the field."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AccountPlan, FinancialPeriod, Interaction, LifecycleStatus, Stakeholder
from kam.core import limits
from tests.factories import AccountFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


# --- The stakeholder map names nobody at another account --------------------------------------------


def _map_add(client, account, **extra):
    body = {"name": "New person", "buying_role": "user", "influence": 3, "attitude": 0,
            "relationship_strength": 0} | extra  # fmt: skip
    return client.post(f"/accounts/{account.pk}/map/add/", body, headers=HTMX)


def _full_page_add(client, account, **extra):
    body = {"name": "New person", "buying_role": "user", "influence": 3, "attitude": 0,
            "relationship_strength": 0} | extra  # fmt: skip
    return client.post(f"/accounts/{account.pk}/stakeholders/new/", body)


@pytest.mark.parametrize("add", [_map_add, _full_page_add])
def test_reports_to_someone_at_another_account_is_refused_without_naming_them(
    client, kam, account, other_account, add
):
    strangers = StakeholderFactory.create_batch(5, account=other_account)
    client.force_login(kam)
    for stranger in strangers:
        response = add(client, account, reports_to=stranger.pk)
        assert response.status_code in (400, 422)
        page = response.content.decode()
        assert stranger.name not in page
        assert "Select a valid choice" in page
    assert not Stakeholder.objects.filter(account=account).exists()


def test_reports_to_still_offers_the_accounts_own_people(client, kam, account):
    boss = StakeholderFactory(account=account, name="Boss")
    client.force_login(kam)
    response = _map_add(client, account, reports_to=boss.pk)
    assert response.status_code == 200
    assert Stakeholder.objects.get(name="New person").reports_to == boss


def test_the_models_rule_names_nobody_either(account, other_account):
    stranger = StakeholderFactory(account=other_account, name="Pierre Secret")
    person = Stakeholder(account=account, name="Anna", reports_to=stranger)
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert "reports_to" in refused.value.message_dict
    assert "Pierre" not in str(refused.value)


# --- Leaving in the future ------------------------------------------------------------------------------


def test_a_person_cannot_have_left_in_the_future_whatever_the_path(account):
    person = StakeholderFactory(account=account)
    person.left_on = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert "left_on" in refused.value.message_dict


# --- Notes: one limit on every path ---------------------------------------------------------------------


def test_a_huge_interaction_note_is_refused_by_the_quick_add_naming_the_field(client, kam, account):
    person = StakeholderFactory(account=account)
    client.force_login(kam)
    response = client.post(
        f"/accounts/{account.pk}/interactions/add/",
        {"kind": "office_meeting", "occurred_on": "2026-01-05", "stakeholders": [person.pk],
         "notes": "x" * 2_400_000},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 422
    assert "at most 10000 characters" in response.content.decode().replace(",", "")
    assert not Interaction.objects.exists()


def test_a_huge_interaction_note_is_refused_by_the_full_page_form(client, kam, account):
    person = StakeholderFactory(account=account)
    client.force_login(kam)
    response = client.post(
        f"/accounts/{account.pk}/interactions/new/",
        {"kind": "office_meeting", "occurred_on": "2026-01-05", "stakeholders": [person.pk],
         "notes": "x" * (limits.NOTE_MAX_LENGTH + 1)},
    )  # fmt: skip
    assert response.status_code in (400, 422)
    assert not Interaction.objects.exists()


def test_a_note_at_the_limit_is_kept(client, kam, account):
    person = StakeholderFactory(account=account)
    client.force_login(kam)
    response = client.post(
        f"/accounts/{account.pk}/interactions/add/",
        {"kind": "office_meeting", "occurred_on": "2026-01-05", "stakeholders": [person.pk],
         "notes": "x" * limits.NOTE_MAX_LENGTH},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    assert len(Interaction.objects.get().notes) == limits.NOTE_MAX_LENGTH


def test_the_model_refuses_a_note_over_the_limit_whatever_the_path(account):
    interaction = Interaction(
        account=account, kind="office_meeting", occurred_on=date(2026, 1, 5),
        notes="x" * (limits.NOTE_MAX_LENGTH + 1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        interaction.full_clean()
    assert "notes" in refused.value.message_dict


# --- Dates within sane ranges ---------------------------------------------------------------------------


def test_an_exit_dated_before_the_account_became_key_is_refused_naming_the_date(client, champion):
    account = AccountFactory(key=True, key_since=date(2024, 1, 1))
    client.force_login(champion)
    for day in ("0001-01-01", "2023-12-31"):
        response = client.post(
            f"/accounts/{account.pk}/lifecycle/",
            {"to_status": "exited", "effective_on": day, "reason": "Lost the tender"},
        )
        assert response.status_code in (400, 422)
        assert "effective_on" in response.context["form"].errors
    account.refresh_from_db()
    assert account.status == LifecycleStatus.KEY


def test_the_account_refuses_an_exit_before_its_entry_whatever_the_path():
    account = AccountFactory(key=True, key_since=date(2024, 1, 1))
    account.status, account.exited_on, account.exit_reason = "exited", date(2023, 6, 1), "Lost"
    with pytest.raises(ValidationError) as refused:
        account.full_clean()
    assert "exited_on" in refused.value.message_dict


def test_a_plan_period_from_year_one_to_year_9999_is_refused(client, kam, account):
    client.force_login(kam)
    response = client.post(
        f"/accounts/{account.pk}/plans/new/", {"period_start": "0001-01-01", "period_end": "9999-12-31"}
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"period_start", "period_end"} & set(errors)
    assert not AccountPlan.objects.exists()


def test_the_plan_refuses_a_period_longer_than_the_longest_plan(account):
    plan = AccountPlan(account=account, period_start=date(2026, 1, 1), period_end=date(2036, 1, 1))
    with pytest.raises(ValidationError) as refused:
        plan.full_clean(exclude=["created_by"])
    assert "period_end" in refused.value.message_dict


def test_a_financial_month_in_year_9999_is_refused_in_the_browser(client, kam, account):
    client.force_login(kam)
    response = client.post(
        f"/accounts/{account.pk}/financials/new/",
        {"period": "9999-12", "revenue": "1", "gross_margin": "1", "cost_to_serve": "0", "currency": "PLN"},
    )
    assert response.status_code in (400, 422)
    assert "period" in response.context["form"].errors
    assert not FinancialPeriod.objects.exists()


def test_the_financial_month_refuses_a_month_out_of_range_whatever_the_path(account):
    month = FinancialPeriod(
        account=account, period=date(9999, 12, 1), revenue=1, gross_margin=1, cost_to_serve=0, currency="PLN"
    )
    with pytest.raises(ValidationError) as refused:
        month.full_clean()
    assert "period" in refused.value.message_dict


def test_a_malformed_quarter_on_the_investment_page_is_refused_naming_it(client, kam, account):
    client.force_login(kam)
    response = client.get(f"/accounts/{account.pk}/measures/investment/", {"quarter": "abc"})
    assert response.status_code in (400, 422)
    assert "quarter" in response.content.decode()
