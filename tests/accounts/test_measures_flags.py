"""The KAM's home flags: an account whose NPS fell by 2 or more, or whose last survey is over a year old."""

from datetime import date, timedelta

import pytest

from accounts.measures.selectors import satisfaction_flags, with_satisfaction_flags
from accounts.models import Account
from tests.accounts.measures_factories import SurveyFactory
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def _flags(account):
    return with_satisfaction_flags(Account.objects.filter(pk=account.pk), today=TODAY).get()


def test_nps_falling_two_points_between_rounds_is_flagged(account):
    for nps in (9, 8):  # mean 8.5
        SurveyFactory(account=account, surveyed_on=date(2026, 3, 1), nps=nps)
    for nps in (7, 6):  # mean 6.5: down by 2.0
        SurveyFactory(account=account, surveyed_on=date(2026, 10, 1), nps=nps)
    flagged = _flags(account)
    assert flagged.nps_fell and not flagged.survey_stale
    assert (flagged.nps_previous_on, flagged.nps_latest_on) == (date(2026, 3, 1), date(2026, 10, 1))


def test_nps_falling_less_than_two_points_or_rising_is_not_flagged(account, other_account):
    SurveyFactory(account=account, surveyed_on=date(2026, 3, 1), nps=9)
    SurveyFactory(account=account, surveyed_on=date(2026, 10, 1), nps=8)
    SurveyFactory(account=other_account, surveyed_on=date(2026, 3, 1), nps=4)
    SurveyFactory(account=other_account, surveyed_on=date(2026, 10, 1), nps=9)
    assert not _flags(account).nps_fell and not _flags(other_account).nps_fell


def test_a_single_round_or_csat_only_answers_do_not_count_as_a_fall(account):
    SurveyFactory(account=account, surveyed_on=date(2026, 3, 1), nps=10)
    SurveyFactory(account=account, surveyed_on=date(2026, 10, 1), nps=None, csat=1)
    assert not _flags(account).nps_fell


def test_last_survey_over_a_year_ago_or_never_is_flagged(account, other_account):
    SurveyFactory(account=account, surveyed_on=TODAY - timedelta(days=366), nps=9)
    assert _flags(account).survey_stale
    assert _flags(other_account).survey_stale
    SurveyFactory(account=account, surveyed_on=TODAY - timedelta(days=30), nps=9)
    assert not _flags(account).survey_stale


def test_kam_sees_only_their_flagged_key_accounts_in_one_query(kam, account, django_assert_num_queries):
    quiet = AccountFactory(key=True, kam=kam, name="Quiet Customer")
    SurveyFactory(account=quiet, surveyed_on=TODAY - timedelta(days=10), nps=9)
    SurveyFactory(account=account, surveyed_on=TODAY - timedelta(days=400), nps=9)
    AccountFactory(kam=kam, name="Just a candidate")  # not key: not on the home page
    with django_assert_num_queries(1):
        flagged = satisfaction_flags(user=kam, today=TODAY)
    assert [a.name for a in flagged] == ["Baltic Steel"]


def test_my_accounts_flags_a_fall_in_nps_and_a_key_account_unsurveyed_for_a_year(client, kam, account):
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    SurveyFactory(account=account, surveyed_on=today - timedelta(days=400), nps=9)
    SurveyFactory(account=account, surveyed_on=today - timedelta(days=380), nps=6)
    quiet = AccountFactory(kam=kam, name="Candidate without surveys")  # not key: not nagged
    client.force_login(kam)
    html = client.get(reverse("accounts:my_accounts")).content.decode()
    assert "NPS fell by 2 or more in the last survey" in html
    assert "No satisfaction survey in the last year" in html
    assert html.count("No satisfaction survey in the last year") == 1, quiet
