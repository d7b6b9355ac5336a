"""Writes on the KAM team page: a manager's skills profile (version-checked) and their training."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from kam.core.versions import save_versioned
from programme.models import KamSkill, SkillsProfile, TrainingRecord


def require_team_page(user) -> None:
    """Refuse with 403 unless `user` is the champion: this page and its changes are theirs."""
    if not permissions.can_view_portfolio(user):
        raise PermissionDenied(_("The KAM team page is the KAM champion's."))


SKILL_FIELDS = [skill.value for skill in KamSkill]


@transaction.atomic
def skills_profile_save(*, profile: SkillsProfile, expected_version: int | None, by) -> SkillsProfile:
    """Record a manager's skills (1-5 each) as assessed today; a save over someone else's is refused."""
    require_team_page(by)
    profile.assessed_on = timezone.localdate()
    profile.assessed_by = by
    return save_versioned(
        profile,
        expected_version=expected_version,
        fields=[*SKILL_FIELDS, "assessed_on", "assessed_by"],
        by=by,
    )


@transaction.atomic
def training_record_add(
    *,
    user: User,
    course: str,
    skill: str,
    provider: str = "",
    completed_on: date | None = None,
    note: str = "",
    by,
) -> TrainingRecord:
    require_team_page(by)
    record = TrainingRecord(
        user=user, course=course.strip(), skill=skill, provider=provider.strip(), completed_on=completed_on,
        note=note.strip(),
    )  # fmt: skip
    record.full_clean()
    record.save()
    return record
