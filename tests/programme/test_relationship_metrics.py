"""Relationship metrics: zero when the people are mapped and nobody is covered or met, missing when
nobody is mapped at all (a fact is not a gap: it must not be dropped from the score)."""

from datetime import date, timedelta

import pytest

from accounts.models import BuyingRole
from accounts.stakeholders.relationships import CONTACT_WINDOW_DAYS, relationship_health
from accounts.stakeholders.selectors import mapped_people
from programme.models import AccountScore
from programme.scoring import engine
from tests.factories import AccountFactory, InteractionFactory, StakeholderFactory
from tests.programme.factories import CriterionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
METRICS = ["decision_makers_covered", "active_contacts_90d"]


def _values(account, criteria):
    breakdown = AccountScore.objects.get(account=account).breakdown
    return {name: breakdown[str(c.pk)][0] for name, c in criteria.items()}


def test_people_mapped_but_not_covered_or_met_count_as_zero_and_nobody_mapped_as_missing(programme):
    criteria = {name: CriterionFactory(name=name, metric=name, group="relationship") for name in METRICS}
    cold = AccountFactory(name="Known, not courted")
    StakeholderFactory(account=cold, buying_role=BuyingRole.DECISION_MAKER, relationship_strength=0)
    InteractionFactory(
        account=cold, occurred_on=TODAY - timedelta(days=200), stakeholders=[StakeholderFactory(account=cold)]
    )
    warm = AccountFactory(name="Courted")
    boss = StakeholderFactory(account=warm, buying_role=BuyingRole.DECISION_MAKER, relationship_strength=2)
    InteractionFactory(account=warm, occurred_on=TODAY - timedelta(days=10), stakeholders=[boss])
    unmapped = AccountFactory(name="Nobody mapped")

    engine.recompute_scores(today=TODAY)

    assert _values(cold, criteria) == {"decision_makers_covered": 0, "active_contacts_90d": 0}
    assert _values(warm, criteria) == {"decision_makers_covered": 1, "active_contacts_90d": 1}
    assert _values(unmapped, criteria) == {"decision_makers_covered": None, "active_contacts_90d": None}


def test_the_recompute_counts_contacts_in_the_contact_window_as_the_account_page_does(programme):
    criteria = {"active_contacts_90d": CriterionFactory(metric="active_contacts_90d", group="relationship")}
    first_day = TODAY - timedelta(days=CONTACT_WINDOW_DAYS)
    on_the_edge = AccountFactory(name="Met on the window's first day")
    met = StakeholderFactory(account=on_the_edge)
    StakeholderFactory(account=on_the_edge)
    InteractionFactory(account=on_the_edge, occurred_on=first_day, stakeholders=[met])
    gone = AccountFactory(name="Met someone who left since")
    StakeholderFactory(account=gone)
    leaver = StakeholderFactory(account=gone, left_on=TODAY - timedelta(days=2))
    InteractionFactory(account=gone, occurred_on=TODAY - timedelta(days=5), stakeholders=[leaver])

    engine.recompute_scores(today=TODAY)

    for account, expected in ((on_the_edge, 1), (gone, 0)):
        people = list(mapped_people().filter(account=account))
        on_the_page = relationship_health(
            people, last_executive_visit=None, today=TODAY, nps_fell=False
        ).active_contacts
        assert (on_the_page, _values(account, criteria)["active_contacts_90d"]) == (expected, expected)
