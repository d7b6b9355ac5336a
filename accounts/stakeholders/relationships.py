"""Relationship health and "what needs attention": the rules, on values a selector has already loaded.

The one home of the relationship rules every screen applies: the contact window, the executive-visit
window, and the health verdict (`RelationshipHealth.verdict`) that the account page, My accounts, the
champion's dashboard and league table, and the sponsor's brief all show. The buying roles they count
are in accounts/stakeholders/models.py (DECISION_MAKING_ROLES, DEPARTURE_ALERT_ROLES); the queries
that load the figures for many accounts at once are in accounts/stakeholders/selectors.py; the
recompute's SQL twins of the same figures are in programme/scoring/metrics.py, built from these
constants, and a test proves both agree on the demo programme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import (
    DECISION_MAKING_ROLES,
    DEPARTURE_ALERT_ROLES,
    ENDORSED_PLAN_STATUSES,
    Attitude,
    LifecycleStatus,
)

# A person is an active contact while an interaction with them was logged in the last 90 days
# (DOMAIN.md: "contacts in the last 90 days"); a decision maker outside it is "not recently contacted".
CONTACT_WINDOW_DAYS = 90
# A contact older than two thirds of the window is "due" on the map: time to call before it goes stale.
CONTACT_DUE_DAYS = CONTACT_WINDOW_DAYS * 2 // 3
# A key account wants an executive visit at least every six months (DOMAIN.md: executive-visit recency).
EXECUTIVE_VISIT_WINDOW_DAYS = 183


def contact_window_start(today: date) -> date:
    """The first day of the contact window ending `today`: a contact on or after it is recent."""
    return today - timedelta(days=CONTACT_WINDOW_DAYS)


def executive_visit_due(last_executive_visit: date | None, today: date) -> bool:
    """No executive visit ever, or none within the executive-visit window."""
    return last_executive_visit is None or last_executive_visit < today - timedelta(
        days=EXECUTIVE_VISIT_WINDOW_DAYS
    )


def contact_freshness(last_contacted_on: date | None, today: date) -> str:
    """'never', 'stale' (outside the contact window), 'due' (past two thirds of it) or 'fresh': the
    map's last-contact mark."""
    if last_contacted_on is None:
        return "never"
    age = (today - last_contacted_on).days
    if age > CONTACT_WINDOW_DAYS:
        return "stale"
    if age > CONTACT_DUE_DAYS:
        return "due"
    return "fresh"


class HealthVerdict(models.TextChoices):
    """An account's relationship health in one word, ordered worst first."""

    WEAK = "weak", gettext_lazy("Weak")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    GOOD = "good", gettext_lazy("Good")


@dataclass
class RelationshipHealth:
    """The relationship figures of one account and the verdict drawn from them.

    It weighs what DOMAIN.md names for relationship health, plus the map being out of date:
    - decision makers (decision maker, economic buyer) mapped, and how many of them were contacted
      within the contact window (CONTACT_WINDOW_DAYS);
    - the share of decision makers neutral or better to us;
    - active contacts: current people contacted within the contact window (one only: single-threaded);
    - executive-visit recency (none within EXECUTIVE_VISIT_WINDOW_DAYS: due);
    - a decision maker, economic buyer or coach who left and whose role nobody on the map holds since.
    - the customer's NPS fell by 2 or more in the last survey (the flag "needs attention" raises).
    The verdict is *weak* when no decision maker is mapped or at most one person is in contact with
    us; *at risk* when a decision maker was not contacted within the window, fewer than half of them
    are neutral or better, the executive visit is due, a deciding person left unreplaced, or the NPS
    fell; *good* otherwise: what the attention flags know, the verdict knows.
    """

    decision_makers: int
    decision_makers_contacted: int
    decision_makers_favourable: int
    active_contacts: int
    last_executive_visit: date | None
    today: date
    departed_unreplaced: int = 0
    nps_fell: bool = False
    never_contacted: list = field(default_factory=list)
    not_recently_contacted: list = field(default_factory=list)

    contact_window_days = CONTACT_WINDOW_DAYS
    contact_due_days = CONTACT_DUE_DAYS
    executive_visit_window_days = EXECUTIVE_VISIT_WINDOW_DAYS

    @property
    def single_threaded(self) -> bool:
        return self.active_contacts == 1

    @property
    def favourable_share(self) -> int | None:
        if not self.decision_makers:
            return None
        return round(100 * self.decision_makers_favourable / self.decision_makers)

    @property
    def days_since_executive_visit(self) -> int | None:
        if self.last_executive_visit is None:
            return None
        return (self.today - self.last_executive_visit).days

    @property
    def executive_visit_due(self) -> bool:
        return executive_visit_due(self.last_executive_visit, self.today)

    @property
    def concerns(self) -> list[str]:
        """Why the verdict is not good, one short sentence a signal, worst first."""
        items = []
        if not self.decision_makers:
            items.append(_("No decision maker on the map"))
        if self.active_contacts <= 1:
            items.append(_("At most one person contacted in %(days)d days") % {"days": CONTACT_WINDOW_DAYS})
        if self.departed_unreplaced:
            items.append(_("A decision maker, economic buyer or coach left and is not replaced"))
        if self.decision_makers_contacted < self.decision_makers:
            items.append(_("Decision makers not contacted in %(days)d days") % {"days": CONTACT_WINDOW_DAYS})
        if self.decision_makers and self.decision_makers_favourable * 2 < self.decision_makers:
            items.append(_("Most decision makers are not neutral or better"))
        if self.executive_visit_due:
            items.append(_("No executive visit in six months"))
        if self.nps_fell:
            items.append(_("NPS fell by 2 or more in the last survey"))
        return items

    @property
    def verdict(self) -> HealthVerdict:
        if self.decision_makers == 0 or self.active_contacts <= 1:
            return HealthVerdict.WEAK
        if (
            self.departed_unreplaced
            or self.decision_makers_contacted < self.decision_makers
            or self.decision_makers_favourable * 2 < self.decision_makers
            or self.executive_visit_due
            or self.nps_fell
        ):
            return HealthVerdict.AT_RISK
        return HealthVerdict.GOOD

    @property
    def label(self) -> str:
        return self.verdict.label


def relationship_health(
    stakeholders, *, last_executive_visit: date | None, today: date, nps_fell: bool
) -> RelationshipHealth:
    """Health of the account's relationships from its stakeholders as the map shows them (each with
    `last_contacted_on`; people who left included, so that an unreplaced departure counts), and
    whether its NPS fell (`accounts.measures.selectors.with_satisfaction_flags`)."""
    since = contact_window_start(today)
    current = [s for s in stakeholders if s.left_on is None and s.archived_at is None]
    deciders = [s for s in current if s.buying_role in DECISION_MAKING_ROLES]
    return RelationshipHealth(
        decision_makers=len(deciders),
        decision_makers_contacted=sum(
            1 for s in deciders if s.last_contacted_on and s.last_contacted_on >= since
        ),
        decision_makers_favourable=sum(1 for s in deciders if s.attitude >= Attitude.NEUTRAL),
        active_contacts=sum(1 for s in current if s.last_contacted_on and s.last_contacted_on >= since),
        last_executive_visit=last_executive_visit,
        today=today,
        departed_unreplaced=len(unreplaced_departures(stakeholders)),
        nps_fell=nps_fell,
        never_contacted=[s for s in deciders if s.last_contacted_on is None],
        not_recently_contacted=[s for s in deciders if s.last_contacted_on and s.last_contacted_on < since],
    )


def health_from_figures(account, *, today: date) -> RelationshipHealth:
    """Health of an account annotated by `accounts.stakeholders.selectors.relationship_figures` and
    `accounts.measures.selectors.with_satisfaction_flags`."""
    return RelationshipHealth(
        decision_makers=account.decision_makers,
        decision_makers_contacted=account.decision_makers_contacted,
        decision_makers_favourable=account.decision_makers_favourable,
        active_contacts=account.active_contacts,
        last_executive_visit=account.last_executive_visit,
        today=today,
        departed_unreplaced=account.departed_deciders,
        nps_fell=account.nps_fell,
    )


def unreplaced_departures(stakeholders) -> list:
    """People in a deciding role (decision maker, economic buyer, coach) who left, while the map is not
    yet updated: no current person holds that role whose entry was saved on or after the departure."""
    current = [s for s in stakeholders if s.left_on is None and s.archived_at is None]
    gone = []
    for person in stakeholders:
        if (
            person.left_on is None
            or person.archived_at is not None
            or person.buying_role not in DEPARTURE_ALERT_ROLES
        ):
            continue
        replaced = any(
            s.buying_role == person.buying_role and s.updated_at.date() >= person.left_on for s in current
        )
        if not replaced:
            gone.append(person)
    return gone


@dataclass(frozen=True)
class Attention:
    """One thing on an account that needs the KAM: a short sentence, and how bad (warning or alert)."""

    text: str
    level: str = "warning"
    anchor: str = ""


def attention_items(account, *, today: date) -> list[Attention]:
    """What needs attention on `account`, from the annotations `selectors.with_attention` adds."""
    items = []
    if account.overdue_actions:
        items.append(
            Attention(
                ngettext("%(n)d plan action overdue", "%(n)d plan actions overdue", account.overdue_actions)
                % {"n": account.overdue_actions},
                "alert",
                "plans",
            )
        )
    if account.plan_status is None:
        items.append(Attention(_("No plan for the current period"), "alert", "plans"))
    else:
        if account.plan_status not in ENDORSED_PLAN_STATUSES:
            items.append(Attention(_("Plan not approved yet"), "warning", "plans"))
        if account.plan_review_due_on is None or account.plan_review_due_on < today:
            items.append(Attention(_("Plan review overdue"), "warning", "plans"))
    if account.departed_deciders:
        items.append(
            Attention(
                ngettext(
                    "%(n)d decision maker, economic buyer or coach left: update the map",
                    "%(n)d decision makers, economic buyers or coaches left: update the map",
                    account.departed_deciders,
                )
                % {"n": account.departed_deciders},
                "alert",
                "stakeholders",
            )
        )
    if account.deciders_never_contacted:
        items.append(
            Attention(
                ngettext(
                    "%(n)d decision maker never contacted",
                    "%(n)d decision makers never contacted",
                    account.deciders_never_contacted,
                )
                % {"n": account.deciders_never_contacted},
                "alert",
                "stakeholders",
            )
        )
    if account.deciders_not_recent:
        items.append(
            Attention(
                ngettext(
                    "%(n)d decision maker not contacted in %(days)d days",
                    "%(n)d decision makers not contacted in %(days)d days",
                    account.deciders_not_recent,
                )
                % {"n": account.deciders_not_recent, "days": CONTACT_WINDOW_DAYS},
                "warning",
                "stakeholders",
            )
        )
    if account.active_contacts == 1:
        items.append(Attention(_("Single-threaded: one active contact only"), "warning", "health"))
    elif account.active_contacts == 0:
        items.append(
            Attention(
                _("No contact logged in the last %(days)d days") % {"days": CONTACT_WINDOW_DAYS},
                "alert",
                "interactions",
            )
        )
    if account.stale_manual_scores:
        items.append(
            Attention(
                ngettext(
                    "%(n)d manual score older than a year",
                    "%(n)d manual scores older than a year",
                    account.stale_manual_scores,
                )
                % {"n": account.stale_manual_scores},
                "warning",
                "score-card",
            )
        )
    items += satisfaction_attention(account)
    return items


def needs_attention(*, today: date) -> Q:
    """The accounts for which `attention_items` lists anything, as a filter over the annotations
    `programme.workspace.selectors.with_attention` adds: the same rules, beside them so that they change
    together, and counting them needs no row in Python."""
    plan_review_late = Q(plan_review_due_on__isnull=True) | Q(plan_review_due_on__lt=today)
    plan_wanting = ~Q(plan_status__in=ENDORSED_PLAN_STATUSES) | plan_review_late
    return (
        Q(overdue_actions__gt=0)
        | Q(plan_status__isnull=True)
        | (Q(plan_status__isnull=False) & plan_wanting)
        | Q(departed_deciders__gt=0)
        | Q(deciders_never_contacted__gt=0)
        | Q(deciders_not_recent__gt=0)
        | Q(active_contacts__lte=1)
        | Q(stale_manual_scores__gt=0)
        | Q(nps_fell=True)
        | Q(survey_stale=True, status=LifecycleStatus.KEY)
    )


def satisfaction_attention(account) -> list[Attention]:
    """The KAM's home flags a fall in NPS of 2 or more, and a key account unsurveyed for a year."""
    items = []
    if getattr(account, "nps_fell", False):
        items.append(Attention(_("NPS fell by 2 or more in the last survey"), "alert", "measures"))
    if getattr(account, "survey_stale", False) and account.status == LifecycleStatus.KEY:
        items.append(Attention(_("No satisfaction survey in the last year"), "warning", "measures"))
    return items
