"""A believable KAM programme, built deterministically from a seed, in bulk.

`seed_demo` uses it for the demo and for scale data (100,000 accounts and more); the tests' factories
share its vocabulary. Rows are built in memory per chunk of accounts and written with bulk inserts,
one insert per table per chunk, never one row at a time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from accounts.demo.languages import DEMO_LANGUAGES, KEY_ACCOUNT_MARKETS, PEOPLE_BY_COUNTRY, person_name
from accounts.models import (
    Account,
    AccountTeamMember,
    Attitude,
    BuyingRole,
    ExchangeRate,
    FinancialPeriod,
    Interaction,
    InteractionKind,
    LifecycleChange,
    LifecycleStatus,
    RelationshipStrength,
    Stakeholder,
    TeamFunction,
    User,
)
from kam.core.bulk_insert import insert_rows
from kam.core.periods import add_months, month_start

FINANCIAL_COLUMNS = [
    "account_id",
    "period",
    "revenue",
    "gross_margin",
    "cost_to_serve",
    "days_to_pay",
    "currency",
    "created_at",
    "updated_at",
]


DEMO_PASSWORD = "kam-demo-2026"


# (username, first, last, function, champion, what they do in the demo)
DEMO_PEOPLE = [
    ("jan", "Jan", "Kowalczyk", TeamFunction.SALES, True, "KAM champion"),
    ("magda", "Magda", "Nowak", TeamFunction.SALES, False, "key account manager"),
    ("oliver", "Oliver", "Schmidt", TeamFunction.SALES, False, "key account manager"),
    ("ewa", "Ewa", "Lis", TeamFunction.OTHER, False, "executive sponsor (board member)"),
    (
        "tomasz",
        "Tomasz",
        "Wójcik",
        TeamFunction.OPERATIONS,
        False,
        "account team member, operations",
    ),
    ("shirin", "شیرین", "رضایی", TeamFunction.SALES, False, "key account manager, reads kam in Persian"),
    ("marek", "Marek", "Zieliński", TeamFunction.OTHER, False, "executive sponsor (CFO), reads Polish"),
]


# People without a printed login who make the programme look real.
SUPPORTING_PEOPLE = [
    ("anna", "Anna", "Berg", TeamFunction.SALES),
    ("claire", "Claire", "Dubois", TeamFunction.OTHER),  # sponsor: CEO
    ("piotr", "Piotr", "Mazur", TeamFunction.SUPPLY_CHAIN),
    ("sofia", "Sofia", "Rossi", TeamFunction.FINANCE),
    ("henrik", "Henrik", "Larsen", TeamFunction.ENGINEERING),
    ("lena", "Lena", "Fischer", TeamFunction.SERVICE),
]


MARKETS = [  # country, currency, rate to EUR (candidates' countries)
    ("PL", "PLN", Decimal("0.2310")),
    ("DE", "EUR", Decimal("1")),
    ("FR", "EUR", Decimal("1")),
    ("NL", "EUR", Decimal("1")),
    ("IT", "EUR", Decimal("1")),
    ("GB", "GBP", Decimal("1.1650")),
    ("US", "USD", Decimal("0.9210")),
    ("SE", "SEK", Decimal("0.0870")),
    ("CZ", "CZK", Decimal("0.0398")),
]

ALL_MARKETS = MARKETS + KEY_ACCOUNT_MARKETS


INDUSTRIES = [
    "Steel",
    "Automotive",
    "Food and beverage",
    "Chemicals",
    "Packaging",
    "Construction",
    "Energy",
    "Pharmaceuticals",
    "Logistics",
    "Electronics",
]


KEY_ACCOUNT_NAMES = [
    ("Baltic Steel", "PL", "Steel"),
    ("Rheinmetall Components", "DE", "Automotive"),
    ("Nordic Paper Mills", "SE", "Packaging"),
    ("Vistula Foods", "PL", "Food and beverage"),
    ("Lyon Chimie", "FR", "Chemicals"),
    ("Thames Infrastructure", "GB", "Construction"),
    ("Great Lakes Energy", "US", "Energy"),
    ("داروسازی البرز", "AE", "Pharmaceuticals"),
    ("Dutch Harbour Logistics", "NL", "Logistics"),
    ("台灣精密電子", "TW", "Electronics"),
    ("Silesia Auto Parts", "PL", "Automotive"),
    ("Степной пищевой комбинат", "KZ", "Food and beverage"),
    ("Atlantic Packaging", "US", "Packaging"),
    ("Göteborg Marine", "SE", "Logistics"),
    ("Provence Pharma", "FR", "Pharmaceuticals"),
]


NAME_PARTS = (
    [
        "Alpha",
        "Nova",
        "Vector",
        "Summit",
        "Delta",
        "Orion",
        "Polar",
        "Granite",
        "Harbor",
        "Iron",
        "Crest",
        "Meridian",
        "Pioneer",
        "Zenith",
        "Evergreen",
        "Falcon",
        "Cobalt",
        "Sterling",
        "Titan",
        "Aurora",
        "Baltic",
        "Carpathian",
        "Danube",
        "Rhine",
        "Alpine",
        "Nordic",
        "Atlas",
        "Quantum",
    ],
    [
        "Steel",
        "Motors",
        "Foods",
        "Chemicals",
        "Packaging",
        "Builders",
        "Power",
        "Pharma",
        "Freight",
        "Systems",
        "Plastics",
        "Glass",
        "Textiles",
        "Machines",
        "Metals",
        "Agro",
        "Labs",
        "Works",
    ],
    ["S.A.", "GmbH", "Ltd", "Inc.", "AB", "s.r.o.", "B.V.", "S.p.A.", "SAS", "Group"],
)


FIRST_NAMES = [
    "Anna",
    "Piotr",
    "Katarzyna",
    "Michael",
    "Sarah",
    "Jean",
    "Marie",
    "Lars",
    "Ingrid",
    "Giulia",
    "Marco",
    "Jana",
    "Petr",
    "Emma",
    "James",
    "Olga",
    "Tomas",
    "Eva",
    "Hans",
    "Sophie",
    "Lukas",
    "Elena",
    "David",
    "Laura",
    "Martin",
    "Nina",
    "Pavel",
    "Clara",
]


LAST_NAMES = [
    "Kowalski",
    "Müller",
    "Dubois",
    "Rossi",
    "Novak",
    "Smith",
    "Johansson",
    "Jansen",
    "Svoboda",
    "Schneider",
    "Bernard",
    "Bianchi",
    "Andersson",
    "de Vries",
    "Brown",
    "Wiśniewska",
    "Fischer",
    "Moreau",
    "Ferrari",
    "Dvořák",
    "Taylor",
    "Nilsson",
    "Bakker",
]


# An org chart's shape: (title, department, buying role, typical influence)
TOP = ("Chief Executive Officer", "Management board", BuyingRole.DECISION_MAKER, 5)


DIRECTORS = [
    ("Chief Operating Officer", "Operations", BuyingRole.DECISION_MAKER, 5),
    ("Chief Financial Officer", "Finance", BuyingRole.ECONOMIC_BUYER, 5),
    ("Procurement Director", "Procurement", BuyingRole.DECISION_MAKER, 5),
    ("Technical Director", "Engineering", BuyingRole.TECHNICAL_BUYER, 4),
    ("Head of Quality", "Quality", BuyingRole.INFLUENCER, 4),
    ("Supply Chain Director", "Supply chain", BuyingRole.INFLUENCER, 4),
]


STAFF = [
    ("Category Manager", "Procurement", BuyingRole.GATEKEEPER, 3),
    ("Buyer", "Procurement", BuyingRole.GATEKEEPER, 2),
    ("Plant Manager", "Operations", BuyingRole.USER, 3),
    ("Production Engineer", "Engineering", BuyingRole.USER, 2),
    ("Quality Engineer", "Quality", BuyingRole.USER, 2),
    ("Logistics Manager", "Supply chain", BuyingRole.USER, 3),
    ("R&D Specialist", "Engineering", BuyingRole.COACH, 2),
    ("Controller", "Finance", BuyingRole.INFLUENCER, 2),
]


NEEDS = [
    ("Secure supply at stable cost", "Fewer line stoppages", "Be seen as the one who cut costs"),
    ("Grow in new markets", "Faster qualification of new grades", "Wants a reference project"),
    ("Reduce working capital", "Predictable deliveries", "Prefers short, factual meetings"),
    ("Meet CO2 targets", "Certified low-carbon material", "Career move to the board"),
]


SPONSOR_VISIT_NOTES = [
    "Quarterly business review",
    "Executive visit at the plant",
    "Dinner with the board",
    "Strategy workshop",
]


class KeyAccountStory(NamedTuple):
    monthly_revenue_eur: float
    growth: float  # yearly
    margin_then: float  # gross margin rate two years ago, eroding to…
    margin_now: float  # …this in the last twelve months
    cost_to_serve: float  # rate of revenue
    days_to_pay: int
    warmth: str  # how their people are to us (WARMTH)


# Key accounts with a story the portfolio pages tell (docs/journeys.md, Jan at the end of the quarter), by
# position among the key accounts: two slide into Streamline, one of them serving at a loss for four
# quarters (proposed for review for exit), the other on watch; one has shrunk, but the relationship
# holds (Status, on watch). The other key accounts are Strategic.
KEY_ACCOUNT_STORIES = {
    13: KeyAccountStory(55_000, -0.28, 0.17, 0.11, 0.17, 92, "cold"),  # Göteborg Marine
    8: KeyAccountStory(30_000, -0.20, 0.20, 0.15, 0.10, 78, "cool"),  # Dutch Harbour Logistics
    2: KeyAccountStory(10_000, -0.08, 0.24, 0.22, 0.06, 35, "warm"),  # Nordic Paper Mills
}


# How our relationships with an account's people are drawn (attitude opponent … advocate; strength
# none … strong). A candidate is mostly known through its buyers: its decision makers barely know us,
# and many prefer the competitor they buy from today. A candidate a KAM already courts is warmer.
WARMTH = {
    "warm": ([1, 2, 4, 4, 2], [2, 3, 4, 2]),
    "cool": ([1, 10, 2, 0, 0], [0, 7, 3, 0]),
    "cold": ([4, 5, 1, 0, 0], [6, 3, 1, 0]),
}


@dataclass
class DemoOptions:
    accounts: int = 515
    key_accounts: int = 15
    months: int = 24
    seed: int = 2026
    chunk_size: int = 2000
    today: date = field(default_factory=timezone.localdate)


def demo_people() -> dict[str, User]:
    """The demo's users, created once (their passwords are DEMO_PASSWORD)."""
    people = {}
    rows = [(u, f, la, fn, ch) for u, f, la, fn, ch, _ in DEMO_PEOPLE]
    rows += [(u, f, la, fn, False) for u, f, la, fn in SUPPORTING_PEOPLE]
    for username, first, last, function, champion in rows:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "function": function,
                "is_champion": champion,
                "is_staff": champion,
                "is_superuser": champion,
                "email": f"{username}@kam.example",
                "language": DEMO_LANGUAGES.get(username, ""),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        people[username] = user
    return people


def seed_exchange_rates(*, months: int, today: date) -> None:
    """Monthly rates to EUR with a gentle, deterministic drift."""
    end = month_start(today)
    rows = []
    for _country, currency, base in {(m[1], m[2]): m for m in ALL_MARKETS}.values():
        if currency == "EUR":
            continue
        for i in range(months + 1):
            drift = Decimal(str(round(1 + 0.03 * math.sin(i / 4), 6)))
            rows.append(
                ExchangeRate(
                    currency=currency,
                    valid_from=add_months(end, i - months),
                    rate=(base * drift).quantize(Decimal("0.00000001")),
                )
            )
    ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True)


class DemoBuilder:
    """Builds accounts chunk by chunk; every random draw comes from one seeded generator."""

    def __init__(self, options: DemoOptions, people: dict[str, User]):
        self.options = options
        self.rng = random.Random(options.seed)
        self.people = people
        self.kams = [people["magda"], people["oliver"], people["shirin"]]
        self.sponsors = [people["ewa"], people["marek"], people["claire"]]
        self.team_pool = [people[n] for n in ("tomasz", "piotr", "sofia", "henrik", "lena")]
        self.months = [add_months(month_start(options.today), -i) for i in range(options.months, 0, -1)]

    # --- accounts -------------------------------------------------------------------------
    def _account(self, index: int) -> Account:
        rng, today = self.rng, self.options.today
        if index < self.options.key_accounts:
            name, country, industry = KEY_ACCOUNT_NAMES[index % len(KEY_ACCOUNT_NAMES)]
            if index >= len(KEY_ACCOUNT_NAMES):
                name = f"{name} {index // len(KEY_ACCOUNT_NAMES) + 1}"
            currency = next(m[1] for m in ALL_MARKETS if m[0] == country)
            # Magda has four accounts (Baltic Steel first), Ewa sponsors three of them.
            kam = self.people["magda"] if index in (0, 3, 10, 12) else self.kams[1 + index % 2]
            sponsor = self.people["ewa"] if index in (0, 3, 10) else self.sponsors[1 + index % 2]
            if index == 14:
                sponsor = None  # one key account without a sponsor: the dashboard must show it
            return Account(
                name=name,
                external_id=f"CRM-{index + 1:07d}",
                status=LifecycleStatus.KEY,
                key_since=today - timedelta(days=rng.randint(200, 1500)),
                industry=industry,
                country=country,
                currency=currency,
                kam=kam,
                executive_sponsor=sponsor,
                retention_estimate=Decimal(rng.choice(["0.850", "0.900", "0.800", "0.950"])),
            )
        country, currency, _rate = rng.choice(MARKETS)
        name = f"{rng.choice(NAME_PARTS[0])} {rng.choice(NAME_PARTS[1])} {rng.choice(NAME_PARTS[2])}"
        exited = index < self.options.key_accounts + 2
        return Account(
            name=name,
            external_id=f"CRM-{index + 1:07d}",
            status=LifecycleStatus.EXITED if exited else LifecycleStatus.CANDIDATE,
            key_since=today - timedelta(days=900) if exited else None,
            exited_on=today - timedelta(days=120) if exited else None,
            exit_reason="Margin after cost-to-serve negative for four quarters" if exited else "",
            industry=rng.choice(INDUSTRIES),
            country=country,
            currency=currency,
            kam=self.kams[index % 3] if exited or rng.random() < 0.04 else None,
        )

    # --- financials -----------------------------------------------------------------------
    def _story(self, index: int) -> KeyAccountStory | None:
        return KEY_ACCOUNT_STORIES.get(index) if index < self.options.key_accounts else None

    def _warmth(self, account: Account, index: int) -> str:
        story = self._story(index)
        if story:
            return story.warmth
        if account.status == LifecycleStatus.KEY or (
            account.status == LifecycleStatus.CANDIDATE and account.kam_id
        ):
            return "warm"
        return "cool"

    def _financials(self, account: Account, index: int, now) -> list[tuple]:
        """Rows for FINANCIAL_COLUMNS: a base size, a yearly trend, seasonality and noise.

        Candidates differ in margin and cost-to-serve far more than key accounts do: many buy on price
        and cost a lot to serve, so a big candidate is not necessarily a profitable one.
        """
        rng = self.rng
        key = account.status == LifecycleStatus.KEY
        rate = next(m[2] for m in ALL_MARKETS if m[1] == account.currency)
        if key:
            base_eur = rng.lognormvariate(12.6, 0.5)
            growth = rng.uniform(-0.12, 0.22)  # yearly
            margin_rate, serve_rate, days = (
                rng.uniform(0.16, 0.36),
                rng.uniform(0.02, 0.10),
                rng.randint(20, 85),
            )
        else:
            # The bigger a customer that is not (yet) key, the harder it buys: thinner margins, longer
            # payment terms, less room to grow. The most profitable candidates are mid-sized ones.
            size = rng.gauss(0, 1)
            base_eur = math.exp(10.2 + size)
            bigger = max(size, 0.0)
            growth = rng.uniform(-0.2, 0.12) - 0.04 * bigger
            margin_rate = min(0.40, max(0.05, rng.uniform(0.10, 0.34) - 0.06 * size))
            serve_rate = rng.uniform(0.03, 0.16)
            days = rng.randint(30, 80) + round(15 * bigger)
        if account.status == LifecycleStatus.EXITED:
            serve_rate *= 1.8
        margin_then = margin_rate
        story = self._story(index)
        if story:
            base_eur, growth, margin_then, margin_rate, serve_rate, days, _warmth = story
        base = base_eur / float(rate)
        rows = []
        n = len(self.months)
        for i, period in enumerate(self.months):
            trend = (1 + growth) ** ((i - n) / 12)
            season = 1 + 0.12 * math.sin(2 * math.pi * (period.month - 3) / 12)
            revenue = base * trend * season * rng.uniform(0.9, 1.1)
            # A story's gross margin erodes through the first year on record and stays low in the last.
            period_margin = margin_then + (margin_rate - margin_then) * min(1.0, (i + 1) / min(n, 12))
            margin = revenue * period_margin * rng.uniform(0.93, 1.07)
            serve = revenue * serve_rate * rng.uniform(0.8, 1.2)
            rows.append(
                (
                    account.pk,
                    period,
                    f"{revenue:.2f}",
                    f"{margin:.2f}",
                    f"{serve:.2f}",
                    max(5, days + rng.randint(-6, 6)),
                    account.currency,
                    now,
                    now,
                )
            )
        return rows

    # --- stakeholders ---------------------------------------------------------------------
    def _person(self, account: Account, role_row, index: int, warmth: str = "warm") -> Stakeholder:
        rng = self.rng
        attitudes, strengths = WARMTH[warmth]
        title, department, buying_role, influence = role_row
        first_names, last_names = PEOPLE_BY_COUNTRY.get(account.country, (FIRST_NAMES, LAST_NAMES))
        first, last = rng.choice(first_names), rng.choice(last_names)
        needs = rng.choice(NEEDS)
        email = f"{first}.{last}@{account.name.split()[0]}.example".lower().replace(" ", "")
        if not email.isascii():
            email = f"contact{index:03d}@{account.external_id.lower()}.example"
        return Stakeholder(
            account=account,
            external_id=f"{account.external_id}-P{index:03d}",
            name=person_name(account.country, first, last),
            title=title,
            department=department,
            email=email,
            buying_role=buying_role,
            influence=max(1, min(5, influence + rng.choice([-1, 0, 0, 1]))),
            attitude=rng.choices(list(Attitude.values), weights=attitudes)[0],
            relationship_strength=rng.choices(list(RelationshipStrength.values), weights=strengths)[0],
            competitor_relationship_strength=rng.choice([None, *RelationshipStrength.values]),
            relationship_owner=account.kam if rng.random() < 0.6 else None,
            needs_organisation=needs[0],
            needs_department=needs[1],
            needs_personal=needs[2],
        )

    def _org_chart_levels(
        self, account: Account, size: int, warmth: str = "warm"
    ) -> list[list[tuple[Stakeholder, int | None]]]:
        """People by level; each carries the index (in the level above) of the person they report to."""
        if size <= 0:
            return []
        if warmth == "cool" and account.status != LifecycleStatus.KEY:
            return self._procurement_contacts(account, size)
        top = [(self._person(account, TOP, 0, warmth), None)]
        directors = [
            (self._person(account, DIRECTORS[i % len(DIRECTORS)], 1 + i, warmth), 0)
            for i in range(min(size - 1, len(DIRECTORS)))
        ]
        staff = [
            (
                self._person(account, self.rng.choice(STAFF), 1 + len(directors) + i, warmth),
                self.rng.randrange(len(directors)),
            )
            for i in range(max(0, size - 1 - len(directors)))
        ]
        return [level for level in (top, directors, staff) if level]

    def _procurement_contacts(
        self, account: Account, size: int
    ) -> list[list[tuple[Stakeholder, int | None]]]:
        """A candidate nobody courts is known through procurement: its director and buyers, no higher."""
        top = [(self._person(account, DIRECTORS[2], 0, "cool"), None)]  # the procurement director
        buyers = [(self._person(account, STAFF[1], 1 + i, "cool"), 0) for i in range(size - 1)]
        return [level for level in (top, buyers) if level]

    # --- one chunk ------------------------------------------------------------------------
    def build_chunk(self, start: int, stop: int) -> None:
        options = self.options
        accounts = [self._account(i) for i in range(start, stop)]
        Account.objects.bulk_create(accounts)

        now = timezone.now()
        insert_rows(
            FinancialPeriod,
            FINANCIAL_COLUMNS,
            (row for i, a in enumerate(accounts, start=start) for row in self._financials(a, i, now)),
        )

        charts, warmth = [], {}
        for index, a in enumerate(accounts, start=start):
            key = a.status == LifecycleStatus.KEY
            warmth[a.pk] = self._warmth(a, index)
            size = self.rng.randint(5, 40) if key else self.rng.choice([0, 1, 2, 3, 4])
            charts.append((a, self._org_chart_levels(a, size, warmth[a.pk])))
        people_by_account: dict[int, list[Stakeholder]] = {}
        for depth in range(3):
            rows = []
            for _account, levels in charts:
                if depth < len(levels):
                    for person, parent_index in levels[depth]:
                        if parent_index is not None:
                            person.reports_to = levels[depth - 1][parent_index][0]
                        rows.append(person)
            Stakeholder.objects.bulk_create(rows, batch_size=5000)
            for person in rows:
                people_by_account.setdefault(person.account_id, []).append(person)

        team, lifecycle, interactions, links, participants = [], [], [], [], []
        for position, a in enumerate(accounts, start=start):
            key = a.status == LifecycleStatus.KEY
            if key or a.status == LifecycleStatus.EXITED:
                lifecycle.append(
                    LifecycleChange(
                        account=a,
                        from_status=LifecycleStatus.CANDIDATE,
                        to_status=LifecycleStatus.KEY,
                        effective_on=a.key_since,
                        reason="Qualified in the programme review",
                        changed_by=self.people["jan"],
                    )
                )
            if a.status == LifecycleStatus.EXITED:
                lifecycle.append(
                    LifecycleChange(
                        account=a,
                        from_status=LifecycleStatus.KEY,
                        to_status=LifecycleStatus.EXITED,
                        effective_on=a.exited_on,
                        reason=a.exit_reason,
                        changed_by=self.people["jan"],
                    )
                )
            if key:
                members = self.rng.sample(self.team_pool, self.rng.randint(0 if position % 7 == 6 else 1, 3))
                if a.kam == self.people["magda"] and a.name in ("Baltic Steel", "Vistula Foods"):
                    members = [
                        self.people["tomasz"],
                        *[m for m in members if m.username != "tomasz"],
                    ]
                team += [AccountTeamMember(account=a, user=m, function=m.function) for m in members]
            people = [p for p in people_by_account.get(a.pk, [])]
            if key:  # a key account cooling off is met less and less
                count = self.rng.randint(*{"warm": (10, 30), "cool": (3, 8), "cold": (1, 3)}[warmth[a.pk]])
            else:  # a candidate a KAM courts is met every month or two; sales calls on the others
                count = self.rng.randint(4, 8) if warmth[a.pk] == "warm" else self.rng.randint(1, 3)
            # A candidate nobody courts: sales meets its buyers, one at a time, not the people who decide,
            # and only its recent calls are logged.
            buyers_only = warmth[a.pk] == "cool" and not key
            met, logged_days = (people[-2:], 180) if buyers_only else (people, 360)
            for _ in range(count if people else 0):
                occurred = options.today - timedelta(days=self.rng.randint(1, logged_days))
                kind = self.rng.choice(list(InteractionKind.values))
                visit = kind == InteractionKind.EXECUTIVE_VISIT and a.executive_sponsor
                interaction = Interaction(
                    account=a,
                    kind=kind,
                    occurred_on=occurred,
                    notes=self.rng.choice(SPONSOR_VISIT_NOTES) if visit else "",
                    logged_by=a.executive_sponsor if visit else a.kam,
                )
                who = self.rng.sample(met, 1 if buyers_only else min(len(met), self.rng.randint(1, 3)))
                ours = [u for u in (a.executive_sponsor if visit else a.kam,) if u]
                interactions.append((interaction, who, ours))
        AccountTeamMember.objects.bulk_create(team)
        LifecycleChange.objects.bulk_create(lifecycle)
        Interaction.objects.bulk_create([i for i, _, _ in interactions], batch_size=5000)
        for interaction, who, ours in interactions:
            links += [(interaction.pk, p.pk) for p in who]
            participants += [(interaction.pk, u.pk) for u in ours]
        insert_rows(Interaction.stakeholders.through, ["interaction_id", "stakeholder_id"], links)
        insert_rows(Interaction.participants.through, ["interaction_id", "user_id"], participants)
        if start == 0 and accounts and accounts[0].name == "Baltic Steel":
            self._baltic_steel_story(accounts[0], people_by_account.get(accounts[0].pk, []))

    def _baltic_steel_story(self, account: Account, people: list[Stakeholder]) -> None:
        """Magda's Monday (docs/journeys.md): a neutral, decisive procurement director met 104 days ago."""
        director = next((p for p in people if p.title == "Procurement Director"), None)
        if not director:
            return
        Stakeholder.objects.filter(pk=director.pk).update(
            attitude=Attitude.NEUTRAL,
            influence=5,
            competitor_relationship_strength=RelationshipStrength.STRONG,
        )
        last_met = self.options.today - timedelta(days=104)
        Interaction.stakeholders.through.objects.filter(
            stakeholder=director, interaction__occurred_on__gt=last_met
        ).delete()
        meeting = Interaction.objects.create(
            account=account,
            kind=InteractionKind.OFFICE_MEETING,
            occurred_on=last_met,
            notes="Annual price talks; they are also talking to our competitor.",
            logged_by=account.kam,
        )
        meeting.stakeholders.add(director)
