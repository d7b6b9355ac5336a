"""Bad input in the browser: a message that names the field, status 400, and nothing written."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, FinancialPeriod, Interaction, Stakeholder
from tests.factories import AccountFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def _errors(response, field):
    return response.context["form"].errors.get(field, [])


STAKEHOLDER = {
    "name": "Irena Zając",
    "buying_role": "decision_maker",
    "influence": 4,
    "attitude": 0,
    "relationship_strength": 1,
}


def test_negative_influence_is_refused_by_name(client, kam, account):
    client.force_login(kam)
    response = client.post(
        reverse("accounts:stakeholder_create", args=[account.pk]), {**STAKEHOLDER, "influence": -1}
    )
    assert response.status_code == 400
    assert _errors(response, "influence")
    assert not Stakeholder.objects.exists()


def test_reporting_to_a_person_at_another_account_is_refused(client, kam, account):
    stranger = StakeholderFactory(account=AccountFactory(), name="Ines Other")
    client.force_login(kam)
    response = client.post(
        reverse("accounts:stakeholder_create", args=[account.pk]), {**STAKEHOLDER, "reports_to": stranger.pk}
    )
    assert response.status_code == 400
    assert _errors(response, "reports_to") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert "Ines Other" not in response.content.decode()


def test_reporting_to_themself_is_refused(client, kam, account):
    person = StakeholderFactory(account=account, name="Irena Zając")
    client.force_login(kam)
    response = client.post(
        reverse("accounts:stakeholder_edit", args=[account.pk, person.pk]),
        {**STAKEHOLDER, "reports_to": person.pk},
    )
    assert response.status_code == 400
    assert _errors(response, "reports_to")
    person.refresh_from_db()
    assert person.reports_to is None


def test_a_valid_stakeholder_is_saved_under_their_manager(client, kam, account):
    boss = StakeholderFactory(account=account, name="COO")
    client.force_login(kam)
    response = client.post(
        reverse("accounts:stakeholder_create", args=[account.pk]), {**STAKEHOLDER, "reports_to": boss.pk}
    )
    assert response.status_code == 302
    assert Stakeholder.objects.get(name="Irena Zając").reports_to == boss


FIGURES = {"revenue": "1000.00", "gross_margin": "300.00", "cost_to_serve": "20.00", "currency": "PLN"}


def test_a_month_that_does_not_exist_is_refused(client, kam, account):
    client.force_login(kam)
    response = client.post(
        reverse("accounts:financial_create", args=[account.pk]), {**FIGURES, "period": "2026-13"}
    )
    assert response.status_code == 400
    assert "is not a month" in _errors(response, "period")[0]
    assert not FinancialPeriod.objects.exists()


def test_an_unknown_currency_is_refused(client, kam, account):
    client.force_login(kam)
    response = client.post(
        reverse("accounts:financial_create", args=[account.pk]),
        {**FIGURES, "period": "2026-03", "currency": "ZZZ"},
    )
    assert response.status_code == 400
    assert "ISO 4217" in _errors(response, "currency")[0]


def test_the_same_month_twice_is_refused_with_a_message_not_a_crash(client, kam, account):
    client.force_login(kam)
    url = reverse("accounts:financial_create", args=[account.pk])
    assert client.post(url, {**FIGURES, "period": "2026-03"}).status_code == 302
    response = client.post(url, {**FIGURES, "period": "2026-03"})
    assert response.status_code == 400
    assert FinancialPeriod.objects.count() == 1


def test_an_interaction_in_the_future_is_refused(client, kam, account):
    person = StakeholderFactory(account=account)
    client.force_login(kam)
    response = client.post(
        reverse("accounts:interaction_create", args=[account.pk]),
        {
            "kind": "office_meeting",
            "occurred_on": timezone.localdate() + timedelta(days=3),
            "stakeholders": [person.pk],
        },
    )
    assert response.status_code == 400
    assert _errors(response, "occurred_on")
    assert not Interaction.objects.exists()


def test_an_interaction_with_someone_from_another_account_is_refused(client, kam, account):
    stranger = StakeholderFactory(account=AccountFactory())
    client.force_login(kam)
    response = client.post(
        reverse("accounts:interaction_create", args=[account.pk]),
        {"kind": "office_meeting", "occurred_on": timezone.localdate(), "stakeholders": [stranger.pk]},
    )
    assert response.status_code == 400
    assert _errors(response, "stakeholders")


def test_champion_adds_an_account_and_kam_cannot_reassign_their_own(
    client, champion, kam, other_kam, account
):
    client.force_login(champion)
    response = client.post(
        reverse("accounts:create"), {"name": "New Customer", "currency": "EUR", "country": "DE"}
    )
    assert response.status_code == 302 and Account.objects.filter(name="New Customer").exists()
    client.force_login(kam)
    client.post(reverse("accounts:edit", args=[account.pk]), {"currency": "PLN", "kam": other_kam.pk})
    account.refresh_from_db()
    assert account.kam == kam


def test_lifecycle_form_names_the_missing_exit_reason(client, champion, account):
    client.force_login(champion)
    response = client.post(
        reverse("accounts:lifecycle", args=[account.pk]),
        {"to_status": "exited", "effective_on": timezone.localdate(), "reason": ""},
    )
    assert response.status_code == 400
    assert _errors(response, "reason")
    account.refresh_from_db()
    assert account.status == "key"
