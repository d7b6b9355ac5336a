"""The champion's KAM team page: managers, their load, skills profiles and training. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from kam.core import conflicts
from programme.models import SkillsProfile
from programme.team import selectors as kam_team
from programme.team import services as team_services
from programme.team.forms import SkillsProfileForm, TrainingRecordForm
from programme.team.services import require_team_page


def _members_with_forms(user, failed_form=None, failed_for=None):
    members = kam_team.kam_team(user=user)
    for member in members:
        # One form per manager, each with its own ids so labels stay attached to their fields.
        if failed_for is not None and member.user.pk == failed_for.pk:
            member.training_form = failed_form
        else:
            member.training_form = TrainingRecordForm(auto_id=f"training-{member.user.pk}-%s")
    return members


@login_required
@require_GET
def team_page(request):
    return render(request, "programme/team.html", {"members": _members_with_forms(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def skills_edit(request, user_id: int):
    require_team_page(request.user)
    manager = get_object_or_404(User, pk=user_id, is_active=True)
    profile = SkillsProfile.objects.filter(user=manager).first() or SkillsProfile(user=manager)
    form = SkillsProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    status, conflict = 200, None
    if request.method == "POST":
        submission = conflicts.submit(
            form,
            lambda f: team_services.skills_profile_save(
                profile=f.instance, expected_version=f.expected_version, by=request.user
            ),
        )
        if submission.saved:
            messages.success(request, _("Skills profile saved."))
            return redirect("portfolio:kam_team")
        status, conflict = submission.status, submission.current
    context = {"form": form, "manager": manager, "conflict": conflict}
    return render(request, "programme/team_skills.html", context, status=status)


@login_required
@require_POST
def training_add(request, user_id: int):
    require_team_page(request.user)
    manager = get_object_or_404(User, pk=user_id, is_active=True)
    form = TrainingRecordForm(request.POST, auto_id=f"training-{manager.pk}-%s")
    if form.is_valid():
        try:
            team_services.training_record_add(user=manager, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Training recorded."))
            return redirect("portfolio:kam_team")
    members = kam_team.kam_team(user=request.user)
    context = {
        "members": members,
        "training_form": TrainingRecordForm(),
        "failed_form": form,
        "failed_for": manager,
    }
    return render(request, "programme/team.html", context, status=422)
