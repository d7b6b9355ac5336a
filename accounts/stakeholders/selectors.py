"""Reads about the customer's people: their relationship figures for many accounts at once, the map's
people with their last contact, and the history of changes to them and to interactions."""

from __future__ import annotations

import hashlib
from datetime import date

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.history import HISTORY_SHOWN, HistoryEntry, records_history
from accounts.models import (
    DEPARTURE_ALERT_ROLES,
    Account,
    Attitude,
    Interaction,
    InteractionKind,
    Stakeholder,
    User,
)
from accounts.stakeholders.pictures import OrgChart
from accounts.stakeholders.relationships import contact_window_start
from kam.core.locales import format_local_date
from kam.core.versions import history_manager


def org_chart_key(chart: OrgChart) -> str:
    """What the drawn org chart shows, hashed: every stored field of every person on it (whoever
    changed them: the map's editor or the CRM's sync), their last contact and how fresh it is, their
    relationship owner's name, and where each box sits. The same key draws the same
    chart, so the page keeps its drawing under it: hashing a few dozen loaded rows costs a fraction
    of a millisecond, drawing them tens of milliseconds."""
    shown = [
        (
            box.x,
            box.y,
            box.manager_pk,
            box.has_reports,
            box.person.last_contacted_on,  # read with the people (mapped_people), stored nowhere
            getattr(box.person, "freshness", None),
            [getattr(box.person, f.attname) for f in Stakeholder._meta.concrete_fields],
            (owner.first_name, owner.username) if (owner := box.person.relationship_owner) else None,
        )
        for box in chart.boxes
    ]
    return hashlib.sha256(repr((chart.width, chart.height, shown)).encode()).hexdigest()


def _count(queryset) -> Coalesce:
    """A correlated COUNT of `queryset` (filtered on OuterRef("pk")) as an integer annotation."""
    counted = queryset.order_by().values("account").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def relationship_figures(*, today: date) -> dict:
    """Annotations giving each account the figures relationship health weighs (see
    `relationships.RelationshipHealth`), each a correlated subquery: no extra query, no join fan-out.

    The same figures as `relationships.relationship_health` computes from the map's people, and as the
    recompute's relationship metrics in SQL (programme/scoring/metrics.py).
    """
    since = contact_window_start(today)
    current = Stakeholder.objects.current().filter(account=OuterRef("pk"))
    deciders = current.decision_makers()
    logged = Interaction.objects.filter(archived_at__isnull=True, stakeholders=OuterRef("pk"))
    recently = logged.filter(occurred_on__gte=since)
    replaced = Stakeholder.objects.current().filter(
        account=OuterRef("account"),
        buying_role=OuterRef("buying_role"),
        updated_at__date__gte=OuterRef("left_on"),
    )
    departed = Stakeholder.objects.filter(
        account=OuterRef("pk"),
        archived_at__isnull=True,
        left_on__isnull=False,
        buying_role__in=DEPARTURE_ALERT_ROLES,
    ).filter(~Exists(replaced))
    executive_visits = Interaction.objects.filter(
        account=OuterRef("pk"), archived_at__isnull=True, kind=InteractionKind.EXECUTIVE_VISIT
    ).order_by("-occurred_on")
    return {
        "decision_makers": _count(deciders),
        "decision_makers_favourable": _count(deciders.filter(attitude__gte=Attitude.NEUTRAL)),
        "decision_makers_contacted": _count(deciders.filter(Exists(recently))),
        "deciders_never_contacted": _count(deciders.filter(~Exists(logged))),
        "deciders_not_recent": _count(deciders.filter(Exists(logged)).filter(~Exists(recently))),
        "active_contacts": _count(current.filter(Exists(recently))),
        "departed_deciders": _count(departed),
        "last_executive_visit": Subquery(executive_visits.values("occurred_on")[:1]),
    }


def mapped_people():
    """The map's people (those who left included, archived ones not), each with the day of the last
    logged contact with them (`last_contacted_on`), as `relationships.relationship_health` reads them."""
    return Stakeholder.objects.filter(archived_at__isnull=True).annotate(
        last_contacted_on=Max("interactions__occurred_on", filter=Q(interactions__archived_at__isnull=True))
    )


def interaction_history(*, account: Account, limit: int = HISTORY_SHOWN) -> list[HistoryEntry]:
    """The latest corrections and removals of the account's contacts, who made them and old → new.

    Logging a contact is not repeated here (the log shows who logged it); at most four queries.
    """
    model = history_manager(Interaction).model
    recent = list(
        model.objects.filter(account_id=account.pk, history_type="~")
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    if not recent:
        return []
    chains: dict = {}
    for record in model.objects.filter(id__in={h.id for h in recent}).order_by("history_date", "history_id"):
        chains.setdefault(record.id, []).append(record)
    records = [r for chain in chains.values() for r in chain]
    stakeholder_ids = {i for r in records for i in r.stakeholder_ids or ()}
    user_ids = {i for r in records for i in r.participant_ids or ()}
    # Removed people and users who left keep their names here: filtered by id only, never by visibility
    # (a contact's people are shown to everyone who may see the account's log).
    names = (
        dict(Stakeholder.objects.filter(pk__in=stakeholder_ids).values_list("pk", "name"))
        if stakeholder_ids
        else {}
    )
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}

    def people(ids, lookup):
        return ", ".join(sorted(lookup.get(i, f"#{i}") for i in ids)) or "—"

    entries = []
    for record in recent:
        chain = chains[record.id]
        index = next(i for i, r in enumerate(chain) if r.history_id == record.history_id)
        before = chain[index - 1] if index else None
        label = _("%(kind)s of %(day)s") % {
            "kind": InteractionKind(record.kind).label.lower()
            if record.kind in InteractionKind.values
            else record.kind,
            "day": format_local_date(record.occurred_on),
        }
        if record.archived_at and (before is None or before.archived_at is None):
            entries.append(
                HistoryEntry(record.history_date, record.history_user, label, "-", [], "interaction")
            )
            continue
        if before is None:
            continue
        changes = []
        if before.kind != record.kind:
            changes.append((_("type"), _kind_label(before.kind), _kind_label(record.kind)))
        if before.occurred_on != record.occurred_on:
            changes.append(
                (_("date"), format_local_date(before.occurred_on), format_local_date(record.occurred_on))
            )
        if before.notes != record.notes:
            changes.append((_("notes"), before.notes or "—", record.notes or "—"))
        # A row without people (created by a plain save) cannot say what they were: no change shown.
        for name, title, lookup in (
            ("stakeholder_ids", _("their people"), names),
            ("participant_ids", _("our people"), users),
        ):
            old, new = getattr(before, name), getattr(record, name)
            if old is not None and new is not None and sorted(old) != sorted(new):
                changes.append((title, people(old, lookup), people(new, lookup)))
        if changes:
            entries.append(
                HistoryEntry(record.history_date, record.history_user, label, "~", changes, "interaction")
            )
    return entries


def _kind_label(kind: str) -> str:
    return InteractionKind(kind).label if kind in InteractionKind.values else kind


def account_history_key(*, account: Account, latest: list[tuple]) -> str:
    """What the History section shows, hashed, for keeping its drawing: the latest rows the listing
    finds for every record type, with the rows they follow, and the newest correction of the
    interaction log. History rows are only ever added, so any change adds one and draws anew; names
    of the people and records a change refers to are in those rows too, except a user's current name
    and a renamed buying centre or offering, which show once the kept drawing lapses (an hour)."""
    listed = [(row[0], row[2], row[4]) for row in latest]
    corrected = (
        history_manager(Interaction)
        .filter(account_id=account.pk, history_type="~")
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )
    return hashlib.sha256(repr((account.pk, listed, corrected)).encode()).hexdigest()


def account_history(
    *, account: Account, limit: int = HISTORY_SHOWN, latest: list[tuple] | None = None
) -> list[HistoryEntry]:
    """The page's History: changes to the account, its people, plans, measures and interaction log
    (`latest`: the listing's rows, when already read)."""
    entries = records_history(account=account, limit=limit, latest=latest) + interaction_history(
        account=account, limit=limit
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
