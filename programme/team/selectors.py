"""The KAM team (champion): each manager's accounts and load, skills profile and training records.

Reads and writes for the team page; the skills profile is version-checked like every other edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Account, LifecycleStatus, User
from kam.core.versions import save_if_unchanged
from programme.models import KamSkill, SkillsProfile, TrainingRecord


def _require_champion(user) -> None:
    if not permissions.can_view_portfolio(user):
        raise PermissionDenied(_("The KAM team page is the KAM champion's."))


@dataclass
class TeamMember:
    user: User
    key_accounts: int
    candidates: int
    profile: SkillsProfile | None
    trainings: list[TrainingRecord]

    @property
    def training_needs(self) -> list[str]:
        return self.profile.training_needs() if self.profile else []


def kam_team(*, user) -> list[TeamMember]:
    """Every key account manager (of a current account, or with a skills profile), three queries."""
    _require_champion(user)
    current = Q(managed_accounts__archived_at__isnull=True)
    managers = (
        User.objects.filter(
            Q(Exists(Account.objects.current().filter(kam=OuterRef("pk"))))
            | Q(Exists(SkillsProfile.objects.filter(user=OuterRef("pk"))))
        )
        .annotate(
            key_count=Count(
                "managed_accounts", filter=current & Q(managed_accounts__status=LifecycleStatus.KEY)
            ),
            candidate_count=Count(
                "managed_accounts", filter=current & Q(managed_accounts__status=LifecycleStatus.CANDIDATE)
            ),
        )
        .select_related("kam_skills")
        .prefetch_related(
            Prefetch("kam_trainings", queryset=TrainingRecord.objects.order_by("-completed_on"))
        )
        .order_by("-key_count", "first_name", "last_name")
    )
    members = []
    for manager in managers:
        profile = getattr(manager, "kam_skills", None)  # a missing one-to-one raises an AttributeError
        members.append(
            TeamMember(
                manager,
                manager.key_count,
                manager.candidate_count,
                profile,
                list(manager.kam_trainings.all()),
            )
        )
    return members


SKILL_FIELDS = [skill.value for skill in KamSkill]


@transaction.atomic
def skills_profile_save(*, profile: SkillsProfile, expected_version: int | None, by) -> SkillsProfile:
    """Record a manager's skills (1-5 each) as assessed today; a save over someone else's is refused."""
    _require_champion(by)
    profile.assessed_on = timezone.localdate()
    profile.assessed_by = by
    profile.full_clean()
    if profile.pk is None:
        profile.save()
        return profile
    save_if_unchanged(
        profile, expected_version=expected_version or 0, fields=[*SKILL_FIELDS, "assessed_on", "assessed_by"]
    )
    return profile


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
    _require_champion(by)
    record = TrainingRecord(
        user=user, course=course.strip(), skill=skill, provider=provider.strip(), completed_on=completed_on,
        note=note.strip(),
    )  # fmt: skip
    record.full_clean()
    record.save()
    return record
