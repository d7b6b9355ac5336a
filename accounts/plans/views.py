"""Account plan, whitespace map, offerings catalogue and My actions screens. Thin, like views.py.

Each view asks accounts.permissions itself (fragments included: a fragment URL can be requested directly).
Forms validate on the server: field errors answer 422, a save over someone else's answers 409 with
their values beside what the user typed (kept in the form). The pages let htmx swap both.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.models import (
    Account,
    AccountPlan,
    BuyingCentre,
    Offering,
    PlanAction,
    PlanObjective,
    PlanRisk,
    ResourceRequest,
)
from accounts.plans import forms as plan_forms
from accounts.plans import selectors, services
from kam.core import conflicts
from kam.core.pdf import pdf_response

# Sections of the plan page that can be fetched alone (plan_detail.html#<name>).
PLAN_SECTIONS = ("workflow", "sections", "objectives", "actions", "resource-requests", "risks")


def _account(user, account_id: int) -> Account:
    """The account if `user` may see it; 404 otherwise, so that its existence does not leak."""
    return get_object_or_404(permissions.visible_accounts(user, Account.objects.current()), pk=account_id)


def _plan(user, account_id: int, plan_id: int, *, edit: bool = False) -> AccountPlan:
    account = _account(user, account_id)
    plan = get_object_or_404(AccountPlan, pk=plan_id, account=account)
    plan.account = account
    if edit and not permissions.can_edit_plan(user, account):
        raise PermissionDenied(
            _("Only the account's key account manager or the champion can change its plan.")
        )
    return plan


def _posted(request):
    # Not `request.POST or None`: an empty POST (a step without a comment) is still a submission.
    return request.POST if request.method == "POST" else None


def _section(request, plan: AccountPlan, section: str):
    page = selectors.plan_page(user=request.user, account_id=plan.account_id, plan_id=plan.pk)
    return render(request, f"accounts/plan_detail.html#{section}", {"page": page})


def _form(request, *, plan, form, section, title, save, success):
    """GET shows the form; POST saves through a service and answers with the refreshed section."""
    status, conflict = 200, None
    if request.method == "POST":
        submission = conflicts.submit(form, save)
        if submission.saved:
            if request.htmx:
                return _section(request, plan, section)
            messages.success(request, success)
            return redirect(f"{plan.get_absolute_url()}#{section}")
        status, conflict = submission.status, submission.their_values
    template = "accounts/plan_form.html" + ("#form" if request.htmx else "")
    context = {
        "form": form,
        "title": title,
        "section": section,
        "account": plan.account,
        "plan": plan,
        "conflict": conflict,
        "cancel_url": plan.get_absolute_url(),
    }
    return render(request, template, context, status=status)


# --- plans -----------------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request, account_id: int):
    page = selectors.plan_list(user=request.user, account_id=account_id)
    return render(request, "accounts/plan_list.html", {"page": page, "account": page.account})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, account_id: int):
    account = _account(request.user, account_id)
    if not permissions.can_edit_plan(request.user, account):
        raise PermissionDenied(_("Only the account's key account manager or the champion starts a plan."))
    form = plan_forms.PlanCreateForm(_posted(request), has_previous=account.plans.exists())
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(account=account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            conflicts.attach_errors(form, error)
        else:
            messages.success(request, _("Plan started as a draft."))
            return redirect(plan.get_absolute_url())
    return render(
        request,
        "accounts/plan_form.html",
        {
            "form": form,
            "title": _("New account plan"),
            "account": account,
            "cancel_url": reverse("accounts:plan_list", args=[account.pk]),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def plan_detail(request, account_id: int, plan_id: int):
    page = selectors.plan_page(user=request.user, account_id=account_id, plan_id=plan_id)
    template = "accounts/plan_detail.html"
    partial = request.GET.get("partial")
    if partial:
        if partial not in PLAN_SECTIONS:
            raise Http404
        template += f"#{partial}"
    return render(request, template, {"page": page, "account": page.account})


@login_required
@require_GET
def joint_plan(request, account_id: int, plan_id: int):
    """The plan as shared with the customer, read-only, to open beside them."""
    joint = selectors.joint_plan(user=request.user, account_id=account_id, plan_id=plan_id)
    context = {"joint": joint, "base_template": "base.html"}
    return render(request, "accounts/plan_joint.html", context)


@login_required
@require_GET
def joint_plan_pdf(request, account_id: int, plan_id: int):
    joint = selectors.joint_plan(user=request.user, account_id=account_id, plan_id=plan_id)
    context = {"joint": joint, "base_template": "pdf_base.html", "pdf": True}
    filename = _("%(account)s joint account plan %(start)s") % {
        "account": joint.account_name,
        "start": joint.period_start.isoformat(),
    }
    return pdf_response("accounts/plan_joint.html", context, request=request, filename=filename)


@login_required
@require_http_methods(["GET", "POST"])
def plan_sections_edit(request, account_id: int, plan_id: int):
    plan = _plan(request.user, account_id, plan_id, edit=True)
    form = plan_forms.PlanSectionsForm(_posted(request), instance=plan)
    return _form(
        request,
        plan=plan,
        form=form,
        section="sections",
        title=_("Needs, value proposition and sponsor commitments"),
        save=lambda f: services.plan_sections_save(
            plan=f.instance, expected_version=f.expected_version, by=request.user
        ),
        success=_("Plan saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_step(request, account_id: int, plan_id: int, name: str):
    """One workflow step (submit, approve, send back, ...); the service decides who may and when."""
    plan = _plan(request.user, account_id, plan_id)
    transition = services.PLAN_TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    if not transition.allowed(request.user, plan.account):
        raise PermissionDenied(_("You may not take this step on this plan."))
    form = plan_forms.TransitionForm(_posted(request), record=plan)
    status, conflict = 200, None
    if request.method == "POST":
        submission = conflicts.submit(
            form,
            lambda f: services.plan_transition(
                plan=plan, name=name, by=request.user, expected_version=f.expected_version,
                comment=f.cleaned_data["comment"],
            ),
            describe=_plan_as_it_stands,
        )  # fmt: skip
        if submission.saved:
            messages.success(request, _("Plan: %(step)s done.") % {"step": transition.label})
            return redirect(plan.get_absolute_url())
        status, conflict = submission.status, submission.their_values
        if status == 409:
            form.add_error(None, form.stale_message)
    return render(
        request,
        "accounts/plan_form.html",
        {
            "form": form,
            "title": transition.label,
            "account": plan.account,
            "plan": plan,
            "conflict": conflict,
            "cancel_url": plan.get_absolute_url(),
        },
        status=status,
    )


def _plan_as_it_stands(form, current: AccountPlan) -> list[tuple[str, str]]:
    """Where the plan is now, for someone who was about to act on an older one."""
    last = current.status_changes.select_related("changed_by").order_by("-changed_at", "-pk").first()
    values = [(_("status"), current.get_status_display())]
    if last is not None:
        values.append((_("last step"), f"{last.get_to_status_display()} — {last.changed_by or ''}"))
        if last.comment:
            values.append((_("comment"), last.comment))
    return values


# --- plan parts ------------------------------------------------------------------------------------


def _part(request, account_id, plan_id, part_id, *, model, form_class, section, titles, save, success):
    plan = _plan(request.user, account_id, plan_id, edit=True)
    instance = get_object_or_404(model, pk=part_id, plan=plan) if part_id else None
    form = form_class(_posted(request), instance=instance, plan=plan)
    return _form(
        request,
        plan=plan,
        form=form,
        section=section,
        title=titles[1] if instance else titles[0],
        save=lambda f: save(f, expected_version=f.expected_version, by=request.user),
        success=success,
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request, account_id: int, plan_id: int, objective_id: int | None = None):
    return _part(
        request, account_id, plan_id, objective_id,
        model=PlanObjective, form_class=plan_forms.ObjectiveForm, section="objectives",
        titles=(_("New objective"), _("Edit objective")),
        save=lambda f, **kw: services.objective_save(
            objective=f.instance, opportunities=f.cleaned_data["opportunities"], **kw
        ),
        success=_("Objective saved."),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def resource_request_edit(request, account_id: int, plan_id: int, request_id: int | None = None):
    return _part(
        request, account_id, plan_id, request_id,
        model=ResourceRequest, form_class=plan_forms.ResourceRequestForm, section="resource-requests",
        titles=(_("New resource request"), _("Resource request")),
        save=lambda f, **kw: services.resource_request_save(resource_request=f.instance, **kw),
        success=_("Resource request saved."),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, account_id: int, plan_id: int, risk_id: int | None = None):
    return _part(
        request, account_id, plan_id, risk_id,
        model=PlanRisk, form_class=plan_forms.RiskForm, section="risks",
        titles=(_("New risk"), _("Edit risk")),
        save=lambda f, **kw: services.risk_save(risk=f.instance, **kw),
        success=_("Risk saved."),
    )  # fmt: skip


@login_required
@require_POST
def plan_part_delete(request, account_id: int, plan_id: int, kind: str, part_id: int):
    plan = _plan(request.user, account_id, plan_id, edit=True)
    model, delete, section = {
        "objective": (PlanObjective, lambda o: services.objective_delete(objective=o), "objectives"),
        "risk": (PlanRisk, lambda r: services.risk_delete(risk=r), "risks"),
    }.get(kind) or (None, None, None)
    if model is None:
        raise Http404
    try:
        delete(get_object_or_404(model, pk=part_id, plan=plan))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        return _section(request, plan, section)
    return redirect(f"{plan.get_absolute_url()}#{section}")


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, account_id: int, plan_id: int, action_id: int | None = None):
    """The KAM edits any action; the action's owner only reports its status with a note."""
    plan = _plan(request.user, account_id, plan_id)
    action = get_object_or_404(PlanAction, pk=action_id, plan=plan) if action_id else None
    if permissions.can_edit_plan(request.user, plan.account):
        return _part(
            request, account_id, plan_id, action_id,
            model=PlanAction, form_class=plan_forms.ActionForm, section="actions",
            titles=(_("New action"), _("Edit action")),
            save=lambda f, **kw: services.action_save(action=f.instance, **kw),
            success=_("Action saved."),
        )  # fmt: skip
    if action is None or not permissions.can_update_action(request.user, action, plan.account):
        raise PermissionDenied(_("Only the action's owner or the plan's KAM can change it."))
    form = plan_forms.ActionReportForm(
        _posted(request), record=action, initial={"status": action.status, "note": action.note}
    )
    return _form(
        request,
        plan=plan,
        form=form,
        section="actions",
        title=action.description,
        save=lambda f: services.action_report(
            action=action, expected_version=f.cleaned_data["version"], by=request.user,
            status=f.cleaned_data["status"], note=f.cleaned_data["note"],
        ),
        success=_("Action updated."),
    )  # fmt: skip


# --- My actions ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_actions(request):
    actions = selectors.my_actions(user=request.user)
    return render(request, "accounts/plan_my_actions.html", {"actions": actions})


@login_required
@require_POST
def my_action_done(request, action_id: int):
    """The owner marks an action done with a note, from My actions; answers with the action's row."""
    action = selectors.action_for_update(user=request.user, action_id=action_id)
    if not permissions.can_update_action(request.user, action, action.plan.account):
        raise PermissionDenied(_("Only the action's owner or the plan's KAM can change it."))
    form = plan_forms.ActionReportForm(request.POST, record=action)
    submission = conflicts.submit(
        form,
        lambda f: services.action_report(
            action=action, by=request.user, status=f.cleaned_data["status"], note=f.cleaned_data["note"],
            expected_version=f.expected_version,
        ),
    )  # fmt: skip
    status, conflict = submission.status, submission.their_values
    if submission.status == 409:
        action = selectors.action_for_update(user=request.user, action_id=action_id)
    if submission.saved:
        if not request.htmx:
            messages.success(request, _("Action marked done."))
            return redirect("accounts:my_actions")
        form = None
    if not request.htmx:
        # Without htmx the whole page comes back: say what went wrong above it, naming the field.
        for field, errors in (form.errors if form else {}).items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        if conflict:
            messages.error(request, _("Someone else saved this action after you opened the page."))
        return redirect("accounts:my_actions")
    context = {"action": action, "form": form, "conflict": conflict}
    return render(request, "accounts/plan_my_actions.html#action-row", context, status=status)


# --- whitespace map and offerings catalogue --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_map(request, account_id: int):
    page = selectors.opportunity_map(user=request.user, account_id=account_id)
    form = plan_forms.BuyingCentreForm(_posted(request))
    status = 200
    if request.method == "POST":
        if not page.can_edit:
            raise PermissionDenied(
                _("Only the account's key account manager or the champion changes the map.")
            )
        status = 422
        if form.is_valid():
            try:
                services.buying_centre_add(account=page.account, name=form.cleaned_data["name"])
            except ValidationError as error:
                conflicts.attach_errors(form, error)
            else:
                messages.success(request, _("Buying centre added."))
                return redirect("accounts:opportunity_map", page.account.pk)
    return render(
        request,
        "accounts/plan_opportunities.html",
        {"page": page, "account": page.account, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request, account_id: int, centre_id: int, offering_id: int):
    account = _account(request.user, account_id)
    if not permissions.can_edit_plan(request.user, account):
        raise PermissionDenied(_("Only the account's key account manager or the champion changes the map."))
    centre = get_object_or_404(BuyingCentre, pk=centre_id, account=account)
    offering = get_object_or_404(Offering, pk=offering_id, archived_at__isnull=True)
    cell = centre.cells.filter(offering=offering).first()
    form = plan_forms.OpportunityForm(
        _posted(request), instance=cell, initial={"version": cell.version if cell else None}
    )
    status, conflict = 200, None
    if request.method == "POST":
        submission = conflicts.submit(
            form,
            lambda f: services.opportunity_save(
                buying_centre=centre, offering=offering, by=request.user,
                expected_version=f.expected_version,
                **{k: f.cleaned_data[k] for k in ("status", "estimated_value", "note")},
            ),
        )  # fmt: skip
        if submission.saved:
            if not request.htmx:
                return redirect("accounts:opportunity_map", account.pk)
            context = {"account": account, "centre": centre, "offering": offering, "cell": submission.result}
            return render(request, "accounts/plan_opportunities.html#cell", context | {"can_edit": True})
        status, conflict = submission.status, submission.their_values
    context = {
        "account": account, "centre": centre, "offering": offering, "form": form, "conflict": conflict,
        "title": f"{centre} / {offering}",
        "cancel_url": reverse("accounts:opportunity_map", args=[account.pk]),
    }  # fmt: skip
    if request.htmx:
        return render(request, "accounts/plan_opportunities.html#cell-form", context, status=status)
    return render(request, "accounts/plan_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def offerings(request, offering_id: int | None = None):
    """The programme's offerings catalogue: the champion keeps it."""
    if not permissions.can_keep_offerings(request.user):
        raise PermissionDenied(_("The KAM champion keeps the offerings catalogue."))
    offering = get_object_or_404(Offering, pk=offering_id) if offering_id else None
    form = plan_forms.OfferingForm(_posted(request), instance=offering)
    status, conflict = 200, None
    if request.method == "POST":
        submission = conflicts.submit(
            form,
            lambda f: services.offering_save(
                offering=f.instance, expected_version=f.expected_version, by=request.user
            ),
        )
        if submission.saved:
            messages.success(request, _("Offering saved."))
            return redirect("accounts:offerings")
        status, conflict = submission.status, submission.their_values
    return render(
        request,
        "accounts/plan_offerings.html",
        {
            "offerings": Offering.objects.all(),
            "form": form,
            "offering": offering,
            "conflict": conflict,
        },
        status=status,
    )
