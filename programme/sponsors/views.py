"""The executive sponsor's "My accounts", the one-page brief, endorsing a plan, logging a visit;
and the champion's sponsor load page. Thin: ask accounts.permissions, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.models import AccountPlan, InteractionKind, PlanStatus
from accounts.plans import services
from accounts.plans.forms import TransitionForm
from accounts.stakeholders import services as stakeholder_services
from kam.core import conflicts
from kam.core.pdf import pdf_response
from programme.sponsors import selectors as sponsors
from programme.sponsors.board_brief import board_brief
from programme.sponsors.forms import ExecutiveVisitForm


@login_required
@require_GET
def sponsor_home(request):
    accounts = sponsors.my_sponsored_accounts(user=request.user)
    return render(request, "programme/sponsor_home.html", {"accounts": accounts})


@login_required
@require_GET
def sponsor_brief(request, account_id: int):
    brief = sponsors.sponsor_brief(user=request.user, account_id=account_id)
    return render(request, "programme/sponsor_brief.html", {"brief": brief, "account": brief.account})


@login_required
@require_POST
def sponsor_endorse(request, account_id: int, plan_id: int):
    """Endorse (approve) a submitted plan: the plan workflow's own approval step, by the sponsor."""
    account = sponsors.brief_account(user=request.user, account_id=account_id)
    plan = get_object_or_404(AccountPlan, pk=plan_id, account=account)
    if not permissions.can_approve_plan(request.user, account):
        raise PermissionDenied(_("Only the account's sponsor or the champion endorses its plan."))
    if plan.status != PlanStatus.SUBMITTED:
        messages.error(request, _("This plan is not waiting for an endorsement."))
        return redirect("portfolio:sponsor_brief", account_id=account.pk)
    form = TransitionForm(request.POST, record=plan)
    submission = conflicts.submit(
        form,
        lambda f: services.plan_transition(
            plan=plan, name="approve", by=request.user, expected_version=f.expected_version,
            comment=f.cleaned_data["comment"],
        ),
    )  # fmt: skip
    if submission.saved:
        messages.success(
            request, _("Plan endorsed and approved: the key account manager can start executing it.")
        )
        return redirect("portfolio:sponsor_brief", account_id=account.pk)
    if submission.status == 409:
        # The brief again, as the plan stands now, with her comment kept: endorsing again is deliberate.
        messages.error(request, form.stale_message)
        brief = sponsors.sponsor_brief(user=request.user, account_id=account.pk)
        context = {"brief": brief, "account": brief.account, "endorse_form": form}
        return render(request, "programme/sponsor_brief.html", context, status=409)
    messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("portfolio:sponsor_brief", account_id=account.pk)


@login_required
@require_http_methods(["GET", "POST"])
def sponsor_visit(request, account_id: int):
    account = sponsors.brief_account(user=request.user, account_id=account_id)
    if not permissions.can_log_executive_visit(request.user, account):
        raise PermissionDenied(_("Only the account's sponsor logs an executive visit here."))
    form = ExecutiveVisitForm(request.POST if request.method == "POST" else None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            stakeholder_services.interaction_log(
                account=account, kind=InteractionKind.EXECUTIVE_VISIT, participants=[request.user],
                by=request.user, **form.cleaned_data,
            )  # fmt: skip
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Executive visit logged."))
            return redirect("portfolio:sponsor_brief", account_id=account.pk)
    context = {
        "form": form,
        "account": account,
        "title": _("Log an executive visit"),
        "cancel_url": reverse("portfolio:sponsor_brief", args=[account.pk]),
    }
    return render(request, "programme/sponsor_visit.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def sponsor_load(request):
    page = sponsors.sponsor_load(user=request.user)
    return render(request, "programme/sponsor_load.html", {"page": page})


@login_required
@require_GET
def plan_board_brief(request, account_id: int, plan_id: int):
    """The plan as a board brief, laid out for print (one to two pages)."""
    brief = board_brief(user=request.user, account_id=account_id, plan_id=plan_id)
    context = {"brief": brief, "page": brief.plan_page, "account": brief.plan_page.account}
    return render(request, "programme/board_brief.html", context | {"base_template": "base.html"})


@login_required
@require_GET
def plan_board_brief_pdf(request, account_id: int, plan_id: int):
    """The same board brief as a PDF file, rendered on the server, with page numbers."""
    brief = board_brief(user=request.user, account_id=account_id, plan_id=plan_id)
    account, plan = brief.plan_page.account, brief.plan_page.plan
    context = {"brief": brief, "page": brief.plan_page, "account": account}
    filename = _("%(account)s board brief %(start)s") % {
        "account": account.name,
        "start": plan.period_start.isoformat(),
    }
    return pdf_response(
        "programme/board_brief.html",
        context | {"base_template": "pdf_base.html", "pdf": True},
        request=request,
        filename=filename,
    )
