"""Programme screens: criteria, weights and thresholds with the what-if, and the champion's lifecycle
change of an account.

Thin: every view (fragments too) asks accounts.permissions, then calls a selector or a service. Field
errors answer 422 with the form re-rendered; a save over someone else's answers 409 keeping what
the user typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.selectors import visible_account
from accounts.views import form_page
from kam.core import conflicts
from kam.core.versions import StaleVersion
from programme import selectors, services
from programme.forms import CriterionForm, LifecycleForm, WhatIfForm
from programme.models import Criterion, Programme
from programme.scoring import engine, what_if
from programme.scoring import selectors as scoring_selectors


def _what_if_form(data=None):
    page = selectors.criteria_page()
    return page, WhatIfForm(data, criteria=page.criteria, programme=page.programme)


@login_required
@require_GET
def criteria(request):
    permissions.require(
        request.user, permissions.can_manage_criteria, _("Only the KAM champion sets the criteria.")
    )
    page, form = _what_if_form()
    return render(request, "programme/criteria.html", {"page": page, "form": form})


@login_required
@require_POST
def criteria_preview(request):
    """The what-if: score every account under the weights and thresholds typed, save nothing."""
    permissions.require(
        request.user, permissions.can_manage_criteria, _("Only the KAM champion sets the criteria.")
    )
    page, form = _what_if_form(request.POST)
    context = {"page": page, "form": form}
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        weights = form.weights
        rules = [engine.criterion_rule(c, weight=weights[c.pk]) for c in page.criteria]
        settings = engine.ScoringSettings.of(
            page.programme,
            entry_threshold=float(data["entry_threshold"]),
            exit_threshold=float(data["exit_threshold"]),
            attractiveness_cutoff=float(data["attractiveness_cutoff"]),
            relationship_cutoff=float(data["relationship_cutoff"]),
            attractiveness_share=float(data["attractiveness_share"]),
        )
        context["what_if"] = scoring_selectors.what_if_page(
            programme=page.programme, proposed=what_if.side(rules, settings), page=data.get("page") or 1
        )
        status = 200
    template = "programme/criteria.html" + ("#what-if" if request.htmx else "")
    return render(request, template, context, status=status)


@login_required
@require_POST
def criteria_weights_save(request):
    """Keep the weights and thresholds tried in the what-if."""
    permissions.require(
        request.user, permissions.can_manage_criteria, _("Only the KAM champion sets the criteria.")
    )
    page, form = _what_if_form(request.POST)
    status, conflict = 422, None
    if form.is_valid():
        try:
            with transaction.atomic():
                services.thresholds_save(
                    by=request.user,
                    expected_version=form.cleaned_data["programme_version"],
                    **{name: form.cleaned_data[name] for name in form.THRESHOLDS},
                )
                services.weights_save(weights=form.weights, versions=form.versions, by=request.user)
        except StaleVersion as stale:
            status = 409
            if isinstance(stale.current, Programme):
                # Show theirs; what this user typed stays in the form, and saving again replaces theirs.
                conflict = stale.current
                conflicts.keep_what_was_typed(form, stale.current, seen="programme_version")
            else:
                form.add_error(
                    None, _("Someone changed a criterion meanwhile: reload the page before saving.")
                )
        except ValidationError as error:
            conflicts.attach_errors(form, error)
        else:
            messages.success(request, _("Weights and thresholds saved; they count from the next recompute."))
            return redirect("programme:criteria")
    template = "programme/criteria.html" + ("#what-if" if request.htmx else "")
    return render(request, template, {"page": page, "form": form, "conflict": conflict}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, criterion_id: int | None = None):
    permissions.require(
        request.user, permissions.can_manage_criteria, _("Only the KAM champion sets the criteria.")
    )
    criterion = get_object_or_404(Criterion, pk=criterion_id) if criterion_id else Criterion()
    form = CriterionForm(request.POST if request.method == "POST" else None, instance=criterion)
    status, conflict = 200, None
    if request.method == "POST":
        submission = conflicts.submit(
            form,
            lambda f: services.criterion_save(
                criterion=f.instance, by=request.user, expected_version=f.expected_version
            ),
        )
        if submission.saved:
            messages.success(request, _("Criterion saved; it counts from the next recompute."))
            return redirect("programme:criteria")
        status, conflict = submission.status, submission.current
    return render(
        request,
        "programme/criterion_form.html",
        {"form": form, "criterion": criterion, "conflict": conflict},
        status=status,
    )


@login_required
@require_POST
def criterion_active(request, criterion_id: int):
    permissions.require(
        request.user, permissions.can_manage_criteria, _("Only the KAM champion sets the criteria.")
    )
    criterion = get_object_or_404(Criterion, pk=criterion_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        services.criterion_set_active(
            criterion=criterion,
            active=request.POST.get("active") == "1",
            by=request.user,
            expected_version=version,
        )
    except StaleVersion:
        messages.error(
            request, _("Someone changed “%(name)s” meanwhile; look again.") % {"name": criterion.name}
        )
    return redirect("programme:criteria")


@login_required
@require_http_methods(["GET", "POST"])
def lifecycle_change(request, account_id: int):
    account = visible_account(request.user, account_id)
    if not permissions.can_manage_programme(request.user):
        raise PermissionDenied(_("Only the KAM champion moves accounts in or out of the programme."))
    form = LifecycleForm(request.POST or None)
    return form_page(
        request,
        form,
        account=account,
        title=_("Change lifecycle of %(name)s") % {"name": account.name},
        save=lambda f: services.lifecycle_change(account=account, by=request.user, **f.cleaned_data),
        success_message=_("Lifecycle changed."),
    )
