"""Who may see or change what: the one place every view, API endpoint and template asks.

Roles: the KAM champion is programme-wide (`User.is_champion`); an account's key account manager,
executive sponsor and team members follow from the account's own fields. Each predicate has a
queryset twin so that lists never show what a detail page would refuse.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet


def is_champion(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_champion)


def _account_scope(user) -> Q:
    from accounts.models import AccountTeamMember

    on_team = AccountTeamMember.objects.filter(account=OuterRef("pk"), user=user)
    return Q(kam=user) | Q(executive_sponsor=user) | Q(Exists(on_team))


def visible_accounts(user, queryset: QuerySet | None = None) -> QuerySet:
    """The accounts `user` may read: all for the champion; otherwise those they manage, sponsor or work on."""
    from accounts.models import Account

    queryset = Account.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_champion(user):
        return queryset
    return queryset.filter(_account_scope(user))


def can_view_account(user, account) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_champion(user) or user.pk in (account.kam_id, account.executive_sponsor_id):
        return True
    return _is_on_team(user, account)


def _is_on_team(user, account) -> bool:
    # Use the page's prefetched team when there is one, so that asking costs no query.
    prefetched = getattr(account, "_prefetched_objects_cache", {}).get("team_members")
    if prefetched is not None:
        return any(member.user_id == user.pk for member in prefetched)
    return account.team_members.filter(user=user).exists()


def can_change_account(user, account) -> bool:
    """Identity, stakeholders, financial figures: the account's own KAM, or the champion."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_champion(user) or account.kam_id == user.pk


def can_log_interaction(user, account) -> bool:
    """Anyone working the account logs contacts: KAM, team member, sponsor (executive visits), champion."""
    return can_view_account(user, account)


def can_manage_programme(user) -> bool:
    """Create accounts, assign KAMs and sponsors, move lifecycles, set criteria: the champion."""
    return is_champion(user)


def roles(user) -> dict[str, bool]:
    """Which roles `user` holds today, in one query, for navigation."""
    from django.db.models import Count

    from accounts.models import Account

    if not (user and user.is_authenticated):
        return {"champion": False, "kam": False, "sponsor": False, "team_member": False}
    counts = Account.objects.current().aggregate(
        kam=Count("pk", filter=Q(kam=user)),
        sponsor=Count("pk", filter=Q(executive_sponsor=user)),
        team=Count("pk", filter=Q(team_members__user=user), distinct=True),
    )
    return {
        "champion": is_champion(user),
        "kam": counts["kam"] > 0,
        "sponsor": counts["sponsor"] > 0,
        "team_member": counts["team"] > 0,
    }


# --- Account plans (issue 5) -----------------------------------------------------------------------
# Reading a plan follows reading its account. Writing splits in three: the plan's content belongs to
# the KAM (and the champion); approval to the champion or the account's sponsor; an action to its owner.


def can_edit_plan(user, account) -> bool:
    """Write the plan, its objectives, actions, resource requests, risks and whitespace map."""
    return can_change_account(user, account)


def can_approve_plan(user, account) -> bool:
    """Approve (or send back) a submitted plan: the champion or the account's executive sponsor."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_champion(user) or account.executive_sponsor_id == user.pk


def can_update_action(user, action, account) -> bool:
    """Whoever writes the plan, and the action's owner (to report progress or mark it done)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return action.owner_id == user.pk or can_edit_plan(user, account)


def can_keep_offerings(user) -> bool:
    """The programme's offerings catalogue is the champion's."""
    return is_champion(user)


def visible_actions(user, queryset: QuerySet | None = None) -> QuerySet:
    """Plan actions `user` may read: those of plans they can see, plus any action assigned to them."""
    from accounts.models import PlanAction

    queryset = PlanAction.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_champion(user):
        return queryset
    accounts = visible_accounts(user).filter(pk=OuterRef("plan__account_id"))
    return queryset.filter(Q(owner=user) | Q(Exists(accounts)))


# --- The account workspace (issue 5) ---------------------------------------------------------------
# The stakeholder map is the KAM's (can_change_account); contacts are logged by anyone working the
# account (can_log_interaction), and a logged contact is changed only by whoever logged it, or by
# the KAM or champion. A sponsor reads the page and logs executive visits.


def can_change_interaction(user, interaction, account) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return interaction.logged_by_id == user.pk or can_change_account(user, account)


def working_accounts(user, queryset: QuerySet | None = None) -> QuerySet:
    """The accounts `user` manages, sponsors or works on (their home), even when they are the champion."""
    from accounts.models import Account

    queryset = Account.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(_account_scope(user))
