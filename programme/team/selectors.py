"""The KAM team (champion): each manager's accounts and load, skills profile and training records.

Reads for the team page; its writes are in programme/team/services.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from accounts.models import Account, LifecycleStatus, User
from programme.models import SkillsProfile, TrainingRecord
from programme.team.services import require_team_page


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
    require_team_page(user)
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
