"""The demo programme: believable, deterministic, and with the logins the README prints."""

from datetime import date

import pytest
from django.core.management import call_command

from accounts.demo.records import DemoOptions
from accounts.models import Account, FinancialPeriod, Interaction, Stakeholder, User
from programme.demo.seed import seed

pytestmark = pytest.mark.django_db


def _fingerprint():
    return (
        list(Account.objects.order_by("external_id").values_list("name", "status", "currency")),
        list(
            FinancialPeriod.objects.order_by("account__external_id", "period").values_list(
                "revenue", flat=True
            )
        ),
    )


def test_same_seed_gives_the_same_programme(django_db_blocker):
    options = DemoOptions(
        accounts=40, key_accounts=15, months=6, seed=7, chunk_size=16, today=date(2026, 11, 23)
    )
    seed(options)
    first = _fingerprint()
    Account.objects.all().delete()
    seed(options)
    assert _fingerprint() == first


def test_demo_has_key_accounts_candidates_org_charts_and_the_roles(capsys):
    call_command("seed_demo", accounts=60, months=24, seed=3)
    assert Account.objects.key_accounts().count() == 15
    assert Account.objects.candidates().count() == 43
    assert FinancialPeriod.objects.filter(account__status="key").count() == 15 * 24
    chart = Stakeholder.objects.filter(account__name="Baltic Steel")
    assert 5 <= chart.count() <= 40
    assert chart.filter(reports_to__isnull=True).count() == 1, "one person at the top of the org chart"
    assert Interaction.objects.filter(account__name="Baltic Steel").exists()
    assert User.objects.get(username="jan").is_champion
    assert Account.objects.filter(kam__username="magda", status="key").count() == 4
    printed = capsys.readouterr().out
    for login in ("jan", "magda", "oliver", "ewa", "tomasz"):
        assert login in printed


def test_seeding_twice_refuses_unless_asked_to_skip(capsys):
    call_command("seed_demo", accounts=20, months=2)
    call_command("seed_demo", accounts=20, months=2, if_empty=True)
    assert Account.objects.count() == 20
