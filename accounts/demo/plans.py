"""Demo account plans, offerings and the opportunity map for the key accounts."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.demo.records import NEEDS, DemoOptions
from accounts.models import (
    PLAN_FRESHNESS_DAYS,
    Account,
    AccountPlan,
    AccountTeamMember,
    BuyingCentre,
    Offering,
    OpportunityCell,
    OpportunityStatus,
    PlanAction,
    PlanObjective,
    PlanRisk,
    PlanStatus,
    PlanStatusChange,
    ResourceRequest,
    ResourceRequestStatus,
    TeamFunction,
    User,
)

OFFERINGS = [
    ("Coated steel", "Galvanised and organic-coated coil"),
    ("Stainless grades", "Austenitic and duplex sheet"),
    ("Technical service", "Application engineers on site"),
    ("Vendor-managed inventory", "We keep their stock"),
    ("Just-in-time delivery", "Daily call-offs"),
    ("Recycling take-back", "Closed-loop scrap"),
    ("Low-carbon material", "Certified CO2 footprint"),
    ("Digital ordering", "EDI and portal"),
]


BUYING_CENTRES = ["Headquarters procurement", "Main plant", "Second plant", "R&D centre", "Service division"]


# (title, strategy, target): lean, measurable, one line each.
OBJECTIVES = [
    ("Keep our share in coated steel", "protect", "Keep 70 % share of wallet in coated steel"),
    ("Enter the second plant", "penetrate", "First framework order by the end of Q2"),
    ("Sell technical service", "expand", "Two service contracts signed"),
    ("Qualify low-carbon grades", "expand", "Qualification passed, 5,000 t in the plan"),
    ("Defend against the competitor's price offer", "protect", "No volume lost in the annual tender"),
]


ACTIONS = [
    "Agree priority allocation for Q1",
    "Run a line trial with the new grade",
    "Present the cost-to-serve analysis",
    "Set up vendor-managed inventory pilot",
    "Prepare the reference visit",
    "Align payment terms with finance",
]


# Done with the customer, so shared in the joint account plan; the others are ours alone.
JOINT_ACTIONS = {
    "Run a line trial with the new grade",
    "Set up vendor-managed inventory pilot",
    "Prepare the reference visit",
    "Agree priority allocation for Q1",
}


RESOURCE_ASKS = [
    (TeamFunction.ENGINEERING, "An application engineer, 10 days"),
    (TeamFunction.SUPPLY_CHAIN, "Safety stock of 500 t at the Gdańsk warehouse"),
    (TeamFunction.FINANCE, "Extended payment terms (60 days) approval"),
    (TeamFunction.OPERATIONS, "Priority slot on line 3 during the trial"),
    (TeamFunction.SERVICE, "A service technician on call for the launch"),
]


RISKS = [
    ("Competitor offers 5 % lower price", "Lead with total cost and service, not price"),
    ("The procurement director is neutral and influential", "Executive visit and a reference project"),
    ("Single-threaded through one buyer", "Meet the COO and the head of quality"),
]


# Status per key account index: Baltic Steel waits for Magda to submit (docs/journeys.md); Vistula Foods
# waits for Ewa's endorsement; most others are approved or running; one has no plan at all.
PLAN_STATUS_BY_INDEX = {0: "draft", 3: "submitted", 5: "submitted", 7: "draft", 9: None, 10: "active"}


def seed_plans(options: DemoOptions, people: dict[str, User]) -> None:
    """Offerings catalogue, whitespace maps and one plan per key account, in a few bulk inserts."""
    rng, today = random.Random(options.seed + 5), options.today
    # The catalogue is programme-wide and outlives accounts: add only what is missing.
    existing = set(Offering.objects.values_list("name", flat=True))
    bulk_create_with_history(
        [
            Offering(name=n, description=d, position=i)
            for i, (n, d) in enumerate(OFFERINGS)
            if n not in existing
        ],
        Offering,
    )
    offerings = list(Offering.objects.order_by("position"))
    accounts = list(
        Account.objects.key_accounts().select_related("kam", "executive_sponsor").order_by("external_id")
    )
    centres = BuyingCentre.objects.bulk_create(
        [
            BuyingCentre(account=a, name=name, position=i)
            for a in accounts
            for i, name in enumerate(BUYING_CENTRES[: rng.randint(2, 4)])
        ]
    )
    cells = []
    for centre in centres:
        for offering in offerings:
            status = rng.choices(list(OpportunityStatus.values), weights=[4, 3, 2, 3])[0]
            if status != OpportunityStatus.NOT_RELEVANT:
                value = Decimal(rng.randrange(20, 800) * 1000)
                cells.append(
                    OpportunityCell(
                        buying_centre=centre, offering=offering, status=status, estimated_value=value
                    )
                )
    OpportunityCell.objects.bulk_create(cells)

    start = today.replace(month=1, day=1)
    plans, statuses = [], {}
    for index, account in enumerate(accounts):
        status = PLAN_STATUS_BY_INDEX.get(index, "approved")
        if status is None:
            continue
        reviewed = today - timedelta(days=rng.randint(10, 120)) if status in ("approved", "active") else None
        plan = AccountPlan(
            account=account,
            period_start=start,
            period_end=start.replace(year=start.year + 1) - timedelta(days=1),
            status=status,
            needs_organisation=rng.choice(NEEDS)[0],
            needs_department=rng.choice(NEEDS)[1],
            needs_personal=rng.choice(NEEDS)[2],
            value_terms="Annual price with quarterly index; 45 days payment",
            value_dedicated_offer="Dedicated application engineer; consignment stock",
            value_loyalty_terms="Volume rebate of 1.5 % above 20,000 t",
            sponsor_visits_per_year=rng.choice([2, 3, 4]),
            sponsor_commitments="Opens the annual business review" if account.executive_sponsor else "",
            reviewed_on=reviewed,
            review_due_on=reviewed + timedelta(days=PLAN_FRESHNESS_DAYS) if reviewed else None,
            created_by=account.kam,
        )
        plans.append(plan)
        statuses[account.pk] = status
    plans = bulk_create_with_history(plans, AccountPlan)
    plans = list(AccountPlan.objects.filter(account__in=accounts).select_related("account"))

    steps, objectives = [], []
    path = ["draft", "submitted", "approved", "active"]
    for plan in plans:
        reached = path.index(plan.status)
        for i in range(reached):
            approver = plan.account.executive_sponsor or people["jan"]
            steps.append(
                PlanStatusChange(
                    plan=plan,
                    from_status=path[i],
                    to_status=path[i + 1],
                    changed_by=approver if path[i + 1] == PlanStatus.APPROVED else plan.account.kam,
                    changed_at=timezone.now() - timedelta(days=130 - 20 * i),
                )
            )
        for title, strategy, target in rng.sample(OBJECTIVES, rng.randint(2, 3)):
            objectives.append(PlanObjective(plan=plan, title=title, strategy=strategy, target=target))
    PlanStatusChange.objects.bulk_create(steps)
    bulk_create_with_history(objectives, PlanObjective)
    objectives = list(PlanObjective.objects.filter(plan__in=plans).select_related("plan__account"))

    cells_by_account: dict[int, list[OpportunityCell]] = {}
    for cell in OpportunityCell.objects.filter(buying_centre__account__in=accounts).select_related(
        "buying_centre"
    ):
        if cell.status in (OpportunityStatus.POTENTIAL, OpportunityStatus.IN_PROGRESS):
            cells_by_account.setdefault(cell.buying_centre.account_id, []).append(cell)
    Link = PlanObjective.opportunities.through
    links = []
    for objective in objectives:
        pool = cells_by_account.get(objective.plan.account_id, [])
        if objective.strategy != "protect" and pool:
            links.append(Link(planobjective_id=objective.pk, opportunitycell_id=rng.choice(pool).pk))
    Link.objects.bulk_create(links)

    team = {}
    for member in AccountTeamMember.objects.filter(account__in=accounts).select_related("user"):
        team.setdefault(member.account_id, []).append(member.user)
    actions = []
    for objective in objectives:
        account = objective.plan.account
        owners = team.get(account.pk) or [account.kam]
        for _ in range(rng.randint(1, 2)):
            due = today + timedelta(days=rng.randint(-30, 60))
            done = due < today and rng.random() < 0.6
            description = rng.choice(ACTIONS)
            actions.append(
                PlanAction(
                    plan=objective.plan,
                    objective=objective,
                    description=description,
                    owner=rng.choice(owners),
                    due_on=due,
                    status="done" if done else "open",
                    done_on=due if done else None,
                    note="Done as agreed" if done else "",
                    shared_with_customer=description in JOINT_ACTIONS,
                )
            )
    # Magda's Monday: Baltic Steel has two overdue actions, and Tomasz a fresh one from her.
    baltic = next((p for p in plans if p.account.name == "Baltic Steel"), None)
    if baltic:
        first = next(o for o in objectives if o.plan_id == baltic.pk)
        for days, text in [(-9, "Send the revised allocation plan"), (-3, "Book the quality audit")]:
            actions.append(
                PlanAction(
                    plan=baltic,
                    objective=first,
                    description=text,
                    owner=baltic.account.kam,
                    due_on=today + timedelta(days=days),
                )
            )
        actions.append(
            PlanAction(
                plan=baltic,
                objective=first,
                description="Agree priority allocation for Q1",
                owner=people["tomasz"],
                due_on=today + timedelta(days=14),
                shared_with_customer=True,
            )
        )
    bulk_create_with_history(actions, PlanAction)

    asks, risks = [], []
    for plan in plans:
        for unit, what in rng.sample(RESOURCE_ASKS, rng.randint(1, 2)):
            status = rng.choices(list(ResourceRequestStatus.values), weights=[3, 2, 1])[0]
            asked = today - timedelta(days=rng.randint(5, 60))
            asks.append(
                ResourceRequest(
                    plan=plan,
                    business_unit=unit,
                    request=what,
                    status=status,
                    requested_on=asked,
                    requested_by=plan.account.kam,
                    answer=""
                    if status == "requested"
                    else ("Agreed from next month" if status == "agreed" else "No capacity this quarter"),
                    answered_on=None if status == "requested" else asked + timedelta(days=4),
                )
            )
        for description, mitigation in rng.sample(RISKS, rng.randint(1, 2)):
            risks.append(
                PlanRisk(plan=plan, description=description, mitigation=mitigation, impact=rng.randint(1, 3))
            )
    bulk_create_with_history(asks, ResourceRequest)
    bulk_create_with_history(risks, PlanRisk)
