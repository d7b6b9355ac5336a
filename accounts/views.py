"""Account screens for people. Thin: ask the permission module, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam import permissions
from programme import selectors as programme_selectors

from . import selectors, services
from .concurrency import StaleVersion
from .filters import AccountFilter
from .forms import (
    AccountForm,
    AccountKamForm,
    FinancialPeriodForm,
    InteractionEditForm,
    InteractionForm,
    LifecycleForm,
    MapStakeholderForm,
    MoveStakeholderForm,
    QuickInteractionForm,
    StakeholderForm,
    StakeholderLeftForm,
    StakeholderRemoveForm,
    TeamMemberForm,
)
from .models import DECIDING_ROLES, Account, Attitude, Interaction, Stakeholder

PAGE_SIZE = 50


def _visible_account(user, account_id: int, *, change: bool = False) -> Account:
    """The account if `user` may see it (else 404: do not reveal it exists); 403 if they may not change it."""
    account = get_object_or_404(permissions.visible_accounts(user, Account.objects.current()), pk=account_id)
    if change and not permissions.can_change_account(user, account):
        raise PermissionDenied(_("Only the account's key account manager or the champion can change it."))
    return account


@login_required
@require_GET
def account_list(request):
    user = request.user
    account_filter = AccountFilter(
        request.GET,
        queryset=selectors.account_list(user=user),
        kams=selectors.people_in_charge(user=user, role="kam"),
        sponsors=selectors.people_in_charge(user=user, role="executive_sponsor"),
        industries=selectors.industries(user=user),
    )
    accounts = account_filter.qs if account_filter.is_valid() else Account.objects.none()
    if not account_filter.form.cleaned_data.get("sort"):
        accounts = accounts.order_by("name", "pk")
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "accounts/account_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(
        request,
        template,
        {
            "filter": account_filter,
            "page": page,
            "query": query.urlencode(),
            "can_create": permissions.can_manage_programme(user),
        },
    )


def _form_page(request, form, *, account, title, save, success_message):
    """Validate, save through a service, and re-show field messages on failure (nothing half-saved)."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success_message)
            return redirect(account.get_absolute_url() if account else "accounts:list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/form.html",
        {"form": form, "account": account, "title": title},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request):
    if not permissions.can_manage_programme(request.user):
        raise PermissionDenied(_("Only the KAM champion adds accounts."))
    form = AccountForm(request.POST or None)
    return _form_page(
        request,
        form,
        account=None,
        title=_("New account"),
        save=lambda f: services.account_save(account=f.instance),
        success_message=_("Account added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request, account_id: int):
    account = _visible_account(request.user, account_id, change=True)
    form_class = AccountForm if permissions.can_manage_programme(request.user) else AccountKamForm
    form = form_class(request.POST or None, instance=account)
    return _form_page(
        request,
        form,
        account=account,
        title=_("Edit %(name)s") % {"name": account.name},
        save=lambda f: services.account_save(account=f.instance),
        success_message=_("Account saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def lifecycle_change(request, account_id: int):
    account = _visible_account(request.user, account_id)
    if not permissions.can_manage_programme(request.user):
        raise PermissionDenied(_("Only the KAM champion moves accounts in or out of the programme."))
    form = LifecycleForm(request.POST or None)
    return _form_page(
        request,
        form,
        account=account,
        title=_("Change lifecycle of %(name)s") % {"name": account.name},
        save=lambda f: services.lifecycle_change(account=account, by=request.user, **f.cleaned_data),
        success_message=_("Lifecycle changed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request, account_id: int, stakeholder_id: int | None = None):
    account = _visible_account(request.user, account_id, change=True)
    stakeholder = (
        get_object_or_404(Stakeholder, pk=stakeholder_id, account=account) if stakeholder_id else None
    )
    form = StakeholderForm(request.POST or None, instance=stakeholder, account=account)
    return _form_page(
        request,
        form,
        account=account,
        title=_("Edit %(name)s") % {"name": stakeholder.name} if stakeholder else _("New stakeholder"),
        save=lambda f: _stakeholder_full_page_save(f, by=request.user),
        success_message=_("Stakeholder saved."),
    )


def _stakeholder_full_page_save(form, *, by) -> None:
    """The page without htmx saves through the same version check as the map's inline editor."""
    loaded = form.instance.version if form.instance.pk else None
    try:
        services.stakeholder_record(
            stakeholder=form.instance, expected_version=form.cleaned_data.get("version") or loaded, by=by
        )
    except StaleVersion as stale:
        form.data = form.data.copy()
        form.data["version"] = stale.current.version
        raise ValidationError(
            _(
                "Someone else changed %(name)s after you opened this page; what you typed is kept. "
                "Save again to replace their change."
            )
            % {"name": stale.current.name}
        ) from stale


@login_required
@require_http_methods(["GET", "POST"])
def interaction_create(request, account_id: int):
    account = _visible_account(request.user, account_id)
    if not permissions.can_log_interaction(request.user, account):
        raise PermissionDenied
    form = InteractionForm(request.POST or None, account=account)
    return _form_page(
        request,
        form,
        account=account,
        title=_("Log an interaction"),
        save=lambda f: services.interaction_log(account=account, by=request.user, **f.cleaned_data),
        success_message=_("Interaction logged."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def financial_period_create(request, account_id: int):
    account = _visible_account(request.user, account_id, change=True)
    form = FinancialPeriodForm(request.POST or None, account=account)
    return _form_page(
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
    account = _visible_account(request.user, account_id, change=True)
    form = TeamMemberForm(request.POST or None, account=account)
    return _form_page(
        request,
        form,
        account=account,
        title=_("Add to the account team"),
        save=lambda f: services.team_member_add(account=account, **f.cleaned_data),
        success_message=_("Team member added."),
    )


# --- The account page as a workspace, and My accounts (issue 5) ------------------------------------
# The page is one template with its sections as partials (account_detail.html#<section>). Every inline
# edit answers with the section it changed plus, out of band, the sections that read the same facts
# (a logged meeting refreshes the map's last-contact marks and the relationship health at once).
# Field errors answer 422, a save over someone else's 409: the editor keeps what was typed and shows
# what the other person saved.

WORKSPACE_SECTIONS = ("overview", "health", "stakeholders", "interactions", "history")
AFTER_STAKEHOLDER_CHANGE = ("stakeholders", "overview", "health", "interactions", "history")
AFTER_INTERACTION_CHANGE = ("interactions", "stakeholders", "overview", "health", "history")


def _map_view(request) -> str:
    chosen = request.GET.get("map") or request.POST.get("map")
    return chosen if chosen in selectors.MAP_VIEWS else "chart"


def _workspace_context(request, account_id: int, **extra) -> dict:
    page = selectors.account_page(user=request.user, account_id=account_id)
    workspace = selectors.account_workspace(user=request.user, page=page)
    account = page.account
    context = {
        "page": page,
        "account": account,
        "ws": workspace,
        "map_view": _map_view(request),
        "map_views": [("chart", _("Org chart")), ("grid", _("Influence and attitude")), ("list", _("List"))],
        "attitudes": Attitude.choices,
        "deciding_roles": [str(role) for role in DECIDING_ROLES],
        "interaction_form": None,
        "interaction_editor": None,
    }
    if page.can_log_interaction:
        context["interaction_form"] = QuickInteractionForm(account=account, user=request.user)
    editor = extra.get("interaction_editor")
    if editor:
        # In place of its line when the list shows it; above the list otherwise (older, or removed).
        editor["in_list"] = any(i.pk == editor["interaction"].pk for i in page.interactions)
    return context | extra


def _workspace_response(request, account_id: int, sections, *, status: int = 200, **extra):
    """The first section swapped into its place, the others out of band; the whole page without htmx."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    context = _workspace_context(request, account_id, **extra)
    if not request.htmx:
        return _full_page(request, context, status=status)
    html = [
        render_to_string(f"accounts/account_detail.html#{name}", context | {"oob": i > 0}, request=request)
        for i, name in enumerate(sections)
    ]
    return HttpResponse("".join(html), status=status)


@login_required
@require_GET
def account_detail(request, account_id: int):
    section = request.GET.get("section")
    if request.htmx and section:
        if section not in WORKSPACE_SECTIONS:
            raise Http404
        return _workspace_response(request, account_id, [section])
    return _full_page(request, _workspace_context(request, account_id))


def _full_page(request, context: dict, *, status: int = 200):
    # The score card is outside every swapped section: only the whole page pays its queries.
    score_card = programme_selectors.score_card(user=request.user, account=context["account"])
    context |= {"score_card": score_card}
    return render(request, "accounts/account_detail.html", context, status=status)


@login_required
@require_GET
def my_accounts(request):
    page = selectors.my_accounts(user=request.user)
    return render(request, "accounts/my_accounts.html", {"page": page})


def _editor(*, form, title: str, action: str, person=None, conflict=None, kind: str = "edit") -> dict:
    return {
        "form": form,
        "title": title,
        "action": action,
        "person": person,
        "conflict": conflict,
        "kind": kind,
    }


def _their_stakeholder(stale: StaleVersion) -> list[tuple[str, str]]:
    """What the other editor saved, field by field, for the conflict notice."""
    current = stale.current
    values = []
    for name in services.STAKEHOLDER_FIELDS:
        field = Stakeholder._meta.get_field(name)
        display = getattr(current, f"get_{name}_display", None)
        value = display() if display else getattr(current, name)
        values.append((str(field.verbose_name), "" if value is None else str(value)))
    if current.archived_at:
        values.append((_("on the map"), _("removed")))
    return values


def _save_stakeholder_form(request, account, form, *, save, title, action, person, kind):
    """Validate, save through a service, answer with the refreshed workspace or the editor with messages."""
    status, conflict = 422, None
    if form.is_valid():
        try:
            save(form)
        except StaleVersion as stale:
            status, conflict = 409, _their_stakeholder(stale)
            form.data = form.data.copy()
            form.data["version"] = stale.current.version
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Stakeholder map updated."))
                return redirect(f"{account.get_absolute_url()}#stakeholders")
            return _workspace_response(request, account.pk, AFTER_STAKEHOLDER_CHANGE)
    editor = _editor(form=form, title=title, action=action, person=person, conflict=conflict, kind=kind)
    return _workspace_response(request, account.pk, ["stakeholders"], status=status, editor=editor)


def _attach_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _person(account, stakeholder_id: int) -> Stakeholder:
    return get_object_or_404(Stakeholder, pk=stakeholder_id, account=account, archived_at__isnull=True)


@login_required
@require_http_methods(["GET", "POST"])
def map_stakeholder_add(request, account_id: int):
    account = _visible_account(request.user, account_id, change=True)
    # "Add someone under them" and "add their successor" open the form pre-filled.
    initial = {
        name: request.GET[key]
        for key, name in (("under", "reports_to"), ("role", "buying_role"))
        if request.GET.get(key)
    }
    form = MapStakeholderForm(request.POST or None, account=account, initial=initial)
    action = reverse("accounts:map_stakeholder_add", args=[account.pk])
    title = _("Add a stakeholder")
    if request.method == "GET":
        editor = _editor(form=form, title=title, action=action, kind="add")
        return _workspace_response(request, account.pk, ["stakeholders"], editor=editor)
    return _save_stakeholder_form(
        request, account, form, title=title, action=action, person=None, kind="add",
        save=lambda f: services.stakeholder_record(stakeholder=f.instance, by=request.user),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def map_stakeholder_change(request, account_id: int, stakeholder_id: int):
    account = _visible_account(request.user, account_id, change=True)
    person = _person(account, stakeholder_id)
    form = MapStakeholderForm(request.POST or None, instance=person, account=account)
    action = reverse("accounts:map_stakeholder_change", args=[account.pk, person.pk])
    title = _("Edit %(name)s") % {"name": person.name}
    if request.method == "GET":
        editor = _editor(form=form, title=title, action=action, person=person)
        return _workspace_response(request, account.pk, ["stakeholders"], editor=editor)
    return _save_stakeholder_form(
        request, account, form, title=title, action=action, person=person, kind="edit",
        save=lambda f: services.stakeholder_record(
            stakeholder=f.instance, expected_version=f.expected_version or 0, by=request.user
        ),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def map_stakeholder_move(request, account_id: int, stakeholder_id: int):
    account = _visible_account(request.user, account_id, change=True)
    person = _person(account, stakeholder_id)
    form = MoveStakeholderForm(request.POST or None, account=account, person=person)
    action = reverse("accounts:map_stakeholder_move", args=[account.pk, person.pk])
    title = _("Move %(name)s") % {"name": person.name}
    if request.method == "GET":
        editor = _editor(form=form, title=title, action=action, person=person, kind="move")
        return _workspace_response(request, account.pk, ["stakeholders"], editor=editor)
    return _save_stakeholder_form(
        request, account, form, title=title, action=action, person=person, kind="move",
        save=lambda f: services.stakeholder_move(
            stakeholder=person, reports_to=f.cleaned_data["reports_to"],
            expected_version=f.cleaned_data["version"], by=request.user,
        ),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def map_stakeholder_left(request, account_id: int, stakeholder_id: int):
    account = _visible_account(request.user, account_id, change=True)
    person = _person(account, stakeholder_id)
    form = StakeholderLeftForm(request.POST or None, person=person)
    action = reverse("accounts:map_stakeholder_left", args=[account.pk, person.pk])
    title = _("%(name)s left the customer") % {"name": person.name}
    if request.method == "GET":
        editor = _editor(form=form, title=title, action=action, person=person, kind="left")
        return _workspace_response(request, account.pk, ["stakeholders"], editor=editor)
    return _save_stakeholder_form(
        request, account, form, title=title, action=action, person=person, kind="left",
        save=lambda f: services.stakeholder_mark_left(
            stakeholder=person, left_on=f.cleaned_data["left_on"],
            expected_version=f.cleaned_data["version"], by=request.user,
        ),
    )  # fmt: skip


@login_required
@require_POST
def map_stakeholder_remove(request, account_id: int, stakeholder_id: int):
    account = _visible_account(request.user, account_id, change=True)
    person = _person(account, stakeholder_id)
    form = StakeholderRemoveForm(request.POST)
    action = reverse("accounts:map_stakeholder_remove", args=[account.pk, person.pk])
    return _save_stakeholder_form(
        request, account, form, title=_("Remove %(name)s") % {"name": person.name}, action=action,
        person=person, kind="remove",
        save=lambda f: services.stakeholder_remove(
            stakeholder=person, expected_version=f.cleaned_data["version"], by=request.user
        ),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def interaction_quick_add(request, account_id: int):
    account = _visible_account(request.user, account_id)
    if not permissions.can_log_interaction(request.user, account):
        raise PermissionDenied(_("Only people working this account log contacts with it."))
    form = QuickInteractionForm(request.POST or None, account=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_log(account=account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Interaction logged."))
                return redirect(f"{account.get_absolute_url()}#interactions")
            return _workspace_response(request, account.pk, AFTER_INTERACTION_CHANGE)
    status = 422 if request.method == "POST" else 200
    return _workspace_response(request, account.pk, ["interactions"], status=status, interaction_form=form)


def _their_interaction(current: Interaction) -> list[tuple[str, str]]:
    """What the other person saved, for the conflict notice (a removal says so)."""
    if current.archived_at:
        return [(_("in the log"), _("removed"))]
    return [
        (_("type"), current.get_kind_display()),
        (_("date"), date_format(current.occurred_on)),
        (_("their people"), ", ".join(s.name for s in current.stakeholders.all())),
        (_("our people"), ", ".join(str(u) for u in current.participants.all())),
        (_("notes"), current.notes),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def interaction_change(request, account_id: int, interaction_id: int):
    """Correct a logged contact inline: the interactions section comes back with the editor in place."""
    account = _visible_account(request.user, account_id)
    interaction = get_object_or_404(
        Interaction.objects.filter(account=account).prefetch_related("stakeholders", "participants"),
        pk=interaction_id,
    )
    # A removed contact is not opened for editing; a save that was under way when it was removed goes
    # on to the service, which tells the editor (409) instead of a bare 404 that htmx would not show.
    if interaction.archived_at and request.method == "GET":
        raise Http404
    interaction.account = account
    if not permissions.can_change_interaction(request.user, interaction, account):
        raise PermissionDenied(_("Only whoever logged this contact, the KAM or the champion can change it."))
    title = _("Correct the %(kind)s of %(day)s") % {
        "kind": interaction.get_kind_display().lower(),
        "day": date_format(interaction.occurred_on),
    }
    form = InteractionEditForm(request.POST or None, interaction=interaction, user=request.user)
    status, conflict, removed = 200, None, False
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.interaction_update(
                    interaction=interaction, by=request.user, expected_version=data["version"],
                    kind=data["kind"], occurred_on=data["occurred_on"], stakeholders=data["stakeholders"],
                    participants=data["participants"], notes=data["notes"],
                )  # fmt: skip
            except StaleVersion as stale:
                status, conflict = 409, _their_interaction(stale.current)
                removed = stale.current.archived_at is not None
                form.data = form.data.copy()
                form.data["version"] = stale.current.version
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                if not request.htmx:
                    messages.success(request, _("Interaction corrected."))
                    return redirect(f"{account.get_absolute_url()}#interactions")
                return _workspace_response(request, account.pk, AFTER_INTERACTION_CHANGE)
    editor = {
        "form": form,
        "interaction": interaction,
        "title": title,
        "conflict": conflict,
        "removed": removed,
        # Removed meanwhile: what was typed can be logged again as a new contact, from the same form.
        "action": reverse("accounts:interaction_quick_add", args=[account.pk])
        if removed
        else reverse("accounts:interaction_change", args=[account.pk, interaction.pk]),
    }
    return _workspace_response(
        request, account.pk, ["interactions"], status=status, interaction_editor=editor
    )


@login_required
@require_POST
def interaction_remove(request, account_id: int, interaction_id: int):
    account = _visible_account(request.user, account_id)
    interaction = get_object_or_404(Interaction, pk=interaction_id, account=account, archived_at__isnull=True)
    if not permissions.can_change_interaction(request.user, interaction, account):
        raise PermissionDenied(_("Only whoever logged this contact, the KAM or the champion can remove it."))
    services.interaction_remove(interaction=interaction, by=request.user)
    if not request.htmx:
        messages.success(request, _("Interaction removed."))
        return redirect(f"{account.get_absolute_url()}#interactions")
    return _workspace_response(request, account.pk, AFTER_INTERACTION_CHANGE)
