"""Every write to an account's measures: one transaction each, field errors before writing.

Kept apart from services.py so that the measures merge without touching the plan and account code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.measures import calculations as measures
from accounts.measures.selectors import our_trailing_revenue
from accounts.models import (
    Account,
    AccountInvestment,
    RelationshipStageChange,
    RetentionEstimateChange,
    Stakeholder,
    Survey,
    WalletEstimate,
)
from kam.core.money import RateTable
from kam.core.versions import StaleVersion, save_versioned


def _not_in_future(errors: dict, field: str, day: date | None, message: str) -> None:
    if day and day > timezone.localdate():
        errors[field] = message


def _clean(instance, errors: dict) -> None:
    """Run the model's own validation and report its field errors together with ours."""
    try:
        instance.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def survey_add(
    *,
    account: Account,
    surveyed_on: date,
    nps: int | None = None,
    csat: int | None = None,
    respondent_name: str = "",
    stakeholder: Stakeholder | None = None,
    comment: str = "",
    by=None,
) -> Survey:
    """Record one respondent's satisfaction answer (NPS 0-10 and/or CSAT 1-5), dated no later than today."""
    errors: dict = {}
    _not_in_future(
        errors, "surveyed_on", surveyed_on, _("Record surveys that were answered: not a future date.")
    )
    survey = Survey(
        account=account,
        surveyed_on=surveyed_on,
        nps=nps,
        csat=csat,
        respondent_name=(respondent_name or "").strip() or (stakeholder.name if stakeholder else ""),
        stakeholder=stakeholder,
        comment=(comment or "").strip(),
        entered_by=by,
    )
    _clean(survey, errors)
    survey.save()
    return survey


SURVEY_FIELDS = ["surveyed_on", "respondent_name", "stakeholder", "nps", "csat", "comment", "archived_at"]


@transaction.atomic
def survey_save(*, survey: Survey, expected_version: int | None, by=None) -> Survey:
    """Correct a recorded survey (the admin does) if nobody changed it since `expected_version`."""
    errors: dict = {}
    _not_in_future(
        errors, "surveyed_on", survey.surveyed_on, _("Record surveys that were answered: not a future date.")
    )
    _clean(survey, errors)
    return save_versioned(survey, expected_version=expected_version, fields=SURVEY_FIELDS, by=by)


@dataclass(frozen=True)
class WalletEstimateSaved:
    estimate: WalletEstimate
    # Allowed, but the KAM is told: the customer cannot spend less with everyone than with us alone.
    below_our_revenue: bool


def _lock_account(account: Account) -> Account:
    return Account.objects.select_for_update().get(pk=account.pk)


def _check_based_on(current, based_on_id: int | None) -> None:
    """Refuse to replace a current row the user had not seen (someone set a newer one meanwhile)."""
    if current is not None and current.pk != based_on_id:
        raise StaleVersion(current)


def _mark_current(model, account: Account) -> None:
    # The latest by date (then by entry) is current, so that a back-dated entry does not take over.
    model.objects.filter(account=account, is_current=True).update(is_current=False)
    latest = model.objects.filter(account=account).order_by(*model.CURRENT_ORDER).values("pk")[:1]
    model.objects.filter(pk__in=latest).update(is_current=True)


@transaction.atomic
def wallet_estimate_set(
    *,
    account: Account,
    amount: Decimal,
    currency: str,
    estimated_on: date,
    source: str,
    note: str = "",
    rates: RateTable,
    based_on_id: int | None = None,
    by=None,
) -> WalletEstimateSaved:
    """Add a new estimate of the customer's yearly spend in our categories; earlier ones stay as history.

    `rates` (into the reporting currency) compare the estimate with our own trailing revenue."""
    account = _lock_account(account)
    _check_based_on(WalletEstimate.objects.filter(account=account, is_current=True).first(), based_on_id)
    errors: dict = {}
    _not_in_future(
        errors,
        "estimated_on",
        estimated_on,
        _("An estimate is dated when it was made: not later than today."),
    )
    estimate = WalletEstimate(
        account=account,
        amount=amount,
        currency=currency,
        estimated_on=estimated_on,
        source=source,
        note=(note or "").strip(),
        entered_by=by,
    )
    _clean(estimate, errors)
    estimate.save()
    _mark_current(WalletEstimate, account)
    revenue = our_trailing_revenue(account, rates=rates)
    wallet = revenue.convert(estimate.amount, estimate.currency, estimate.estimated_on)
    return WalletEstimateSaved(estimate, measures.wallet_below_our_revenue(revenue.amount, wallet))


@transaction.atomic
def relationship_stage_set(
    *,
    account: Account,
    stage: str,
    effective_on: date,
    note: str = "",
    based_on_id: int | None = None,
    by=None,
) -> RelationshipStageChange:
    """Record the stage the relationship reached and since when; the history of stages is kept."""
    account = _lock_account(account)
    _check_based_on(
        RelationshipStageChange.objects.filter(account=account, is_current=True).first(), based_on_id
    )
    errors: dict = {}
    _not_in_future(
        errors, "effective_on", effective_on, _("A stage is reached, not planned: not a future date.")
    )
    change = RelationshipStageChange(
        account=account, stage=stage, effective_on=effective_on, note=(note or "").strip(), set_by=by
    )
    _clean(change, errors)
    change.save()
    _mark_current(RelationshipStageChange, account)
    change.refresh_from_db(fields=["is_current"])
    return change


@transaction.atomic
def investment_save(
    *,
    account: Account,
    period_start: date,
    currency: str,
    kam_time_cost: Decimal = Decimal(0),
    team_time_cost: Decimal = Decimal(0),
    dedicated_resources_cost: Decimal = Decimal(0),
    special_terms_cost: Decimal = Decimal(0),
    note: str = "",
    expected_version: int | None = None,
    by=None,
) -> AccountInvestment:
    """Record (or correct) what we put into the account in one quarter; no cost can be negative."""
    costs = {
        "kam_time_cost": kam_time_cost,
        "team_time_cost": team_time_cost,
        "dedicated_resources_cost": dedicated_resources_cost,
        "special_terms_cost": special_terms_cost,
    }
    errors: dict = {}
    for name, value in costs.items():
        if value is not None and value < 0:
            errors[name] = _("A cost cannot be negative.")
    if period_start and period_start > timezone.localdate():
        errors["period_start"] = _("Record investment for a quarter that has started.")
    existing = (
        AccountInvestment.objects.select_for_update()
        .filter(account=account, period_start=period_start)
        .first()
    )
    investment = existing or AccountInvestment(account=account, period_start=period_start)
    for name, value in costs.items():
        setattr(investment, name, Decimal(0) if value is None else value)
    investment.currency, investment.note, investment.entered_by = currency, (note or "").strip(), by
    _clean(investment, errors)
    if existing is not None and expected_version is None:
        # The form was opened as "new" while someone else recorded this quarter: show them theirs.
        raise StaleVersion(existing)
    fields = [*AccountInvestment.COST_FIELDS, "currency", "note", "entered_by"]
    return save_versioned(investment, expected_version=expected_version, fields=fields, by=by)


@transaction.atomic
def retention_estimate_set(
    *,
    account: Account,
    estimate: Decimal | None,
    reason: str,
    expected_version: int,
    by=None,
) -> RetentionEstimateChange:
    """Change the retention probability CLV uses for this account, with why; blank means the default."""
    errors: dict = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the estimate changes: CLV depends on it.")
    if estimate is not None and not Decimal(0) <= estimate <= Decimal(1):
        errors["retention_estimate"] = _("A retention estimate is a probability between 0 and 1.")
    if errors:
        raise ValidationError(errors)
    previous = Account.objects.values_list("retention_estimate", flat=True).get(pk=account.pk)
    account.retention_estimate = estimate
    save_versioned(account, expected_version=expected_version, fields=["retention_estimate"], by=by)
    return RetentionEstimateChange.objects.create(
        account=account, from_estimate=previous, to_estimate=estimate, reason=reason, changed_by=by
    )
