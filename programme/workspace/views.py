"""The KAM's workspace: the account list, My accounts and the account page, with the inline (htmx)
stakeholder-map and interaction editors. Thin: ask accounts.permissions, call a selector or a service,
render a section.

An htmx edit answers with the section it changed plus the sections that depend on it, out of band;
without htmx, the whole page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.models import DEPARTURE_ALERT_ROLES, Attitude, Interaction, Stakeholder
from accounts.selectors import visible_account
from accounts.stakeholders import services as stakeholder_services
from accounts.stakeholders.forms import (
    InteractionEditForm,
    MapStakeholderForm,
    MoveStakeholderForm,
    QuickInteractionForm,
    StakeholderLeftForm,
    StakeholderRemoveForm,
)
from kam.core import conflicts
from programme.scoring import selectors as scoring_selectors
from programme.workspace import selectors as workspace_selectors

WORKSPACE_SECTIONS = ("overview", "health", "stakeholders", "interactions", "history")


AFTER_STAKEHOLDER_CHANGE = ("stakeholders", "overview", "health", "interactions", "history")


AFTER_INTERACTION_CHANGE = ("interactions", "stakeholders", "overview", "health", "history")

INTERACTION_EDIT_FIELDS = ("kind", "occurred_on", "stakeholders", "participants", "notes")


def _map_view(request) -> str:
    chosen = request.GET.get("map") or request.POST.get("map")
    return chosen if chosen in workspace_selectors.MAP_VIEWS else "chart"


def _workspace_context(request, account_id: int, **extra) -> dict:
    page = workspace_selectors.account_page(user=request.user, account_id=account_id)
    workspace = workspace_selectors.account_workspace(user=request.user, page=page)
    account = page.account
    context = {
        "page": page,
        "account": account,
        "ws": workspace,
        "map_view": _map_view(request),
        "map_views": [("chart", _("Org chart")), ("grid", _("Influence and attitude")), ("list", _("List"))],
        "attitudes": Attitude.choices,
        "deciding_roles": [str(role) for role in DEPARTURE_ALERT_ROLES],
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
    score_card = scoring_selectors.score_card(user=request.user, account=context["account"])
    context |= {"score_card": score_card}
    return render(request, "accounts/account_detail.html", context, status=status)


@login_required
@require_GET
def account_list(request):
    listing = workspace_selectors.account_list(user=request.user, params=request.GET)
    template = "accounts/account_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {"listing": listing, "filter": listing.filter, "page": listing.page})


@login_required
@require_GET
def my_accounts(request):
    page = workspace_selectors.my_accounts(user=request.user, page_number=request.GET.get("page"))
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


def _their_stakeholder(form, current: Stakeholder) -> list[tuple[str, str]]:
    """What the other editor saved, field by field, for the conflict notice."""
    values = conflicts.their_values(form, current, names=stakeholder_services.STAKEHOLDER_FIELDS)
    if current.archived_at:
        values.append((_("on the map"), _("removed")))
    return values


def _save_stakeholder_form(request, account, form, *, save, title, action, person, kind):
    """Validate, save through a service, answer with the refreshed workspace or the editor with messages."""
    submission = conflicts.submit(form, save, describe=_their_stakeholder)
    if submission.saved:
        feedback = _map_feedback(kind, submission.result)
        if not request.htmx:
            messages.success(request, feedback)
            return redirect(f"{account.get_absolute_url()}#stakeholders")
        # The map shows who just changed (centred and highlighted) and says what happened.
        changed = None if kind == "remove" else submission.result.pk
        return _workspace_response(
            request, account.pk, AFTER_STAKEHOLDER_CHANGE, map_feedback=feedback, changed_pk=changed
        )
    conflict = submission.their_values if submission.status == 409 else None
    editor = _editor(form=form, title=title, action=action, person=person, conflict=conflict, kind=kind)
    return _workspace_response(request, account.pk, ["stakeholders"], status=submission.status, editor=editor)


def _map_feedback(kind: str, person: Stakeholder) -> str:
    """What a save did, in words, for the map's status line (or the page's message without htmx)."""
    manager = person.reports_to.name if person.reports_to_id else None
    if kind == "add":
        if manager:
            return _("%(name)s added under %(manager)s.") % {"name": person.name, "manager": manager}
        return _("%(name)s added to the map.") % {"name": person.name}
    if kind == "move":
        if manager:
            return _("%(name)s now reports to %(manager)s.") % {"name": person.name, "manager": manager}
        return _("%(name)s now reports to nobody on the map.") % {"name": person.name}
    if kind == "left":
        return _("%(name)s marked as left the customer on %(day)s.") % {
            "name": person.name,
            "day": date_format(person.left_on),
        }
    if kind == "remove":
        return _("%(name)s removed from the map.") % {"name": person.name}
    return _("%(name)s saved.") % {"name": person.name}


def _person(account, stakeholder_id: int) -> Stakeholder:
    return get_object_or_404(Stakeholder, pk=stakeholder_id, account=account, archived_at__isnull=True)


@login_required
@require_http_methods(["GET", "POST"])
def map_stakeholder_add(request, account_id: int):
    account = visible_account(request.user, account_id, change=True)
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
        save=lambda f: stakeholder_services.stakeholder_record(stakeholder=f.instance, by=request.user),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def map_stakeholder_change(request, account_id: int, stakeholder_id: int):
    account = visible_account(request.user, account_id, change=True)
    person = _person(account, stakeholder_id)
    form = MapStakeholderForm(request.POST or None, instance=person, account=account)
    action = reverse("accounts:map_stakeholder_change", args=[account.pk, person.pk])
    title = _("Edit %(name)s") % {"name": person.name}
    if request.method == "GET":
        editor = _editor(form=form, title=title, action=action, person=person)
        return _workspace_response(request, account.pk, ["stakeholders"], editor=editor)
    return _save_stakeholder_form(
        request, account, form, title=title, action=action, person=person, kind="edit",
        save=lambda f: stakeholder_services.stakeholder_record(
            stakeholder=f.instance, expected_version=f.expected_version, by=request.user
        ),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def map_stakeholder_move(request, account_id: int, stakeholder_id: int):
    account = visible_account(request.user, account_id, change=True)
    person = _person(account, stakeholder_id)
    form = MoveStakeholderForm(request.POST or None, account=account, person=person)
    action = reverse("accounts:map_stakeholder_move", args=[account.pk, person.pk])
    title = _("Move %(name)s") % {"name": person.name}
    if request.method == "GET":
        editor = _editor(form=form, title=title, action=action, person=person, kind="move")
        return _workspace_response(request, account.pk, ["stakeholders"], editor=editor)
    return _save_stakeholder_form(
        request, account, form, title=title, action=action, person=person, kind="move",
        save=lambda f: stakeholder_services.stakeholder_move(
            stakeholder=person, reports_to=f.cleaned_data["reports_to"],
            expected_version=f.expected_version, by=request.user,
        ),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def map_stakeholder_left(request, account_id: int, stakeholder_id: int):
    account = visible_account(request.user, account_id, change=True)
    person = _person(account, stakeholder_id)
    form = StakeholderLeftForm(request.POST or None, person=person)
    action = reverse("accounts:map_stakeholder_left", args=[account.pk, person.pk])
    title = _("%(name)s left the customer") % {"name": person.name}
    if request.method == "GET":
        editor = _editor(form=form, title=title, action=action, person=person, kind="left")
        return _workspace_response(request, account.pk, ["stakeholders"], editor=editor)
    return _save_stakeholder_form(
        request, account, form, title=title, action=action, person=person, kind="left",
        save=lambda f: stakeholder_services.stakeholder_mark_left(
            stakeholder=person, left_on=f.cleaned_data["left_on"],
            expected_version=f.expected_version, by=request.user,
        ),
    )  # fmt: skip


@login_required
@require_POST
def map_stakeholder_remove(request, account_id: int, stakeholder_id: int):
    account = visible_account(request.user, account_id, change=True)
    person = _person(account, stakeholder_id)
    form = StakeholderRemoveForm(request.POST, record=person)
    action = reverse("accounts:map_stakeholder_remove", args=[account.pk, person.pk])
    return _save_stakeholder_form(
        request, account, form, title=_("Remove %(name)s") % {"name": person.name}, action=action,
        person=person, kind="remove",
        save=lambda f: stakeholder_services.stakeholder_remove(
            stakeholder=person, expected_version=f.expected_version, by=request.user
        ),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def interaction_quick_add(request, account_id: int):
    account = visible_account(request.user, account_id)
    if not permissions.can_log_interaction(request.user, account):
        raise PermissionDenied(_("Only people working this account log contacts with it."))
    form = QuickInteractionForm(request.POST or None, account=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            stakeholder_services.interaction_log(account=account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            conflicts.attach_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Interaction logged."))
                return redirect(f"{account.get_absolute_url()}#interactions")
            return _workspace_response(request, account.pk, AFTER_INTERACTION_CHANGE)
    status = 422 if request.method == "POST" else 200
    return _workspace_response(request, account.pk, ["interactions"], status=status, interaction_form=form)


@login_required
@require_GET
def interactions_older(request, account_id: int):
    """The next page of older interactions: appended to the log with htmx, a page of its own without."""
    older = workspace_selectors.older_interactions(
        user=request.user, account_id=account_id, before=request.GET.get("before", "")
    )
    template = "accounts/interactions_older.html" + ("#older-interactions" if request.htmx else "")
    return render(request, template, {"account": older.account, "older": older})


def _their_interaction(form, current: Interaction) -> list[tuple[str, str]]:
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
    account = visible_account(request.user, account_id)
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
        submission = conflicts.submit(
            form,
            lambda f: stakeholder_services.interaction_update(
                interaction=interaction, by=request.user, expected_version=f.expected_version,
                **{name: f.cleaned_data[name] for name in INTERACTION_EDIT_FIELDS},
            ),
            describe=_their_interaction,
        )  # fmt: skip
        if submission.saved:
            if not request.htmx:
                messages.success(request, _("Interaction corrected."))
                return redirect(f"{account.get_absolute_url()}#interactions")
            return _workspace_response(request, account.pk, AFTER_INTERACTION_CHANGE)
        status = submission.status
        if status == 409:
            conflict, removed = submission.their_values, submission.current.archived_at is not None
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
    account = visible_account(request.user, account_id)
    interaction = get_object_or_404(Interaction, pk=interaction_id, account=account, archived_at__isnull=True)
    if not permissions.can_change_interaction(request.user, interaction, account):
        raise PermissionDenied(_("Only whoever logged this contact, the KAM or the champion can remove it."))
    stakeholder_services.interaction_remove(interaction=interaction, by=request.user)
    if not request.htmx:
        messages.success(request, _("Interaction removed."))
        return redirect(f"{account.get_absolute_url()}#interactions")
    return _workspace_response(request, account.pk, AFTER_INTERACTION_CHANGE)
