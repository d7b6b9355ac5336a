"""The weekly digest e-mail: to each KAM what needs attention on their accounts, to each sponsor which
accounts wait for a visit or an endorsement, to the champion what changed in the portfolio.

Built set-based (a fixed handful of queries for everyone, never a query per user) and sent in one
connection. Users who turned `receives_weekly_digest` off, or have no e-mail, get nothing; nor does
anyone with nothing to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from accounts.models import Account, LifecycleChange, LifecycleStatus, PlanAction, PlanStatus, User
from accounts.stakeholders.relationships import CONTACT_WINDOW_DAYS
from programme.dashboard import selectors as dashboard
from programme.models import AccountScore, Programme, Recommendation
from programme.sponsors import selectors as sponsors

WEEK = timedelta(days=7)


@dataclass
class Digest:
    user: User
    kam_items: list[tuple[Account, list[str]]] = field(default_factory=list)
    new_actions: list[PlanAction] = field(default_factory=list)
    overdue_actions: list[PlanAction] = field(default_factory=list)
    sponsor_items: list[tuple[Account, list[str]]] = field(default_factory=list)
    champion: dict | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.kam_items or self.new_actions or self.overdue_actions or self.sponsor_items or self.champion
        )


def _url(name: str, *args) -> str:
    return settings.KAM_BASE_URL + reverse(name, args=args)


def _translated(message: str, **params) -> str:
    # Digests are built for everyone at once, then each is written in its reader's language.
    return str(gettext(message) % params if params else gettext(message))


# A message translated when the e-mail is written (in the reader's language), not when it is built.
_later = lazy(_translated, str)


def _kam_attention(row: dashboard.LeagueRow) -> list[str]:
    items = []
    if row.overdue_actions:
        items.append(_later(gettext_noop("%(count)s overdue plan actions"), count=row.overdue_actions))
    if not row.plan_status:
        items.append(_later(gettext_noop("no account plan in force")))
    elif not row.plan_approved:
        items.append(_later(gettext_noop("plan not approved yet (%(status)s)"), status=row.plan_status_label))
    if row.decision_makers == 0:
        items.append(_later(gettext_noop("no decision maker on the stakeholder map")))
    if row.active_contacts <= 1:
        items.append(
            _later(
                gettext_noop("single-threaded: at most one person contacted in %(days)d days"),
                days=CONTACT_WINDOW_DAYS,
            )
        )
    if row.visit_overdue:
        items.append(_later(gettext_noop("no executive visit in six months")))
    return items


def build_weekly_digests(*, today: date | None = None) -> list[Digest]:
    """Every digest due this week, each with something to say."""
    today = today or timezone.localdate()
    readers = {
        u.pk: Digest(u)
        for u in User.objects.filter(is_active=True, receives_weekly_digest=True).exclude(email="")
    }
    if not readers:
        return []
    # KAMs: their key accounts' attention items (the dashboard's one query).
    for row in dashboard.dashboard_key_rows(today=today):
        digest = readers.get(row.account.kam_id)
        items = _kam_attention(row)
        if digest and items:
            digest.kam_items.append((row.account, items))
    # Anyone owning actions: new this week, and overdue (one query).
    actions = (
        PlanAction.objects.still_open()
        .filter(owner_id__in=readers, plan__account__archived_at__isnull=True)
        .exclude(plan__status=PlanStatus.CLOSED)
        .filter(Q(created_at__gte=timezone.now() - WEEK) | Q(due_on__lt=today))
        .select_related("plan__account")
        .order_by("due_on", "id")
    )
    for action in actions:
        digest = readers[action.owner_id]
        (digest.overdue_actions if action.due_on < today else digest.new_actions).append(action)
    # Sponsors: visits due and plans waiting for their endorsement (one query).
    sponsored = (
        Account.objects.current()
        .filter(executive_sponsor_id__in=readers)
        .annotate(**sponsors._sponsor_annotations(today))
        .order_by("name")
    )
    for account in sponsored:
        item = sponsors.SponsoredAccount(account, today)
        needs = []
        if account.awaiting_endorsement:
            needs.append(_later(gettext_noop("a plan waits for your endorsement")))
        if account.is_key and item.visit_due:
            needs.append(_later(gettext_noop("an executive visit is due")))
        if needs:
            readers[account.executive_sponsor_id].sponsor_items.append((account, needs))
    champions = [d for d in readers.values() if d.user.is_champion]
    if champions:
        summary = _portfolio_changes(today)
        for digest in champions:
            digest.champion = summary
    return [d for d in readers.values() if not d.is_empty]


def _portfolio_changes(today: date) -> dict:
    """What changed in the portfolio this week, for the champion (three queries)."""
    programme = Programme.load()
    changes = list(
        LifecycleChange.objects.filter(created_at__gte=timezone.now() - WEEK)
        .select_related("account")
        .order_by("effective_on", "id")
    )
    counts = AccountScore.objects.filter(account__archived_at__isnull=True).aggregate(
        proposed_entries=Count(
            "pk", filter=Q(recommendation=Recommendation.ADD, account__status=LifecycleStatus.CANDIDATE)
        ),
        proposed_exits=Count(
            "pk", filter=Q(recommendation=Recommendation.REVIEW_FOR_EXIT, account__status=LifecycleStatus.KEY)
        ),
        key_accounts=Count("pk", filter=Q(account__status=LifecycleStatus.KEY)),
    )
    return {
        "entered": [c for c in changes if c.to_status == LifecycleStatus.KEY],
        "exited": [c for c in changes if c.to_status == LifecycleStatus.EXITED],
        "limit": programme.key_account_limit,
        **counts,
    }


def _message(digest: Digest, connection) -> EmailMessage:
    """The digest in its reader's language (their own, or the site's when they chose none)."""
    with translation.override(digest.user.language or settings.LANGUAGE_CODE):
        return _written_message(digest, connection)


def _written_message(digest: Digest, connection) -> EmailMessage:
    context = {
        "digest": digest,
        "base_url": settings.KAM_BASE_URL,
        "dashboard_url": _url("portfolio:dashboard"),
        "my_actions_url": _url("accounts:my_actions"),
        "sponsor_url": _url("portfolio:sponsor_home"),
        "preference_url": _url("portfolio:digest_preference"),
    }
    body = render_to_string("programme/digest_email.txt", context)
    return EmailMessage(
        subject=gettext("Your week in the key account programme"),
        body=body,
        to=[digest.user.email],
        connection=connection,
    )


def send_weekly_digests(*, today: date | None = None) -> int:
    """Build and send this week's digests in one connection; returns how many were sent."""
    digests = build_weekly_digests(today=today)
    if not digests:
        return 0
    connection = get_connection()
    return connection.send_messages([_message(d, connection) for d in digests]) or 0


@transaction.atomic
def digest_preference_set(*, user: User, receives_weekly_digest: bool) -> User:
    """Each user turns their own weekly digest on or off."""
    user.receives_weekly_digest = receives_weekly_digest
    user.save(update_fields=["receives_weekly_digest"])
    return user
