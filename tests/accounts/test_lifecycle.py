"""candidate → key → exited, each step dated, reasoned and kept."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import LifecycleChange, LifecycleStatus

from ..factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_candidate_becomes_key_on_the_date_given(champion):
    account = AccountFactory()
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
    services.lifecycle_change(account=account, to_status=LifecycleStatus.KEY, effective_on=date(2026, 1, 1))
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
