"""One relationship health, one contact window: every screen draws the same verdict from the same
figures, and the recompute's SQL counts what the account page and My accounts count."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.measures.selectors import survey_measures, with_satisfaction_flags
from accounts.models import Account, BuyingRole, InteractionKind
from accounts.stakeholders.relationships import (
    CONTACT_WINDOW_DAYS,
    HealthVerdict,
    health_from_figures,
    relationship_health,
)
from accounts.stakeholders.selectors import mapped_people, relationship_figures
from programme.models import Programme, ScoringSource
from programme.scoring import engine
from programme.scoring.formulas import CriterionRule
from programme.workspace.selectors import my_accounts
from tests.accounts.measures_factories import SurveyFactory
from tests.factories import InteractionFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def _screens_health(client, *, account, kam, sponsor, champion):
    """The relationship health the account page, the sponsor's brief and the dashboard show."""
    client.force_login(kam)
    page = client.get(reverse("accounts:detail", args=[account.pk]))
    client.force_login(sponsor)
    brief = client.get(reverse("portfolio:sponsor_brief", args=[account.pk]))
    client.force_login(champion)
    dashboard = client.get(reverse("portfolio:dashboard"))
    (row,) = [r for r in dashboard.context["page"].all_rows if r.account == account]
    return {
        "account page": (page.context["ws"].health.verdict, page.content.decode()),
        "sponsor brief": (brief.context["brief"].health.verdict, brief.content.decode()),
        "dashboard": (row.health, dashboard.content.decode()),
    }


def test_every_screen_calls_an_account_whose_coach_left_and_a_decision_maker_went_quiet_at_risk(
    client, account, kam, sponsor, champion
):
    today = timezone.localdate()
    ceo = StakeholderFactory(account=account, buying_role=BuyingRole.DECISION_MAKER, attitude=2)
    buyer = StakeholderFactory(account=account, buying_role=BuyingRole.ECONOMIC_BUYER, attitude=1)
    engineer = StakeholderFactory(account=account, buying_role=BuyingRole.USER)
    StakeholderFactory(account=account, buying_role=BuyingRole.COACH, left_on=today - timedelta(days=20))
    InteractionFactory(
        account=account,
        kind=InteractionKind.EXECUTIVE_VISIT,
        occurred_on=today - timedelta(days=10),
        stakeholders=[ceo, engineer],
    )
    InteractionFactory(
        account=account, occurred_on=today - timedelta(days=CONTACT_WINDOW_DAYS + 30), stakeholders=[buyer]
    )

    screens = _screens_health(client, account=account, kam=kam, sponsor=sponsor, champion=champion)

    assert {name: verdict for name, (verdict, _html) in screens.items()} == {
        "account page": HealthVerdict.AT_RISK,
        "sponsor brief": HealthVerdict.AT_RISK,
        "dashboard": HealthVerdict.AT_RISK,
    }
    assert all("At risk" in html for _verdict, html in screens.values())


def test_every_screen_calls_a_well_covered_account_whose_nps_fell_at_risk_as_its_attention_flag_does(
    client, account, kam, sponsor, champion
):
    """Baltic Steel read "Good" with an NPS of -33: health now knows what the attention flags know."""
    today = timezone.localdate()
    people = [
        StakeholderFactory(account=account, buying_role=BuyingRole.DECISION_MAKER, attitude=1)
        for _ in range(2)
    ]
    InteractionFactory(
        account=account, kind=InteractionKind.EXECUTIVE_VISIT, occurred_on=today - timedelta(days=5),
        stakeholders=people,
    )  # fmt: skip
    SurveyFactory(account=account, surveyed_on=today - timedelta(days=200), nps=9)
    SurveyFactory(account=account, surveyed_on=today - timedelta(days=10), nps=3)

    screens = _screens_health(client, account=account, kam=kam, sponsor=sponsor, champion=champion)

    assert {name: verdict for name, (verdict, _html) in screens.items()} == dict.fromkeys(
        screens, HealthVerdict.AT_RISK
    )
    assert all("At risk" in html for _verdict, html in screens.values())
    assert "NPS fell by 2 or more in the last survey" in screens["account page"][1]
    (row,) = [r for r in my_accounts(user=kam).rows if r.account == account]
    assert "NPS fell by 2 or more in the last survey" in [item.text for item in row.attention]


def test_a_removed_interaction_makes_nobody_an_active_contact_on_any_screen(
    client, account, kam, sponsor, champion
):
    today = timezone.localdate()
    people = [
        StakeholderFactory(account=account, buying_role=BuyingRole.DECISION_MAKER, attitude=1)
        for _ in range(2)
    ]
    InteractionFactory(account=account, occurred_on=today - timedelta(days=5), stakeholders=people[:1])
    InteractionFactory(
        account=account,
        occurred_on=today - timedelta(days=5),
        stakeholders=people[1:],
        archived_at=timezone.now(),
    )

    screens = _screens_health(client, account=account, kam=kam, sponsor=sponsor, champion=champion)

    assert {name: verdict for name, (verdict, _html) in screens.items()} == dict.fromkeys(
        screens,
        HealthVerdict.WEAK,  # single-threaded: the removed meeting does not count
    )


RELATIONSHIP_METRICS = ["decision_makers_contacted", "decision_makers_favourable", "active_contacts_90d"]


def test_the_recompute_counts_the_relationship_figures_the_screens_show_for_every_demo_account():
    call_command("seed_demo", accounts=40, key_accounts=15, months=3, seed=7, verbosity=0)
    today = timezone.localdate()
    rules = [
        CriterionRule(id=i, group="relationship", weight=1.0, source=ScoringSource.DATA, metric=name)
        for i, name in enumerate(RELATIONSHIP_METRICS)
    ]
    gathered = engine.gather(rules=rules, settings=engine.ScoringSettings.of(Programme.load()), today=today)
    in_sql = {
        account_id: {name: gathered.value(name, i) for name in RELATIONSHIP_METRICS}
        for i, account_id in enumerate(gathered.account_ids)
    }
    people: dict[int, list] = {}
    for person in mapped_people():
        people.setdefault(person.account_id, []).append(person)
    accounts = with_satisfaction_flags(
        Account.objects.current().annotate(**relationship_figures(today=today))
    )
    surveyed = survey_measures(Account.objects.values_list("pk", flat=True), today=today)
    compared = 0
    for account in accounts:
        on_the_page = relationship_health(
            people.get(account.pk, []),
            last_executive_visit=account.last_executive_visit,
            today=today,
            nps_fell=account.nps_fell,
        )
        on_my_accounts = health_from_figures(account, today=today)
        sql = in_sql[account.pk]
        python = {
            "decision_makers_contacted": on_the_page.decision_makers_contacted,
            "active_contacts_90d": on_the_page.active_contacts,
        }
        assert python == {
            "decision_makers_contacted": on_my_accounts.decision_makers_contacted,
            "active_contacts_90d": on_my_accounts.active_contacts,
        }, account.name
        assert (on_the_page.decision_makers, on_the_page.decision_makers_favourable) == (
            on_my_accounts.decision_makers,
            on_my_accounts.decision_makers_favourable,
        ), account.name
        assert (on_the_page.departed_unreplaced, on_the_page.verdict) == (
            on_my_accounts.departed_unreplaced,
            on_my_accounts.verdict,
        ), account.name
        assert surveyed[account.pk].nps_fell == account.nps_fell, account.name  # the dashboard's twin
        if not any(s.left_on is None for s in people.get(account.pk, [])):
            assert sql == dict.fromkeys(RELATIONSHIP_METRICS), account.name  # nobody mapped: missing
            continue
        assert {name: sql[name] for name in python} == python, account.name
        if on_the_page.decision_makers:
            share = 100 * on_the_page.decision_makers_favourable / on_the_page.decision_makers
            assert sql["decision_makers_favourable"] == pytest.approx(share), account.name
        else:
            assert sql["decision_makers_favourable"] is None, account.name
        compared += 1
    assert compared >= 15, "the demo maps people at every key account at least"
    assert any(v["active_contacts_90d"] for v in in_sql.values()), "someone was contacted lately"
