"""Every write on the stakeholder map and the interaction log: record, move, mark as left and
remove people; log, correct and remove interactions. One transaction each, version-checked, with history."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import (
    Account,
    Interaction,
    Stakeholder,
)
from kam.core.versions import StaleVersion, history_manager, save_if_unchanged, save_versioned


@transaction.atomic
def stakeholder_save(*, stakeholder: Stakeholder) -> Stakeholder:
    stakeholder.full_clean()
    stakeholder.save()
    return stakeholder


def _check_interaction(*, account: Account, occurred_on: date, stakeholders) -> list[Stakeholder]:
    """The rules a logged contact keeps, when logged and when corrected: it happened, with their people."""
    errors = {}
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("Log contacts that happened: the date cannot be in the future.")
    stakeholders = list(stakeholders)
    if not stakeholders:
        errors["stakeholders"] = _("Name at least one of the customer's people.")
    elif any(s.account_id != account.pk for s in stakeholders):
        errors["stakeholders"] = _("Every stakeholder must work at %(account)s.") % {"account": account.name}
    if errors:
        raise ValidationError(errors)
    return stakeholders


@transaction.atomic
def interaction_log(
    *,
    account: Account,
    kind: str,
    occurred_on: date,
    stakeholders,
    participants=(),
    notes: str = "",
    by=None,
) -> Interaction:
    """Record a contact with the customer's people; it feeds their last-contact marks."""
    stakeholders = _check_interaction(account=account, occurred_on=occurred_on, stakeholders=stakeholders)
    interaction = Interaction(
        account=account, kind=kind, occurred_on=occurred_on, notes=notes.strip(), logged_by=by
    )
    interaction.full_clean()
    interaction.skip_history_when_saving = True  # recorded below, once the people are linked
    interaction.save()
    del interaction.skip_history_when_saving
    interaction.stakeholders.set(stakeholders)
    interaction.participants.set(participants)
    _record_interaction(
        interaction, by=by, stakeholders=stakeholders, participants=participants, update=False
    )
    return interaction


def _ids(objects) -> list[int]:
    return sorted({o if isinstance(o, int) else o.pk for o in objects})


def _record_interaction(interaction: Interaction, *, by, stakeholders, participants, update=True, when=None):
    """One historical row: the interaction as it stands, with its people (see InteractionPeopleRecord)."""
    history_manager(Interaction).bulk_history_create(
        [interaction],
        update=update,
        default_user=by,
        default_date=when,
        custom_historical_attrs={
            "stakeholder_ids": _ids(stakeholders),
            "participant_ids": _ids(participants),
        },
    )


def _record_interaction_before_change(stored: Interaction) -> None:
    """Keep the state a correction starts from when no history holds it yet with its people.

    Seeded interactions are bulk-created without history, and ones created by a plain save (the
    admin) have a first row without people: their first correction would otherwise have no old values.
    """
    last = history_manager(Interaction).filter(id=stored.pk).order_by("-history_date", "-history_id").first()
    if last is not None and last.stakeholder_ids is not None:
        return
    through = Interaction.stakeholders.through.objects.filter(interaction_id=stored.pk)
    people = Interaction.participants.through.objects.filter(interaction_id=stored.pk)
    _record_interaction(
        stored,
        by=stored.logged_by if last is None else None,
        stakeholders=list(through.values_list("stakeholder_id", flat=True)),
        participants=list(people.values_list("user_id", flat=True)),
        update=last is not None,
        when=stored.created_at if last is None else None,
    )


STAKEHOLDER_FIELDS = [
    "name",
    "title",
    "department",
    "email",
    "phone",
    "reports_to",
    "buying_role",
    "influence",
    "attitude",
    "relationship_strength",
    "competitor_relationship_strength",
    "relationship_owner",
    "needs_organisation",
    "needs_department",
    "needs_personal",
    "left_on",
]


def _stakeholder_write(stakeholder: Stakeholder, *, expected_version, fields: list[str], by) -> Stakeholder:
    if stakeholder.pk is not None:
        current = Stakeholder.objects.filter(pk=stakeholder.pk).values_list("version", "archived_at").get()
        if current[1] is not None:
            raise ValidationError(_("%(name)s was removed from the map.") % {"name": stakeholder.name})
    return save_versioned(stakeholder, expected_version=expected_version, fields=fields, by=by)


@transaction.atomic
def stakeholder_record(
    *, stakeholder: Stakeholder, expected_version: int | None = None, by=None
) -> Stakeholder:
    """Add a person to the map, or change one if nobody saved them since `expected_version`."""
    return _stakeholder_write(
        stakeholder, expected_version=expected_version, fields=STAKEHOLDER_FIELDS, by=by
    )


@transaction.atomic
def stakeholder_update(
    *, stakeholder: Stakeholder, changes: dict, expected_version: int, by=None
) -> Stakeholder:
    """Change some of a person's fields (an API PATCH) under the same rules as the map's editor."""
    unknown = set(changes) - set(STAKEHOLDER_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    for name, value in changes.items():
        setattr(stakeholder, name, value)
    stakeholder._history_user = by  # None for a machine, whatever the request's user is
    return _stakeholder_write(
        stakeholder, expected_version=expected_version, fields=STAKEHOLDER_FIELDS, by=by
    )


@transaction.atomic
def stakeholder_move(
    *, stakeholder: Stakeholder, reports_to: Stakeholder | None, expected_version: int, by=None
) -> Stakeholder:
    """Place a person under another manager (or at the top); a move closing a reporting loop is refused."""
    stakeholder.reports_to = reports_to
    return _stakeholder_write(stakeholder, expected_version=expected_version, fields=["reports_to"], by=by)


@transaction.atomic
def stakeholder_mark_left(
    *, stakeholder: Stakeholder, left_on: date, expected_version: int, by=None
) -> Stakeholder:
    """The person left the customer: kept on the map, greyed, with the date (not in the future)."""
    stakeholder.left_on = left_on
    return _stakeholder_write(stakeholder, expected_version=expected_version, fields=["left_on"], by=by)


@transaction.atomic
def stakeholder_remove(*, stakeholder: Stakeholder, expected_version: int, by=None) -> Stakeholder:
    """Take a person off the map (entered by mistake, or long gone); their reports move up one level."""
    stakeholder.archived_at = timezone.now()
    _stakeholder_write(stakeholder, expected_version=expected_version, fields=["archived_at"], by=by)
    reports = list(Stakeholder.objects.filter(reports_to=stakeholder, archived_at__isnull=True))
    for person in reports:
        person.reports_to_id = stakeholder.reports_to_id
        save_versioned(person, expected_version=person.version, fields=["reports_to"], by=by)
    return stakeholder


MOVED_ACCOUNT_REASON = "Moved to another account"


@transaction.atomic
def stakeholders_moved_account(*, moved_ids, by=None) -> None:
    """People now at another account keep no link to their old one.

    Whoever reported to them there stops reporting to them, and so do they to a manager left behind
    (reports_to cleared, version bumped, history kept); they are taken off the old account's
    interactions, which stay in its log without them (version bumped, history kept). The contacts are
    not moved along: they happened with the old account, whose log and health figures must keep them,
    and a person at one account must never show on another account's chart or log.
    """
    moved_ids = list(moved_ids)
    if not moved_ids:
        return
    now = timezone.now()
    strays = list(
        Stakeholder.objects.select_for_update()
        .filter(Q(reports_to_id__in=moved_ids) | Q(pk__in=moved_ids), reports_to__isnull=False)
        .exclude(reports_to__account_id=F("account_id"))
    )
    if strays:
        Stakeholder.objects.filter(pk__in=[p.pk for p in strays]).update(
            reports_to=None, version=F("version") + 1, updated_at=now
        )
        for person in strays:
            person.reports_to, person.version, person.updated_at = None, person.version + 1, now
            person._history_user = by  # None for the CRM, whatever the request's user is
        history_manager(Stakeholder).bulk_history_create(
            strays, update=True, default_user=by, default_date=now, default_change_reason=MOVED_ACCOUNT_REASON
        )

    links = Interaction.stakeholders.through.objects.filter(stakeholder_id__in=moved_ids).exclude(
        interaction__account_id=F("stakeholder__account_id")
    )
    left_behind = list(
        Interaction.objects.select_for_update().filter(pk__in=links.values("interaction_id")).order_by("pk")
    )
    if not left_behind:
        return
    for interaction in left_behind:
        interaction._history_user = by
        _record_interaction_before_change(interaction)
    links.delete()
    Interaction.objects.filter(pk__in=[i.pk for i in left_behind]).update(
        version=F("version") + 1, updated_at=now
    )
    people = _people_of([i.pk for i in left_behind])
    for interaction in left_behind:
        interaction.version, interaction.updated_at = interaction.version + 1, now
        stakeholders, participants = people[interaction.pk]
        _record_interaction(
            interaction, by=by, stakeholders=stakeholders, participants=participants, when=now
        )


def _people_of(interaction_ids: list[int]) -> dict[int, tuple[list[int], list[int]]]:
    """Who is linked to each interaction, on their side and ours, in two queries."""
    people: dict[int, tuple[list[int], list[int]]] = {pk: ([], []) for pk in interaction_ids}
    theirs = Interaction.stakeholders.through.objects.filter(interaction_id__in=interaction_ids)
    for interaction_id, stakeholder_id in theirs.values_list("interaction_id", "stakeholder_id"):
        people[interaction_id][0].append(stakeholder_id)
    ours = Interaction.participants.through.objects.filter(interaction_id__in=interaction_ids)
    for interaction_id, user_id in ours.values_list("interaction_id", "user_id"):
        people[interaction_id][1].append(user_id)
    return people


INTERACTION_FIELDS = ["kind", "occurred_on", "notes"]


@transaction.atomic
def interaction_update(
    *,
    interaction: Interaction,
    by,
    expected_version: int,
    kind: str,
    occurred_on: date,
    stakeholders,
    participants=(),
    notes: str = "",
) -> Interaction:
    """Correct a logged contact (type, date, people, notes) if nobody changed it since `expected_version`.

    Who logged it and when stay: a correction is not a new contact.
    """
    account = interaction.account
    if not permissions.can_change_interaction(by, interaction, account):
        raise PermissionDenied(_("Only whoever logged this contact, the KAM or the champion can change it."))
    stakeholders = _check_interaction(account=account, occurred_on=occurred_on, stakeholders=stakeholders)
    interaction.kind, interaction.occurred_on, interaction.notes = kind, occurred_on, notes.strip()
    interaction.full_clean()
    stored = Interaction.objects.get(pk=interaction.pk)
    if stored.archived_at is not None:
        if stored.version != expected_version:
            raise StaleVersion(stored)  # removed after this editor opened it: they are told, as for an edit
        raise ValidationError(_("This contact was removed from the log; log it again if it happened."))
    if stored.version != expected_version:
        raise StaleVersion(stored)  # told before writing any history; save_if_unchanged catches a race
    _record_interaction_before_change(stored)  # undone with the rest if the version check refuses
    save_if_unchanged(interaction, expected_version=expected_version, fields=INTERACTION_FIELDS)
    interaction.stakeholders.set(stakeholders)
    interaction.participants.set(participants)
    # save_if_unchanged writes with UPDATE, which simple-history does not see: record it here.
    _record_interaction(interaction, by=by, stakeholders=stakeholders, participants=participants)
    return interaction


@transaction.atomic
def interaction_remove(*, interaction: Interaction, by) -> Interaction:
    """Take a wrongly logged contact out of the log (kept, archived); last-contact marks follow."""
    if not permissions.can_change_interaction(by, interaction, interaction.account):
        raise PermissionDenied(_("Only whoever logged this contact, the KAM or the champion can remove it."))
    interaction.archived_at = timezone.now()
    # Not version-checked (removing needs no form), but the version moves on, so that an edit opened
    # before the removal is told and the API's ETag changes.
    Interaction.objects.filter(pk=interaction.pk).update(
        archived_at=interaction.archived_at, updated_at=interaction.archived_at, version=F("version") + 1
    )
    interaction.updated_at = interaction.archived_at
    interaction.refresh_from_db(fields=["version"])
    _record_interaction(
        interaction,
        by=by,
        stakeholders=Interaction.stakeholders.through.objects.filter(
            interaction_id=interaction.pk
        ).values_list("stakeholder_id", flat=True),
        participants=Interaction.participants.through.objects.filter(
            interaction_id=interaction.pk
        ).values_list("user_id", flat=True),
        when=interaction.archived_at,
    )
    return interaction
