"""Account screens for people. Thin: ask the permission module, call a selector or a service, render."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions, selectors, services
from accounts.forms import AccountForm, AccountKamForm, FinancialPeriodForm, TeamMemberForm
from accounts.models import Stakeholder
from accounts.stakeholders import services as stakeholder_services
from accounts.stakeholders.forms import (
    InteractionForm,
    StakeholderForm,
)
from kam.core import conflicts
from kam.core.clients import client_address
from kam.core.ratelimit import within_limit

RESET_WINDOW_SECONDS = 60 * 60


def form_page(request, form, *, account, title, save, success_message, describe=None):
    """Validate, save through a service, and re-show field messages on failure (nothing half-saved).

    A save over someone else's answers 409 with what was typed kept and their values beside it.
    """
    conflict, current = None, None
    status = 200
    if request.method == "POST":
        submission = conflicts.submit(form, save, describe=describe)
        if submission.saved:
            messages.success(request, success_message)
            return redirect(account.get_absolute_url() if account else "accounts:list")
        status = 409 if submission.status == 409 else 400
        conflict, current = submission.their_values, submission.current
    context = {"form": form, "account": account, "title": title, "conflict": conflict, "current": current}
    return render(
        request,
        "accounts/form.html",
        context,
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request):
    if not permissions.can_manage_programme(request.user):
        raise PermissionDenied(_("Only the KAM champion adds accounts."))
    form = AccountForm(request.POST or None)
    return form_page(
        request,
        form,
        account=None,
        title=_("New account"),
        save=lambda f: services.account_save(account=f.instance, by=request.user),
        success_message=_("Account added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request, account_id: int):
    account = selectors.visible_account(request.user, account_id, change=True)
    form_class = AccountForm if permissions.can_manage_programme(request.user) else AccountKamForm
    form = form_class(request.POST or None, instance=account)
    return form_page(
        request,
        form,
        account=account,
        title=_("Edit %(name)s") % {"name": account.name},
        save=lambda f: services.account_save(
            account=f.instance,
            expected_version=f.expected_version,
            fields=list(f._meta.fields),
            by=request.user,
        ),
        success_message=_("Account saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request, account_id: int, stakeholder_id: int | None = None):
    account = selectors.visible_account(request.user, account_id, change=True)
    stakeholder = (
        get_object_or_404(Stakeholder, pk=stakeholder_id, account=account) if stakeholder_id else None
    )
    form = StakeholderForm(request.POST or None, instance=stakeholder, account=account)
    return form_page(
        request,
        form,
        account=account,
        title=_("Edit %(name)s") % {"name": stakeholder.name} if stakeholder else _("New stakeholder"),
        # The same service and version check as the map's inline editor.
        save=lambda f: stakeholder_services.stakeholder_record(
            stakeholder=f.instance, expected_version=f.expected_version, by=request.user
        ),
        success_message=_("Stakeholder saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def interaction_create(request, account_id: int):
    account = selectors.visible_account(request.user, account_id)
    if not permissions.can_log_interaction(request.user, account):
        raise PermissionDenied
    form = InteractionForm(request.POST or None, account=account)
    return form_page(
        request,
        form,
        account=account,
        title=_("Log an interaction"),
        save=lambda f: stakeholder_services.interaction_log(
            account=account, by=request.user, **f.cleaned_data
        ),
        success_message=_("Interaction logged."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def financial_period_create(request, account_id: int):
    account = selectors.visible_account(request.user, account_id, change=True)
    form = FinancialPeriodForm(request.POST or None, account=account)
    return form_page(
        request,
        form,
        account=account,
        title=_("Add a month's figures"),
        save=lambda f: services.financial_period_save(financial_period=f.instance),
        success_message=_("Financial figures saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_member_add(request, account_id: int):
    account = selectors.visible_account(request.user, account_id, change=True)
    form = TeamMemberForm(request.POST or None, account=account)
    return form_page(
        request,
        form,
        account=account,
        title=_("Add to the account team"),
        save=lambda f: services.team_member_add(account=account, **f.cleaned_data),
        success_message=_("Team member added."),
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with links to KAM_BASE_URL and a budget of e-mails.

    Past the budget for one address nothing is sent, and the answer is the same as for any address
    (whether an address is known is never told); past the budget for one client the answer is 429."""

    template_name = "registration/password_reset_form.html"

    def post(self, request, *args, **kwargs):
        client = client_address(request) or ""
        if not within_limit(
            "password-reset-client",
            client,
            limit=settings.KAM_PASSWORD_RESET_PER_CLIENT,
            period_seconds=RESET_WINDOW_SECONDS,
        ):
            form = self.get_form()
            form.add_error(None, _("Too many password reset requests from here: try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        if not within_limit(
            "password-reset-address",
            address,
            limit=settings.KAM_PASSWORD_RESET_PER_ADDRESS,
            period_seconds=RESET_WINDOW_SECONDS,
        ):
            return HttpResponseRedirect(self.get_success_url())
        # Django builds the link from the request's Host header unless told: the base URL names the host.
        base = urlsplit(settings.KAM_BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={"site_name": "kam"},
        )
        return HttpResponseRedirect(self.get_success_url())


@login_required
@require_POST
def language_set(request):
    """The header's language switch: one click, kept on the user for every later session."""
    language = request.POST.get("language", "")
    if not translation.check_for_language(language) or language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."))
    services.user_language_set(user=request.user, language=language)
    translation.activate(language)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("home")
    return redirect(back)
