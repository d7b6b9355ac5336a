"""The financials sync accepts an optional monthly order count (it gives the repeat-order rate)."""

from datetime import date

import pytest

from accounts.models import FinancialPeriod
from accounts.sync.records import BatchRejected, accounts_upsert, financials_upsert
from tests.api.test_sync_services import account_records

pytestmark = pytest.mark.django_db


def _row(month: int, **extra):
    figures = {"revenue": 100, "gross_margin": 30, "cost_to_serve": 5}
    return {"account_external_id": "SF-00000", "period": f"2026-{month:02d}"} | figures | extra


def test_order_count_is_synced_with_the_months_figures_and_optional():
    accounts_upsert(records=account_records(1))
    financials_upsert(records=[_row(1, order_count=4), _row(2)])
    assert FinancialPeriod.objects.get(period=date(2026, 1, 1)).order_count == 4
    assert FinancialPeriod.objects.get(period=date(2026, 2, 1)).order_count is None
    result = financials_upsert(records=[_row(1, order_count=5), _row(2)])
    assert result.as_dict() == {"created": 0, "updated": 1, "unchanged": 1}
    assert FinancialPeriod.objects.get(period=date(2026, 1, 1)).order_count == 5


@pytest.mark.parametrize("bad", [-1, "3", 2.5, True])
def test_a_bad_order_count_names_the_field_and_nothing_is_written(bad):
    accounts_upsert(records=account_records(1))
    with pytest.raises(BatchRejected) as rejected:
        financials_upsert(records=[_row(1, order_count=bad)])
    assert {e["field"] for e in rejected.value.errors} == {"order_count"}
    assert not FinancialPeriod.objects.exists()
