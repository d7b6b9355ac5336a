"""The CRM's bulk upserts: all or nothing, idempotent, set-based, and never over what people entered."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import (
    Account,
    Attitude,
    FinancialPeriod,
    LifecycleStatus,
    RelationshipStrength,
    Stakeholder,
)
from accounts.sync.records import (
    MAX_BATCH,
    BatchRejected,
    BatchTooLarge,
    accounts_upsert,
    contacts_upsert,
    financials_upsert,
)
from tests.factories import AccountFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def account_records(n, start=0, **extra):
    return [
        {
            "external_id": f"SF-{i:05d}",
            "name": f"Customer {i}",
            "industry": "Steel",
            "country": "PL",
            "currency": "PLN",
            **extra,
        }
        for i in range(start, start + n)
    ]


def test_accounts_are_created_then_reported_unchanged_on_a_second_identical_push():
    assert accounts_upsert(records=account_records(3)).as_dict() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    before = dict(Account.objects.values_list("external_id", "updated_at"))
    assert accounts_upsert(records=account_records(3)).as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
    }
    assert dict(Account.objects.values_list("external_id", "updated_at")) == before
    assert set(Account.objects.values_list("version", flat=True)) == {1}


def test_a_changed_name_updates_only_that_account_and_bumps_its_version():
    accounts_upsert(records=account_records(2))
    records = account_records(2)
    records[1]["name"] = "Renamed"
    assert accounts_upsert(records=records).as_dict() == {"created": 0, "updated": 1, "unchanged": 1}
    renamed = Account.objects.get(external_id="SF-00001")
    assert (renamed.name, renamed.version) == ("Renamed", 2)
    assert renamed.history.first().history_change_reason == "CRM sync"


def test_each_written_account_gets_one_history_row_as_stored(champion):
    records = account_records(2)
    records[0]["name"] = "100% Stahl 'Nord' \\ {Süd}"  # quoting: %, quotes, a backslash, braces
    accounts_upsert(records=records, by=champion, reason="Import")
    records[1]["name"] = "Renamed"
    accounts_upsert(records=records)
    history = Account.history.order_by("history_id").values_list(
        "external_id", "name", "version", "history_type", "history_user", "history_change_reason"
    )
    assert list(history) == [
        ("SF-00000", "100% Stahl 'Nord' \\ {Süd}", 1, "+", champion.pk, "Import"),
        ("SF-00001", "Customer 1", 1, "+", champion.pk, "Import"),
        ("SF-00001", "Renamed", 2, "~", None, "CRM sync"),
    ]
    assert Account.objects.get(external_id="SF-00000").name == "100% Stahl 'Nord' \\ {Süd}"


def test_names_that_look_like_array_syntax_are_stored_as_sent():
    # The batch travels as array literals: a quote, a comma, braces or NULL inside a name stay text.
    names = ['Say "Hi", Ltd', "NULL", "{a,b}", "back\\slash\\", "", '""']
    records = [
        {"external_id": f"Q-{i}", "name": name or "x", "industry": name, "country": ""}
        for i, name in enumerate(names)
    ]
    assert accounts_upsert(records=records).created == len(names)
    stored = dict(Account.objects.values_list("external_id", "industry"))
    assert stored == {f"Q-{i}": name for i, name in enumerate(names)}
    assert accounts_upsert(records=records).unchanged == len(names)
    assert sorted(Account.history.values_list("industry", flat=True)) == sorted(names)


def test_sync_never_overwrites_what_people_entered_in_kam(kam, sponsor):
    account = AccountFactory(
        external_id="SF-00000",
        name="Old name",
        key=True,
        kam=kam,
        executive_sponsor=sponsor,
        retention_estimate=Decimal("0.8"),
    )
    person = StakeholderFactory(
        account=account,
        external_id="C-1",
        name="Anna",
        influence=5,
        attitude=Attitude.ADVOCATE,
        relationship_strength=RelationshipStrength.STRONG,
        needs_personal="Wants a promotion",
        competitor_relationship_strength=RelationshipStrength.WEAK,
    )
    accounts_upsert(records=[{"external_id": "SF-00000", "name": "New name", "currency": "EUR"}])
    contacts_upsert(
        records=[
            {"external_id": "C-1", "account_external_id": "SF-00000", "name": "Anna Nowak", "title": "CFO"}
        ]
    )
    account.refresh_from_db()
    person.refresh_from_db()
    assert (account.name, account.currency) == ("New name", "EUR")
    assert account.status == LifecycleStatus.KEY and account.key_since == date(2024, 1, 1)
    assert (account.kam, account.executive_sponsor, account.retention_estimate) == (
        kam,
        sponsor,
        Decimal("0.8"),
    )
    assert (person.name, person.title) == ("Anna Nowak", "CFO")
    assert person.influence == 5 and person.attitude == Attitude.ADVOCATE
    assert person.relationship_strength == RelationshipStrength.STRONG
    assert person.competitor_relationship_strength == RelationshipStrength.WEAK
    assert person.needs_personal == "Wants a promotion"


def test_absent_optional_fields_leave_stored_values_alone():
    accounts_upsert(records=account_records(1))
    accounts_upsert(records=[{"external_id": "SF-00000", "name": "Customer 0"}])
    account = Account.objects.get()
    assert (account.industry, account.country, account.currency, account.version) == ("Steel", "PL", "PLN", 1)


def test_one_bad_record_refuses_the_whole_batch_and_names_every_problem():
    records = account_records(3)
    records[0]["country"] = "XX"
    records[2]["name"] = ""
    records.append({"external_id": "SF-00001", "name": "Twice"})
    records.append("not an object")
    with pytest.raises(BatchRejected) as rejected:
        accounts_upsert(records=records)
    assert not Account.objects.exists()
    problems = {(e["index"], e["external_id"], e["field"]) for e in rejected.value.errors}
    assert problems == {
        (0, "SF-00000", "country"),
        (2, "SF-00002", "name"),
        (3, "SF-00001", "external_id"),
        (4, None, None),
    }


def test_more_than_a_thousand_records_are_refused():
    with pytest.raises(BatchTooLarge):
        accounts_upsert(records=account_records(MAX_BATCH + 1))


def test_accounts_upsert_costs_the_same_queries_for_ten_or_forty(django_assert_max_num_queries):
    accounts_upsert(records=account_records(5))
    with django_assert_max_num_queries(6):
        accounts_upsert(records=account_records(10))
    with django_assert_max_num_queries(6):
        accounts_upsert(records=account_records(40, start=3))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite splits an INSERT at 999 parameters")
def test_a_thousand_accounts_and_figures_take_a_handful_of_queries(django_assert_max_num_queries):
    # On PostgreSQL a batch that created rows also asks whether the table has grown enough to ANALYZE.
    accounts_upsert(records=account_records(5))
    with django_assert_max_num_queries(7):
        accounts_upsert(records=account_records(MAX_BATCH, start=3))
    figures = [
        {
            "account_external_id": f"SF-{i:05d}",
            "period": "2026-01",
            "revenue": 1,
            "gross_margin": 1,
            "cost_to_serve": 0,
        }
        for i in range(MAX_BATCH)
    ]
    with django_assert_max_num_queries(6):
        financials_upsert(records=figures)
    contacts = [
        {
            "external_id": f"C-{i}",
            "account_external_id": f"SF-{i:05d}",
            "name": "X",
            "reports_to_external_id": "",
        }
        for i in range(MAX_BATCH)
    ]
    with django_assert_max_num_queries(7):
        contacts_upsert(records=contacts)


def test_contacts_resolve_their_account_and_a_manager_in_the_same_batch():
    accounts_upsert(records=account_records(1))
    result = contacts_upsert(
        records=[
            {
                "external_id": "C-2",
                "account_external_id": "SF-00000",
                "name": "Piotr",
                "reports_to_external_id": "C-1",
            },
            {
                "external_id": "C-1",
                "account_external_id": "SF-00000",
                "name": "Anna",
                "email": "anna@steel.example",
            },
        ]
    )
    assert result.as_dict() == {"created": 2, "updated": 0, "unchanged": 0}
    piotr = Stakeholder.objects.get(external_id="C-2")
    assert piotr.reports_to.external_id == "C-1"
    assert piotr.account.external_id == "SF-00000"
    again = contacts_upsert(
        records=[
            {
                "external_id": "C-2",
                "account_external_id": "SF-00000",
                "name": "Piotr",
                "reports_to_external_id": "C-1",
            }
        ]
    )
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 1}


def test_a_contact_at_an_unknown_account_refuses_the_batch():
    accounts_upsert(records=account_records(1))
    with pytest.raises(BatchRejected) as rejected:
        contacts_upsert(
            records=[
                {"external_id": "C-1", "account_external_id": "SF-00000", "name": "Anna"},
                {"external_id": "C-2", "account_external_id": "NOPE", "name": "Piotr"},
            ]
        )
    assert rejected.value.errors == [
        {
            "index": 1,
            "external_id": "C-2",
            "field": "account_external_id",
            "message": rejected.value.errors[0]["message"],
        }
    ]
    assert not Stakeholder.objects.exists()


def test_a_reporting_line_that_goes_round_in_a_circle_is_refused():
    accounts_upsert(records=account_records(2))
    with pytest.raises(BatchRejected) as rejected:
        contacts_upsert(
            records=[
                {
                    "external_id": "C-1",
                    "account_external_id": "SF-00000",
                    "name": "A",
                    "reports_to_external_id": "C-2",
                },
                {
                    "external_id": "C-2",
                    "account_external_id": "SF-00000",
                    "name": "B",
                    "reports_to_external_id": "C-1",
                },
                {
                    "external_id": "C-3",
                    "account_external_id": "SF-00001",
                    "name": "C",
                    "reports_to_external_id": "C-1",
                },
            ]
        )
    fields = {(e["external_id"], e["field"]) for e in rejected.value.errors}
    assert ("C-3", "reports_to_external_id") in fields  # works at another account
    assert ("C-1", "reports_to_external_id") in fields or ("C-2", "reports_to_external_id") in fields


def test_financials_are_keyed_by_account_and_month_and_idempotent():
    accounts_upsert(records=account_records(1))
    rows = [
        {
            "account_external_id": "SF-00000",
            "period": f"2026-{m:02d}",
            "revenue": "1000.50",
            "gross_margin": 300,
            "cost_to_serve": 50.25,
            "days_to_pay": 30,
        }
        for m in range(1, 4)
    ]
    assert financials_upsert(records=rows).as_dict() == {"created": 3, "updated": 0, "unchanged": 0}
    january = FinancialPeriod.objects.get(period=date(2026, 1, 1))
    assert (january.revenue, january.cost_to_serve, january.currency) == (
        Decimal("1000.50"),
        Decimal("50.25"),
        "PLN",
    )
    stamp = january.updated_at
    rows[1]["revenue"] = "2000"
    assert financials_upsert(records=rows).as_dict() == {"created": 0, "updated": 1, "unchanged": 2}
    january.refresh_from_db()
    assert january.updated_at == stamp
    assert FinancialPeriod.objects.get(period=date(2026, 2, 1)).revenue == Decimal("2000")


def test_bad_financial_figures_name_the_field():
    accounts_upsert(records=account_records(1))
    rows = [
        {
            "account_external_id": "SF-00000",
            "period": "2026-13",
            "revenue": "abc",
            "gross_margin": 1.234,
            "cost_to_serve": -1,
            "days_to_pay": "30",
            "currency": "EURO",
        },
        {
            "account_external_id": "SF-00000",
            "period": "2026-01",
            "revenue": 1,
            "gross_margin": 1,
            "cost_to_serve": 1,
        },
        {
            "account_external_id": "SF-00000",
            "period": "2026-01",
            "revenue": 1,
            "gross_margin": 1,
            "cost_to_serve": 1,
        },
    ]
    with pytest.raises(BatchRejected) as rejected:
        financials_upsert(records=rows)
    fields = [(e["index"], e["field"]) for e in rejected.value.errors]
    assert fields == [
        (0, "period"),
        (0, "revenue"),
        (0, "gross_margin"),
        (0, "cost_to_serve"),
        (0, "currency"),
        (0, "days_to_pay"),
        (2, "period"),
    ]
    assert not FinancialPeriod.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "finite"), (float("nan"), "finite"), (float("inf"), "not a number"), ("1e400", "below"),
        ("1.005", "2 decimal places"), (True, "Must be a number"), ([], "Must be a number"),
        ("", "not a number"), ("1" * 15, "below"),
    ],
)  # fmt: skip
def test_an_amount_that_is_not_money_is_refused_with_a_reason(value, message):
    accounts_upsert(records=account_records(1))
    row = {
        "account_external_id": "SF-00000",
        "period": "2026-01",
        "revenue": value,
        "gross_margin": 1,
        "cost_to_serve": 1,
    }
    with pytest.raises(BatchRejected) as rejected:
        financials_upsert(records=[row])
    [error] = rejected.value.errors
    assert error["field"] == "revenue" and message in error["message"]


def test_amounts_as_numbers_or_strings_store_the_same():
    accounts_upsert(records=account_records(1))
    base = {"account_external_id": "SF-00000", "period": "2026-01", "gross_margin": "1e3", "cost_to_serve": 0}
    financials_upsert(records=[{**base, "revenue": 0.1}])
    assert financials_upsert(records=[{**base, "revenue": "0.10"}]).unchanged == 1
    assert FinancialPeriod.objects.get().gross_margin == Decimal("1000.00")


def test_a_figure_left_out_keeps_the_stored_value_in_a_batch_of_mixed_shapes():
    """Records that leave out days to pay, orders or currency update only what they send."""
    accounts_upsert(records=account_records(1))
    month = {"account_external_id": "SF-00000", "revenue": 100, "gross_margin": 30, "cost_to_serve": 5}
    full = {"days_to_pay": 45, "order_count": 3, "currency": "EUR"}
    financials_upsert(records=[{**month, "period": f"2026-{m:02d}", **full} for m in (1, 2, 3)])
    result = financials_upsert(
        records=[
            {**month, "period": "2026-01", "revenue": 200},  # only the required figures
            {**month, "period": "2026-02", "days_to_pay": 60},  # currency and orders left out
            {**month, "period": "2026-03", **full},  # all the same
            {**month, "period": "2026-04"},  # new: the account's currency, nothing else
        ]
    )
    assert result.as_dict() == {"created": 1, "updated": 2, "unchanged": 1}
    stored = {
        f.period.month: (f.revenue, f.days_to_pay, f.order_count, f.currency)
        for f in FinancialPeriod.objects.all()
    }
    assert stored == {
        1: (Decimal("200.00"), 45, 3, "EUR"),
        2: (Decimal("100.00"), 60, 3, "EUR"),
        3: (Decimal("100.00"), 45, 3, "EUR"),
        4: (Decimal("100.00"), None, None, "PLN"),
    }


def test_a_null_figure_clears_the_stored_one():
    accounts_upsert(records=account_records(1))
    month = {"account_external_id": "SF-00000", "period": "2026-01", "revenue": 1, "gross_margin": 1}
    financials_upsert(records=[{**month, "cost_to_serve": 0, "days_to_pay": 30}])
    result = financials_upsert(records=[{**month, "cost_to_serve": 0, "days_to_pay": None}])
    assert result.updated == 1
    assert FinancialPeriod.objects.get().days_to_pay is None


@pytest.mark.parametrize("field", ["name", "title", "email"])
def test_a_nul_character_in_a_contact_is_refused_naming_the_field(field):
    accounts_upsert(records=account_records(1))
    contact = {"external_id": "C-1", "account_external_id": "SF-00000", "name": "Anna", field: "a\x00b"}
    with pytest.raises(BatchRejected) as rejected:
        contacts_upsert(records=[contact])
    assert [(e["field"], "NUL" in e["message"]) for e in rejected.value.errors] == [(field, True)]
    assert not Stakeholder.objects.exists()


def test_figures_for_an_unknown_account_refuse_the_whole_batch_naming_each_record():
    accounts_upsert(records=account_records(2))
    month = {"period": "2026-01", "revenue": 1, "gross_margin": 1, "cost_to_serve": 1}
    financials_upsert(records=[{**month, "account_external_id": "SF-00000"}])
    batch = [
        {**month, "account_external_id": "SF-00000", "revenue": 5},  # would change a stored month
        {**month, "account_external_id": "SF-404"},
        {**month, "account_external_id": "SF-00001", "currency": "USD"},  # another shape of record
        {**month, "account_external_id": "SF-405", "currency": "USD", "period": "2026-02"},
        {**month, "account_external_id": "SF-404", "period": "2026-02"},
    ]
    with pytest.raises(BatchRejected) as rejected:
        financials_upsert(records=batch)
    assert [(e["index"], e["external_id"], e["field"]) for e in rejected.value.errors] == [
        (1, "SF-404", "account_external_id"),
        (3, "SF-405", "account_external_id"),
        (4, "SF-404", "account_external_id"),
    ]
    assert "sync the account first" in rejected.value.errors[0]["message"]
    assert list(FinancialPeriod.objects.values_list("account__external_id", "revenue")) == [
        ("SF-00000", Decimal("1.00"))
    ]


def test_a_new_month_without_a_currency_takes_its_accounts():
    accounts_upsert(records=account_records(1))  # PLN
    month = {"account_external_id": "SF-00000", "revenue": 1, "gross_margin": 1, "cost_to_serve": 1}
    financials_upsert(
        records=[{**month, "period": "2026-01"}, {**month, "period": "2026-02", "currency": "usd"}]
    )
    assert dict(FinancialPeriod.objects.values_list("period", "currency")) == {
        date(2026, 1, 1): "PLN",
        date(2026, 2, 1): "USD",
    }
    assert financials_upsert(records=[{**month, "period": "2026-01"}]).unchanged == 1
