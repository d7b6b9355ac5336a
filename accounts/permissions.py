"""Who may see or change what: the one place every view, API endpoint and template asks.

Roles: the KAM champion is programme-wide (`User.is_champion`); an account's key account manager,
executive sponsor and team members follow from the account's own fields. Each predicate has a
queryset twin so that lists never show what a detail page would refuse.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.forms import AccountForm, AccountKamForm
from accounts.models import Account, AccountTeamMember, ImportRun, PlanAction, Stakeholder, User
from accounts.stakeholders.forms import StakeholderForm

# --- Roles and accounts ---------------------------------------------------------------------------
# The champion is programme-wide; an account's KAM, executive sponsor and team members follow from the
# account's own fields. Creating accounts and moving them in or out of the programme is the champion's.


def is_champion(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_champion)


def _account_scope(user) -> Q:
    # One IN over a union of three index lookups, which PostgreSQL joins by primary key; an OR of the
    # three (one an EXISTS) cannot use an index and filters every account of the programme.
    ids = (
        Account.objects.filter(kam=user)
        .order_by()
        .values("pk")
        .union(
            Account.objects.filter(executive_sponsor=user).order_by().values("pk"),
            AccountTeamMember.objects.filter(user=user).order_by().values("account_id"),
        )
    )
    return Q(pk__in=ids)


def require(user, check, message) -> None:
    """Refuse with 403 unless `check(user)`; `message` says whose the page or change is."""
    if not check(user):
        raise PermissionDenied(message)


def visible_accounts(user, queryset: QuerySet | None = None) -> QuerySet:
    """The accounts `user` may read: all for the champion; otherwise those they manage, sponsor or work on."""
    queryset = Account.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_champion(user):
        return queryset
    return queryset.filter(_account_scope(user))


def working_accounts(user, queryset: QuerySet | None = None) -> QuerySet:
    """The accounts `user` manages, sponsors or works on (their home), even when they are the champion."""
    queryset = Account.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
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


def can_manage_programme(user) -> bool:
    """Create accounts, assign KAMs and sponsors, move lifecycles, set criteria: the champion."""
    return is_champion(user)


def roles(user) -> dict[str, bool]:
    """Which roles `user` holds today, in one query of three index lookups, for navigation.

    EXISTS rather than a COUNT over every account: on every page, with 100,000 accounts, that matters.
    """
    if not (user and user.is_authenticated):
        return {"champion": False, "kam": False, "sponsor": False, "team_member": False}
    current = Account.objects.current()
    flags = (
        User.objects.filter(pk=user.pk)
        .annotate(
            # The user's id as a literal, not OuterRef: PostgreSQL then plans each EXISTS for this user
            # (an index probe), not a generic plan that may scan every account for a user with none.
            is_kam=Exists(current.filter(kam_id=user.pk)),
            is_sponsor=Exists(current.filter(executive_sponsor_id=user.pk)),
            is_team_member=Exists(
                AccountTeamMember.objects.filter(user_id=user.pk, account__archived_at__isnull=True)
            ),
        )
        .values("is_kam", "is_sponsor", "is_team_member")
        .first()
    ) or {"is_kam": False, "is_sponsor": False, "is_team_member": False}
    return {
        "champion": is_champion(user),
        "kam": flags["is_kam"],
        "sponsor": flags["is_sponsor"],
        "team_member": flags["is_team_member"],
    }


# --- Stakeholder map and interactions -------------------------------------------------------------
# The stakeholder map is the KAM's (can_change_account); contacts are logged by anyone working the
# account, and a logged contact is changed only by whoever logged it, or by the KAM or champion. A
# sponsor reads the page and logs executive visits.


def can_log_interaction(user, account) -> bool:
    """Anyone working the account logs contacts: KAM, team member, sponsor (executive visits), champion."""
    return can_view_account(user, account)


def can_change_interaction(user, interaction, account) -> bool:
    """Correct or remove a logged contact: whoever logged it while they still work the account
    (a sponsor their executive visits, a team member their calls), or the account's KAM, or the champion."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if can_change_account(user, account):
        return True
    # Someone taken off the account no longer rewrites its log, even the contacts they logged there.
    return interaction.logged_by_id == user.pk and can_view_account(user, account)


# --- Account plans --------------------------------------------------------------------------------
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
    queryset = PlanAction.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_champion(user):
        return queryset
    accounts = visible_accounts(user).filter(pk=OuterRef("plan__account_id"))
    return queryset.filter(Q(owner=user) | Q(Exists(accounts)))


# --- Measures -------------------------------------------------------------------------------------
# Everyone who reads the account reads its measures; the KAM and the champion record them.


def can_record_measures(user, account) -> bool:
    """Add a survey, set the relationship stage, record investment, edit the retention estimate."""
    return can_change_account(user, account)


def can_set_wallet_estimate(user, account) -> bool:
    """The customer's spend in our categories is the KAM's estimate; the account team only reads it."""
    return can_change_account(user, account)


# --- Importing CRM exports from a file -------------------------------------------------------------
# The champion imports for every account (and creates accounts); a KAM imports the records of the
# accounts they manage. An import's page and its rejected rows are its importer's and the champion's.


def can_import(user) -> bool:
    """Open the import pages: the champion, or anyone who is the KAM of a current account."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_champion(user) or Account.objects.current().filter(kam=user).exists()


def importable_accounts(user, queryset: QuerySet | None = None) -> QuerySet:
    """The accounts whose records `user` may import (can_change_account's twin): all for the champion."""
    queryset = Account.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_champion(user):
        return queryset
    return queryset.filter(kam=user)


def can_create_accounts_by_import(user) -> bool:
    """A new external id in an accounts file creates an account: creating accounts is the champion's."""
    return can_manage_programme(user)


def can_view_import(user, run) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_champion(user) or run.created_by_id == user.pk


def visible_imports(user, queryset: QuerySet | None = None) -> QuerySet:
    """can_view_import's twin: the champion sees every import, anyone else their own."""
    queryset = ImportRun.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_champion(user):
        return queryset
    return queryset.filter(created_by=user)


# --- Qualification criteria and scores ------------------------------------------------------------
# Reading a score follows reading its account; the KAM scores by hand; criteria and runs are the champion's.


def can_manage_criteria(user) -> bool:
    """Define criteria, weights and thresholds, and try them in the what-if: the champion."""
    return is_champion(user)


def can_start_recompute(user) -> bool:
    """See the recompute runs and start one now: the champion."""
    return is_champion(user)


def can_score_by_hand(user, account) -> bool:
    """Give the manual criterion scores: the account's KAM (who knows the customer), or the champion."""
    return can_change_account(user, account)


# --- Portfolio, programme reviews, executive sponsors, KAM team -----------------------------------
# The dashboard, reviews and the team page are the champion's; a sponsor reads only their own accounts.


def can_view_portfolio(user) -> bool:
    """The portfolio dashboard, league table export, sponsor load and KAM team pages."""
    return is_champion(user)


def can_run_reviews(user) -> bool:
    """Open, decide, assess, apply and close programme reviews (and read them)."""
    return is_champion(user)


def can_read_sponsor_brief(user, account) -> bool:
    """The sponsor's one-page brief of an account: its executive sponsor, or the champion."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_champion(user) or account.executive_sponsor_id == user.pk


def can_log_executive_visit(user, account) -> bool:
    return can_read_sponsor_brief(user, account)


def sponsored_accounts(user, queryset: QuerySet | None = None) -> QuerySet:
    """The accounts `user` sponsors (the sponsor's "My accounts"); nobody else's, whatever their role."""
    queryset = Account.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(executive_sponsor=user)


# --- The REST API ---------------------------------------------------------------------------------
# A person using the API sees and changes exactly what the web app lets them. A machine (an integration
# key, see api/authentication.py) is never a person: it reads the whole programme and, with the sync
# scope, pushes the CRM's records and changes the CRM's identity fields, nothing else.


def is_integration(user) -> bool:
    return bool(getattr(user, "is_integration", False))


def can_sync(user) -> bool:
    """Push records in bulk: an integration key with the sync scope."""
    return is_integration(user) and user.scope == "sync"


def api_visible_accounts(user, queryset: QuerySet | None = None) -> QuerySet:
    """Accounts an API caller may read, archived ones included (marked, so that a CRM learns of them)."""
    queryset = Account.objects.all() if queryset is None else queryset
    if is_integration(user):
        return queryset
    return visible_accounts(user, queryset)


def api_account_fields(user, account) -> tuple[str, ...]:
    """The account fields `user` may PATCH: the same as their form in the web app (or the CRM's)."""
    if is_integration(user):
        return Account.CRM_FIELDS if can_sync(user) else ()
    if not can_change_account(user, account):
        return ()
    return tuple((AccountForm if can_manage_programme(user) else AccountKamForm).Meta.fields)


def api_contact_fields(user, stakeholder) -> tuple[str, ...]:
    """The stakeholder fields `user` may PATCH: the stakeholder form's plain fields (or the CRM's)."""
    if is_integration(user):
        return Stakeholder.CRM_FIELDS if can_sync(user) else ()
    if not can_change_account(user, stakeholder.account):
        return ()
    return tuple(StakeholderForm.Meta.fields)
