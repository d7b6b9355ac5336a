"""The account page's History: every change to the account's records, in the words people use.

Each record kept with django-simple-history is read the same way: the latest rows of the account, the
row each of them follows (its old values), and every field that changed, old → new, with choices as
their labels, dates in the language's date format, and people, managers and objectives named as they
were at the time. A fixed number of queries whatever the account's size: one listing the latest rows
of every record type, one per record type among them for those rows and the rows they follow, and one
per kind of thing they name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, models
from django.db.models import F, Q, Value, Window
from django.db.models.functions import Lag
from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import (
    Account,
    AccountInvestment,
    AccountPlan,
    BuyingCentre,
    Offering,
    OpportunityCell,
    PlanAction,
    PlanObjective,
    PlanRisk,
    ResourceRequest,
    Stakeholder,
    Survey,
    User,
)
from kam.core.locales import format_local_date
from kam.core.periods import quarter_label
from kam.core.versions import history_manager

HISTORY_SHOWN = 30


@dataclass
class HistoryEntry:
    when: object
    who: object
    person: str  # what changed, as people call it: a person's name, "office meeting of 3 Nov 2026"
    kind: str  # "+" added, "~" changed, "-" removed, "left" a person marked as left
    changes: list  # (label, old, new), in words
    subject: str = "stakeholder"  # which record type, for the sentence: see TRACKED
    left_on: date | None = None  # for "left": the day they left

    @property
    def what(self) -> str:
        """The record as the sentence names it: "the action “Book the audit”"."""
        return SUBJECTS.get(self.subject, "%(name)s") % {"name": self.person}


@dataclass(frozen=True)
class Tracked:
    subject: str
    model: type[models.Model]
    scope: Callable[[Account], Q]  # the account's rows, on the historical model
    name: Callable[[object], str]  # what the entry names, read from the historical row alone
    hidden: tuple[str, ...] = ()  # fields that say nothing to a reader (the parent, copies' origin)


def _plans(account: Account):
    return AccountPlan.objects.filter(account_id=account.pk).values("pk")


def _quoted(text) -> str:
    return f"“{Truncator(text or '').chars(80)}”"


TRACKED = (
    Tracked("account", Account, lambda a: Q(id=a.pk), lambda r: r.name),
    Tracked("stakeholder", Stakeholder, lambda a: Q(account_id=a.pk), lambda r: r.name, ("account",)),
    Tracked(
        "plan",
        AccountPlan,
        lambda a: Q(account_id=a.pk),
        lambda r: (
            _("%(start)s to %(end)s")
            % {"start": format_local_date(r.period_start), "end": format_local_date(r.period_end)}
        ),
        ("account", "copied_from", "created_by"),
    ),
    Tracked(
        "objective", PlanObjective, lambda a: Q(plan_id__in=_plans(a)), lambda r: _quoted(r.title), ("plan",)
    ),
    Tracked(
        "action", PlanAction, lambda a: Q(plan_id__in=_plans(a)), lambda r: _quoted(r.description), ("plan",)
    ),
    Tracked(
        "resource_request",
        ResourceRequest,
        lambda a: Q(plan_id__in=_plans(a)),
        lambda r: _quoted(r.request),
        ("plan",),
    ),
    Tracked(
        "risk", PlanRisk, lambda a: Q(plan_id__in=_plans(a)), lambda r: _quoted(r.description), ("plan",)
    ),
    Tracked(
        "survey",
        Survey,
        lambda a: Q(account_id=a.pk),
        lambda r: format_local_date(r.surveyed_on),
        ("account",),
    ),
    Tracked(
        "investment",
        AccountInvestment,
        lambda a: Q(account_id=a.pk),
        lambda r: quarter_label(r.period_start),
        ("account",),
    ),
    Tracked(
        "opportunity",
        OpportunityCell,
        lambda a: Q(buying_centre_id__in=BuyingCentre.objects.filter(account_id=a.pk).values("pk")),
        lambda r: "",  # named from its buying centre and offering, looked up with the other names
    ),
)

# Never shown as a change: bookkeeping, and how the row came to be.
BOOKKEEPING = {"id", "version", "created_at", "updated_at", "external_id"}

# What each record type's sentence says, e.g. "changed the action “Book the audit”".
SUBJECTS = {
    "account": gettext_lazy("the account %(name)s"),
    "stakeholder": "%(name)s",
    "plan": gettext_lazy("the account plan %(name)s"),
    "objective": gettext_lazy("the objective %(name)s"),
    "action": gettext_lazy("the action %(name)s"),
    "resource_request": gettext_lazy("the resource request %(name)s"),
    "risk": gettext_lazy("the risk %(name)s"),
    "survey": gettext_lazy("the survey of %(name)s"),
    "investment": gettext_lazy("the investment for %(name)s"),
    "opportunity": gettext_lazy("the whitespace cell %(name)s"),
}


def _fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in BOOKKEEPING and not f.name.startswith("history")
    ]


def latest_rows_query(account: Account, limit: int):
    parts = []
    for index, tracked in enumerate(TRACKED):
        follows = Window(
            Lag("history_id"), partition_by=[F("id")], order_by=[F("history_date"), F("history_id")]
        )
        parts.append(
            history_manager(tracked.model)
            .filter(tracked.scope(account))
            .order_by()  # a compound statement's parts take no ORDER BY (the model's default has one)
            .annotate(record_type=Value(index), follows=follows)
            .values_list("record_type", "id", "history_id", "history_date", "follows")
        )
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")[:limit]


# An account id no row has, standing for the account in the statement compiled once (see below).
_ANY_ACCOUNT = -2_000_000_011


@functools.cache
def _latest_rows_statement(limit: int) -> tuple[str, tuple]:
    """The listing's SQL, compiled once per process: ten record types' windowed parts cost the ORM
    about 10 ms to build and compile, on every view of the page, for a statement that differs only in
    the account's id."""
    return latest_rows_query(Account(pk=_ANY_ACCOUNT), limit).query.sql_with_params()


def latest_rows(account: Account, limit: int = HISTORY_SHOWN) -> list[tuple]:
    """(record type, record id, history id, history date, history id it follows) of the latest rows;
    the date as the database gives it (only the ids are read)."""
    sql, params = _latest_rows_statement(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, [account.pk if p == _ANY_ACCOUNT else p for p in params])
        return cursor.fetchall()


class _Names:
    """Names of the people and records the rows point to, as they were at a given moment."""

    def __init__(self, rows_by_type: dict[int, list]):
        wanted: dict[type, set] = {}
        for index, rows in rows_by_type.items():
            tracked = TRACKED[index]
            for field in _fields(tracked.model):
                if field.is_relation and field.name not in tracked.hidden:
                    ids = {getattr(r, field.attname) for r in rows} - {None}
                    wanted.setdefault(field.related_model, set()).update(ids)
        self.now: dict[tuple[type, int], str] = {}
        self.then: dict[tuple[type, int], list[tuple[datetime, str]]] = {}
        for model, ids in wanted.items():
            if not ids:
                continue
            if model is User:
                self.now |= {(User, u.pk): str(u) for u in User.objects.filter(pk__in=ids)}
                continue
            label = {Stakeholder: "name", PlanObjective: "title"}.get(model)
            if label is not None:  # kept with history: named as they were then
                history = history_manager(model).filter(id__in=ids).order_by("history_date", "history_id")
                for pk, name, when in history.values_list("id", label, "history_date"):
                    self.then.setdefault((model, pk), []).append((when, name))
                ids = {pk for pk in ids if (model, pk) not in self.then}  # bulk-inserted, never changed
            if ids:
                live = model._default_manager.filter(pk__in=ids)
                self.now |= {(model, o.pk): getattr(o, label) if label else str(o) for o in live}

    def __call__(self, model, pk, at: datetime) -> str:
        rows = self.then.get((model, pk))
        if rows:
            earlier = [name for when, name in rows if when <= at]
            return earlier[-1] if earlier else rows[0][1]
        return self.now.get((model, pk), _("someone no longer recorded"))


def _value(field: models.Field, value, *, at: datetime, names: _Names) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return names(field.related_model, value, at)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return format_local_date(value)
    if isinstance(value, date):
        return format_local_date(value)
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DecimalField | models.FloatField):
        return number_format(value, use_l10n=True, force_grouping=True)
    return Truncator(str(value)).chars(160)


def _entry(tracked: Tracked, record, before, names: _Names) -> HistoryEntry | None:
    name = tracked.name(record)
    if tracked.model is OpportunityCell:
        centre = names(BuyingCentre, record.buying_centre_id, record.history_date)
        name = f"{centre} / {names(Offering, record.offering_id, record.history_date)}"
    entry = HistoryEntry(record.history_date, record.history_user, name, "~", [], tracked.subject)
    if record.history_type == "+":
        entry.kind = "+"
        return entry
    if record.history_type == "-":
        entry.kind = "-"
        return entry
    if before is None:
        return None  # a change whose starting state nobody recorded: nothing true to say
    archived = getattr(record, "archived_at", None)
    if archived and getattr(before, "archived_at", None) is None:
        entry.kind = "-"
        return entry
    for field in _fields(tracked.model):
        if field.name in tracked.hidden or field.name == "archived_at":
            continue
        old, new = getattr(before, field.attname), getattr(record, field.attname)
        if old != new:
            at = record.history_date
            entry.changes.append(
                (
                    field.verbose_name,
                    _value(field, old, at=at, names=names),
                    _value(field, new, at=at, names=names),
                )
            )
    if not entry.changes:
        return None  # a save that changed nothing a person reads (only the version)
    left_on = getattr(record, "left_on", None)
    if left_on and getattr(before, "left_on", None) is None:
        entry.kind, entry.left_on = "left", left_on
        entry.changes = [
            c for c in entry.changes if c[0] != Stakeholder._meta.get_field("left_on").verbose_name
        ]
    return entry


def records_history(
    *, account: Account, limit: int = HISTORY_SHOWN, latest: list[tuple] | None = None
) -> list[HistoryEntry]:
    """The latest changes to the account and every record it keeps, newest first, in people's words."""
    latest = latest_rows(account, limit) if latest is None else latest
    wanted: dict[int, set] = {}
    for index, _record_id, history_id, _when, follows in latest:
        wanted.setdefault(index, set()).update({history_id, follows} - {None})
    rows: dict[int, dict] = {}
    for index, history_ids in wanted.items():
        model = TRACKED[index].model
        found = history_manager(model).filter(history_id__in=history_ids).select_related("history_user")
        rows[index] = {r.history_id: r for r in found}
    names = _Names({index: list(found.values()) for index, found in rows.items()})
    entries = []
    for index, _record_id, history_id, _when, follows in latest:
        record = rows[index][history_id]
        entry = _entry(TRACKED[index], record, rows[index].get(follows), names)
        if entry is not None:
            entries.append(entry)
    return entries
