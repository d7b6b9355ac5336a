"""The account's Measures page and its forms. Thin: permission, selector or service, render.

The page converts money into the programme's reporting currency, so it lives with the programme;
the measures' records, rules and writes are in accounts/measures.

Every view asks accounts.permissions itself, fragments included. A form answers 422 with its field
messages, 409 with the other person's entry beside what the user typed, and on success the
refreshed section (htmx) or a redirect back to the page.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from accounts.measures import forms, services
from accounts.measures.selectors import measure_account, measures_page
from accounts.models import AccountInvestment, RelationshipStageChange, WalletEstimate
from kam.core import conflicts
from programme.models import Programme


def _page(user, account_id: int):
    programme = Programme.load()
    return measures_page(
        user=user,
        account_id=account_id,
        rates=programme.rate_table(),
        default_retention=programme.default_retention,
    )


SECTIONS = ("satisfaction", "orders", "wallet", "stage", "investment", "retention", "summary")
TEMPLATE = "accounts/measures.html"


@login_required
@require_GET
def measures(request, account_id: int):
    page = _page(request.user, account_id)
    template = TEMPLATE
    partial = request.GET.get("partial")
    if partial:
        if partial not in SECTIONS:
            raise Http404
        template += f"#{partial}"
    return render(request, template, {"page": page, "account": page.account})


def _posted(request):
    return request.POST if request.method == "POST" else None


def _edit(
    request, *, account, section: str, title: str, form, allowed: bool, save, success: str, seen_key: str
):
    """GET shows the form; POST saves through a service and answers with the refreshed section."""
    if not allowed:
        raise PermissionDenied(
            _("Only the account's key account manager or the champion records its measures.")
        )
    status, conflict = 200, None
    if request.method == "POST":
        submission = conflicts.submit(form, lambda f: save(f.cleaned_data), seen=seen_key or "version")
        if submission.saved:
            if submission.result:
                messages.warning(request, submission.result)
            if request.htmx:
                page = _page(request.user, account.pk)
                return render(request, f"{TEMPLATE}#{section}", {"page": page, "account": account})
            messages.success(request, success)
            return redirect(reverse("accounts:measures", args=[account.pk]) + f"#{section}")
        status, conflict = submission.status, submission.their_values
    cancel_url = reverse("accounts:measures", args=[account.pk])
    context = {
        "account": account,
        "form": form,
        "title": title,
        "section": section,
        "conflict": conflict,
        "cancel_url": cancel_url,
    }
    return render(request, TEMPLATE + ("#form" if request.htmx else ""), context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def survey_add(request, account_id: int):
    account = measure_account(user=request.user, account_id=account_id)
    form = forms.SurveyForm(_posted(request), account=account)

    def save(data):
        services.survey_add(account=account, by=request.user, **data)

    return _edit(
        request, account=account, section="satisfaction", title=_("Add a satisfaction survey"), form=form,
        allowed=permissions.can_record_measures(request.user, account), save=save,
        success=_("Survey recorded."), seen_key="",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def wallet_set(request, account_id: int):
    account = measure_account(user=request.user, account_id=account_id)
    current = WalletEstimate.objects.filter(account=account, is_current=True).first()
    initial = {"currency": account.currency, "based_on": current.pk if current else None}
    form = forms.WalletEstimateForm(_posted(request), initial=initial)

    def save(data):
        saved = services.wallet_estimate_set(
            account=account,
            by=request.user,
            based_on_id=data.pop("based_on"),
            rates=Programme.load().rate_table(),
            **data,
        )
        if saved.below_our_revenue:
            return _(
                "Saved, but the estimate is smaller than what they bought from us in the last twelve months: "
                "is it out of date?"
            )
        return None

    return _edit(
        request, account=account, section="wallet", title=_("Set the share-of-wallet estimate"), form=form,
        allowed=permissions.can_set_wallet_estimate(request.user, account), save=save,
        success=_("Wallet estimate saved."), seen_key="based_on",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def stage_set(request, account_id: int):
    account = measure_account(user=request.user, account_id=account_id)
    current = RelationshipStageChange.objects.filter(account=account, is_current=True).first()
    initial = {"stage": current.stage if current else None, "based_on": current.pk if current else None}
    form = forms.StageForm(_posted(request), initial=initial)

    def save(data):
        services.relationship_stage_set(
            account=account,
            by=request.user,
            based_on_id=data.pop("based_on"),
            **data,
        )

    return _edit(
        request, account=account, section="stage", title=_("Set the relationship stage"), form=form,
        allowed=permissions.can_record_measures(request.user, account), save=save,
        success=_("Relationship stage saved."), seen_key="based_on",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def investment_record(request, account_id: int):
    account = measure_account(user=request.user, account_id=account_id)
    initial = {"currency": account.currency}
    quarter = request.GET.get("quarter")
    if quarter:
        try:
            quarter = date.fromisoformat(quarter)
        except ValueError:
            return HttpResponseBadRequest(
                _("“quarter” must be the quarter's first day, written YYYY-MM-DD (e.g. 2026-04-01)."),
                content_type="text/plain; charset=utf-8",
            )
        investment = AccountInvestment.objects.filter(account=account, period_start=quarter).first()
        if investment is None:
            raise Http404
        fields = [
            *AccountInvestment.COST_FIELDS,
            "currency",
            "note",
            "version",
        ]  # the version it is opened at
        initial = {name: getattr(investment, name) for name in fields} | {"period_start": quarter.isoformat()}
    form = forms.InvestmentForm(_posted(request), initial=initial)

    def save(data):
        costs = {
            name: data[name] if data[name] is not None else Decimal(0)
            for name in AccountInvestment.COST_FIELDS
        }
        services.investment_save(
            account=account, by=request.user, period_start=data["period_start"], currency=data["currency"],
            note=data["note"], expected_version=data["version"], **costs,
        )  # fmt: skip

    return _edit(
        request, account=account, section="investment", title=_("Record investment"), form=form,
        allowed=permissions.can_record_measures(request.user, account), save=save,
        success=_("Investment recorded."), seen_key="version",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def retention_edit(request, account_id: int):
    account = measure_account(user=request.user, account_id=account_id)
    initial = {"retention_estimate": account.retention_estimate}
    form = forms.RetentionEstimateForm(_posted(request), initial=initial, record=account)

    def save(data):
        services.retention_estimate_set(
            account=account, by=request.user, estimate=data["retention_estimate"], reason=data["reason"],
            expected_version=data["version"],
        )  # fmt: skip

    return _edit(
        request, account=account, section="retention", title=_("Edit the retention estimate"), form=form,
        allowed=permissions.can_record_measures(request.user, account), save=save,
        success=_("Retention estimate saved."), seen_key="version",
    )  # fmt: skip
