"""Score screens: the recompute page, the score card fragment and a KAM's manual score of a criterion.

Thin: every view (fragments too) asks accounts.permissions, then calls a selector or a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, retarget

from accounts import permissions
from accounts.models import Account
from kam.core import conflicts
from programme.forms import ManualScoreForm
from programme.models import Criterion, Programme, ScoringSource
from programme.scoring import engine
from programme.scoring import selectors as scoring_selectors
from programme.scoring import services as scoring_services


@login_required
@require_http_methods(["GET", "POST"])
def recompute(request):
    permissions.require(
        request.user, permissions.can_start_recompute, _("Only the KAM champion runs recomputes.")
    )
    if request.method == "POST":
        try:
            scoring_services.recompute_request(by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except engine.RecomputeBusy as busy:
            messages.error(request, str(busy))
        if not request.htmx:
            return redirect("programme:recompute")
    template = "programme/recompute.html" + ("#runs" if request.htmx else "")
    return render(request, template, {"page": scoring_selectors.recompute_page()})


def _account(user, account_id: int) -> Account:
    return get_object_or_404(permissions.visible_accounts(user, Account.objects.current()), pk=account_id)


@login_required
@require_GET
def score_card(request, account_id: int):
    account = _account(request.user, account_id)
    card = scoring_selectors.score_card(user=request.user, account=account)
    return render(request, "programme/score_card.html#card", {"score_card": card})


@login_required
@require_http_methods(["GET", "POST"])
def manual_score(request, account_id: int, criterion_id: int):
    account = _account(request.user, account_id)
    if not permissions.can_score_by_hand(request.user, account):
        raise PermissionDenied(_("Only the account's key account manager or the champion scores it by hand."))
    criterion = get_object_or_404(Criterion, pk=criterion_id, source=ScoringSource.MANUAL, is_active=True)
    current = criterion.manual_scores.filter(account=account).select_related("scored_by").first()
    initial = {}
    if current:
        initial = {"score": current.score, "justification": current.justification, "version": current.version}
    # No version means "it was blank when I opened it": the service refuses it if someone scored since.
    form = ManualScoreForm(request.POST if request.method == "POST" else None, initial=initial)
    status, conflict = 200, None
    if request.method == "POST":
        submission = conflicts.submit(
            form,
            lambda f: scoring_services.manual_score_save(
                account=account,
                criterion=criterion,
                score=f.cleaned_data["score"],
                justification=f.cleaned_data["justification"],
                by=request.user,
                expected_version=f.expected_version,
            ),
        )
        status, conflict = submission.status, submission.current
        if submission.saved:
            if request.htmx:
                card = scoring_selectors.score_card(user=request.user, account=account)
                response = render(request, "programme/score_card.html#card", {"score_card": card})
                # The form sat in the card's editor slot: the refreshed card replaces the whole card.
                return reswap(retarget(response, "#score-card"), "outerHTML")
            messages.success(request, _("Score saved; it counts from the next recompute."))
            return redirect(account.get_absolute_url())
    template = "programme/manual_score.html" + ("#form" if request.htmx else "")
    context = {
        "form": form,
        "account": account,
        "criterion": criterion,
        "current": current,
        "conflict": conflict,
        "programme": Programme.load(),
    }
    return render(request, template, context, status=status)
