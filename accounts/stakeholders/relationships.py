"""Relationship health and "what needs attention": pure rules on values a selector has already loaded.

DOMAIN.md, Numbers: decision makers covered, the share of them neutral or better, contacts in the last
90 days, single-threaded risk (one active contact only), executive-visit recency. The KAM's home reads
the same rules as SQL annotations (accounts/selectors.py); these functions are the page's and the
tests' plain-Python statement of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import DECIDING_ROLES, Attitude, BuyingRole

CONTACT_WINDOW_DAYS = 90
EXECUTIVE_VISIT_DUE_DAYS = 183
DECISION_MAKING_ROLES = (BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER)


def contact_freshness(last_contacted_on: date | None, today: date) -> str:
    """'never', 'stale' (over 90 days), 'due' (over 60 days) or 'fresh': the map's last-contact mark."""
    if last_contacted_on is None:
        return "never"
    age = (today - last_contacted_on).days
    if age > CONTACT_WINDOW_DAYS:
        return "stale"
    if age > CONTACT_WINDOW_DAYS * 2 // 3:
        return "due"
    return "fresh"


@dataclass
class RelationshipHealth:
    decision_makers: int
    decision_makers_contacted: int
    decision_makers_favourable: int
    active_contacts: int
    last_executive_visit: date | None
    today: date
    never_contacted: list = field(default_factory=list)
    not_recently_contacted: list = field(default_factory=list)

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
        days = self.days_since_executive_visit
        return days is None or days > EXECUTIVE_VISIT_DUE_DAYS


def relationship_health(
    stakeholders, *, last_executive_visit: date | None, today: date
) -> RelationshipHealth:
    """Health of the account's relationships from its current stakeholders (each with `last_contacted_on`)."""
    since = today - timedelta(days=CONTACT_WINDOW_DAYS)
    current = [s for s in stakeholders if s.left_on is None]
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
        never_contacted=[s for s in deciders if s.last_contacted_on is None],
        not_recently_contacted=[s for s in deciders if s.last_contacted_on and s.last_contacted_on < since],
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
            or person.buying_role not in DECIDING_ROLES
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
        if account.plan_status not in ("approved", "active"):
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


def satisfaction_attention(account) -> list[Attention]:
    """Issue 7: the KAM's home flags a fall in NPS of 2 or more, and a key account unsurveyed for a year."""
    items = []
    if getattr(account, "nps_fell", False):
        items.append(Attention(_("NPS fell by 2 or more in the last survey"), "alert", "measures"))
    if getattr(account, "survey_stale", False) and account.status == "key":
        items.append(Attention(_("No satisfaction survey in the last year"), "warning", "measures"))
    return items
