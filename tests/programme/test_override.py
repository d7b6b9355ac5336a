"""An account made key below the entry threshold needs a recorded override reason (DOMAIN.md)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import LifecycleChange, LifecycleStatus
from programme import services
from programme.models import AccountScore
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def scored(overall, completeness="1"):
    account = AccountFactory()
    AccountScore.objects.create(
        account=account,
        computed_at=timezone.now(),
        overall=None if overall is None else Decimal(overall),
        completeness=Decimal(completeness),
    )
    return account


def make_key(account, champion, **extra):
    return services.lifecycle_change(
        account=account, to_status=LifecycleStatus.KEY, effective_on=date(2026, 11, 1), by=champion, **extra
    )


def test_making_an_account_key_below_the_entry_threshold_needs_an_override_reason(champion, programme):
    account = scored("40")
    with pytest.raises(ValidationError) as error:
        make_key(account, champion)
    assert "override_reason" in error.value.message_dict
    account.refresh_from_db()
    assert account.status == LifecycleStatus.CANDIDATE


def test_the_override_reason_is_kept_with_the_change(champion, programme):
    account = scored("40")
    make_key(account, champion, override_reason="The CEO's golf partner")
    assert LifecycleChange.objects.get(account=account).override_reason == "The CEO's golf partner"


def test_an_incomplete_score_also_needs_the_reason(champion, programme):
    with pytest.raises(ValidationError):
        make_key(scored("90", completeness="0.4"), champion)


def test_an_account_at_or_above_the_entry_threshold_needs_no_reason(champion, programme):
    make_key(scored("65"), champion)
