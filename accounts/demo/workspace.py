"""Demo data for the account workspace: one big stakeholder map, and a coach who left.

Called with one line from programme/demo/seed.py after the accounts, maps and plans exist.
- Magda's second account grows to 150 people on three levels under their directors, so the map can be
  seen staying readable at that size;
- at Baltic Steel, a coach left ten days ago and nobody holds the role yet: the page shows the alert.
"""

from __future__ import annotations

import random
from datetime import timedelta

from accounts.models import (
    Account,
    Attitude,
    BuyingRole,
    Interaction,
    InteractionKind,
    RelationshipStrength,
    Stakeholder,
)

BIG_MAP_SIZE = 150
FIRST = ["Anna", "Jan", "Ewa", "Marek", "Olga", "Piotr", "Zofia", "Karol"]
LAST = ["Nowak", "Lis", "Wójcik", "Kaczmarek", "Mazur", "Krawczyk", "Zieliński"]
TITLES = ["Engineer", "Buyer", "Planner", "Quality inspector", "Line manager", "Analyst", "Controller"]


def seed_workspace(options, people) -> None:
    rng = random.Random(options.seed + 9)
    magda = people.get("magda")
    accounts = (
        list(Account.objects.filter(kam=magda).key_accounts().order_by("external_id")[:2]) if magda else []
    )
    baltic = next((a for a in accounts if a.name == "Baltic Steel"), None)
    if baltic is not None:
        _coach_left(baltic, options.today)
    big = next((a for a in accounts if a.name != "Baltic Steel"), None)
    if big is not None:
        _grow_map(big, rng, options.today)


def _coach_left(account: Account, today) -> None:
    person = (
        Stakeholder.objects.filter(account=account, left_on__isnull=True, archived_at__isnull=True)
        .exclude(buying_role__in=[BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER])
        .order_by("-influence", "pk")
        .first()
    )
    if person is None:
        return
    Stakeholder.objects.filter(account=account, buying_role=BuyingRole.COACH).exclude(pk=person.pk).update(
        buying_role=BuyingRole.INFLUENCER
    )
    Stakeholder.objects.filter(pk=person.pk).update(
        buying_role=BuyingRole.COACH, left_on=today - timedelta(days=10)
    )


def _grow_map(account: Account, rng: random.Random, today) -> None:
    current = list(Stakeholder.objects.filter(account=account).order_by("pk"))
    managers = [p for p in current if p.reports_to_id is not None] or current
    missing = BIG_MAP_SIZE - len(current)
    if missing <= 0 or not managers:
        return
    new = [
        Stakeholder(
            account=account,
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i + 1}",
            title=rng.choice(TITLES),
            reports_to=rng.choice(managers),
            buying_role=rng.choices(
                [BuyingRole.USER, BuyingRole.INFLUENCER, BuyingRole.TECHNICAL_BUYER, BuyingRole.GATEKEEPER],
                weights=[6, 2, 2, 1],
            )[0],
            influence=rng.choices([1, 2, 3, 4], weights=[3, 4, 3, 1])[0],
            attitude=rng.choices(list(Attitude.values), weights=[1, 2, 5, 3, 1])[0],
            relationship_strength=rng.choice(list(RelationshipStrength.values)),
            relationship_owner=account.kam if rng.random() < 0.3 else None,
        )
        for i in range(missing)
    ]
    Stakeholder.objects.bulk_create(new)
    contacted = rng.sample(new, k=len(new) // 3)
    meetings = [
        Interaction(
            account=account,
            kind=rng.choice([InteractionKind.OFFICE_MEETING, InteractionKind.PHONE_CONSULTATION]),
            occurred_on=today - timedelta(days=rng.randint(1, 200)),
            logged_by=account.kam,
        )
        for _ in contacted
    ]
    Interaction.objects.bulk_create(meetings)
    Interaction.stakeholders.through.objects.bulk_create(
        [
            Interaction.stakeholders.through(interaction_id=m.pk, stakeholder_id=p.pk)
            for m, p in zip(meetings, contacted, strict=True)
        ]
    )
