"""The one-pass check of a clean batch (accounts/sync/quick.py) decides nothing the full checks would
decide otherwise: for every record it either gives up (and the full checks speak) or gives exactly
the values they give. No database needed."""

from __future__ import annotations

import pytest

from accounts.sync import quick
from accounts.sync.records import (
    ACCOUNT_RECORD_FIELDS,
    FINANCIAL_RECORD_FIELDS,
    BatchChecker,
    BatchRejected,
    _checked_accounts,
    _checked_financials,
)
from kam.core.currencies import country_codes, currency_codes

ODD_TEXT = [
    "Acme", "  Acme  ", "", "   ", None, 7, True, [], {}, "a\x00b", "x" * 100, "x" * 101, "x" * 201,
    'Quote " and \\ backslash', "Zürich Straße", "pl", " de ", "Poland", "eur", "XXX", "\u00a0PL\u00a0",
]  # fmt: skip
ODD_AMOUNTS = [
    "1234.50", "1234.5", " 12 ", "-3.10", "-0", "-0.00", "0.001", "1.005", "1e3", "1E+3", "NaN", "Infinity",
    "", "abc", "1" * 14, "1" * 15, "\u0663", "1_000", "+5", ".5", "5.", 0, 12, -12, 10**14, 0.1, 1e20, -0.0,
    float("nan"), True, None, [], "1,5",
]  # fmt: skip
ODD_MONTHS = [
    "2026-01",
    " 2026-12 ",
    "2026-13",
    "2026-1",
    "1899-12",
    "2100-01",
    "0000-05",  # no year 0 in the calendar: a date() of it raises
    "\u0662\u0660\u0662\u0666-\u0660\u0661",
    202601,
    None,
    "",
]
ODD_WHOLE = [0, 30, 32767, 32768, -1, 2147483647, 2147483648, None, True, 1.0, "30"]


def _full_accounts(records):
    try:
        return _checked_accounts(BatchChecker(records, ACCOUNT_RECORD_FIELDS), records, *_codes())
    except BatchRejected:
        return "refused"


def _full_financials(records):
    try:
        return _checked_financials(BatchChecker(records, FINANCIAL_RECORD_FIELDS), records, currency_codes())
    except BatchRejected:
        return "refused"


def _codes():
    return country_codes(), currency_codes()


def _quick_accounts(records):
    return quick.accounts(records, frozenset(ACCOUNT_RECORD_FIELDS), *_codes())


def _quick_financials(records):
    return quick.financials(records, frozenset(FINANCIAL_RECORD_FIELDS), currency_codes())


def _agrees(fast, full) -> bool:
    return fast is None or fast == full


def test_a_clean_batch_takes_the_quick_way():
    accounts = [
        {"external_id": f"A{i}", "name": "Acme", "country": "pl", "currency": "EUR"} for i in range(3)
    ]
    assert _quick_accounts(accounts) == _full_accounts(accounts) != "refused"
    figures = [
        {"account_external_id": "A1", "period": f"2026-0{m}", "revenue": "10.50", "gross_margin": 3,
         "cost_to_serve": 0.25, "days_to_pay": 30, "order_count": None, "currency": "eur"}
        for m in range(1, 4)
    ]  # fmt: skip
    assert _quick_financials(figures) == _full_financials(figures) != "refused"


@pytest.mark.parametrize("field", ["external_id", "name", "industry", "country", "currency"])
@pytest.mark.parametrize("value", ODD_TEXT)
def test_every_account_field_is_read_as_the_full_checks_read_it(field, value):
    record = {"external_id": "A1", "name": "Acme", "industry": "Steel", "country": "PL", "currency": "EUR"}
    for records in ([{**record, field: value}], [{k: v for k, v in record.items() if k != field}]):
        assert _agrees(_quick_accounts(records), _full_accounts(records)), records


def test_unknown_fields_duplicates_and_non_objects_are_left_to_the_full_checks():
    record = {"external_id": "A1", "name": "Acme"}
    for records in ([{**record, "kam": "x"}], [record, record], ["A1"], [None]):
        assert _quick_accounts(records) is None
    figure = {
        "account_external_id": "A1",
        "period": "2026-01",
        "revenue": 1,
        "gross_margin": 1,
        "cost_to_serve": 1,
    }
    for records in ([{**figure, "status": "x"}], [figure, figure], [[figure]]):
        assert _quick_financials(records) is None


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("revenue", ODD_AMOUNTS),
        ("gross_margin", ODD_AMOUNTS),
        ("cost_to_serve", ODD_AMOUNTS),
        ("period", ODD_MONTHS),
        ("account_external_id", ODD_TEXT),
        ("currency", ODD_TEXT),
        ("days_to_pay", ODD_WHOLE),
        ("order_count", ODD_WHOLE),
    ],
)
def test_every_financial_field_is_read_as_the_full_checks_read_it(field, values):
    record = {
        "account_external_id": "A1",
        "period": "2026-01",
        "revenue": 1,
        "gross_margin": 1,
        "cost_to_serve": 1,
    }
    for value in values:
        for records in ([{**record, field: value}], [{k: v for k, v in record.items() if k != field}]):
            assert _agrees(_quick_financials(records), _full_financials(records)), records
