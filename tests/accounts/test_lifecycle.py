"""candidate → key → exited, each step dated, reasoned and kept."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import LifecycleChange, LifecycleStatus
from programme import services
from tests.factories import AccountFactory
from tests.programme.dashboard_factories import AccountScoreFactory

pytestmark = pytest.mark.django_db


def test_candidate_becomes_key_on_the_date_given(champion, programme):
    account = AccountFactory()
    AccountScoreFactory(account=account, attractiveness=Decimal("80"), relationship=Decimal("70"))
    services.lifecycle_change(
        account=account, to_status=LifecycleStatus.KEY, effective_on=date(2026, 10, 1), by=champion
    )
    account.refresh_from_db()
    assert account.status == LifecycleStatus.KEY
    assert account.key_since == date(2026, 10, 1)
    change = LifecycleChange.objects.get(account=account)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "candidate",
        "key",
        champion,
    )


def test_exit_needs_a_reason_and_keeps_it(champion):
    account = AccountFactory(key=True)
    with pytest.raises(ValidationError) as error:
        services.lifecycle_change(
            account=account,
            to_status=LifecycleStatus.EXITED,
            effective_on=date(2026, 10, 1),
            reason=" ",
        )
    assert "reason" in error.value.message_dict
    services.lifecycle_change(
        account=account,
        to_status=LifecycleStatus.EXITED,
        effective_on=date(2026, 10, 1),
        reason="Margin after cost-to-serve negative for four quarters",
        by=champion,
    )
    account.refresh_from_db()
    assert account.status == LifecycleStatus.EXITED
    assert account.exit_reason.startswith("Margin after cost-to-serve")
    assert account.key_since == date(2024, 1, 1), "the entry date stays on record"


def test_a_candidate_cannot_exit_without_ever_being_key():
    account = AccountFactory()
    with pytest.raises(ValidationError) as error:
        services.lifecycle_change(
            account=account,
            to_status=LifecycleStatus.EXITED,
            effective_on=date(2026, 1, 1),
            reason="x",
        )
    assert "to_status" in error.value.message_dict
    account.refresh_from_db()
    assert account.status == LifecycleStatus.CANDIDATE
    assert not LifecycleChange.objects.exists()


def test_an_exited_account_can_come_back_and_both_steps_stay_in_history():
    account = AccountFactory(key=True)
    services.lifecycle_change(
        account=account,
        to_status=LifecycleStatus.EXITED,
        effective_on=date(2025, 1, 1),
        reason="Lost",
    )
    services.lifecycle_change(
        account=account,
        to_status=LifecycleStatus.KEY,
        effective_on=date(2026, 1, 1),
        override_reason="Won back in the 2026 tender; not scored since it left",
    )
    account.refresh_from_db()
    assert (account.status, account.key_since, account.exited_on) == ("key", date(2026, 1, 1), None)
    assert account.lifecycle_changes.count() == 2


def test_a_lifecycle_step_cannot_be_dated_in_the_future():
    account = AccountFactory()
    with pytest.raises(ValidationError) as error:
        services.lifecycle_change(
            account=account,
            to_status=LifecycleStatus.KEY,
            effective_on=timezone.localdate() + timedelta(days=1),
        )
    assert "effective_on" in error.value.message_dict


def test_an_account_never_scored_cannot_be_made_key_without_an_override_reason(champion, programme):
    account = AccountFactory()
    with pytest.raises(ValidationError) as error:
        services.lifecycle_change(
            account=account, to_status=LifecycleStatus.KEY, effective_on=date(2026, 10, 1), by=champion
        )
    assert "has not been scored yet" in error.value.message_dict["override_reason"][0]
    account.refresh_from_db()
    assert account.status == LifecycleStatus.CANDIDATE
    assert not LifecycleChange.objects.exists()


def test_an_account_never_scored_becomes_key_with_its_override_reason_kept(champion, programme):
    account = AccountFactory()
    services.lifecycle_change(
        account=account,
        to_status=LifecycleStatus.KEY,
        effective_on=date(2026, 10, 1),
        override_reason="Signed a five-year framework before the first recompute",
        by=champion,
    )
    account.refresh_from_db()
    assert account.status == LifecycleStatus.KEY
    assert LifecycleChange.objects.get(account=account).override_reason.startswith("Signed a five-year")


def test_the_lifecycle_form_tells_the_champion_an_unscored_account_needs_a_reason(
    client, champion, programme
):
    account = AccountFactory()
    client.force_login(champion)
    response = client.post(
        reverse("accounts:lifecycle", args=[account.pk]),
        {"to_status": "key", "effective_on": timezone.localdate(), "override_reason": " "},
    )
    assert response.status_code == 400
    assert "has not been scored yet" in response.content.decode()
    account.refresh_from_db()
    assert account.status == LifecycleStatus.CANDIDATE
