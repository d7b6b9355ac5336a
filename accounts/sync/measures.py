"""Satisfaction surveys from the CRM: the same contract as the other sync endpoints.

External id as the key, at most 1,000 records, validated whole and written in one transaction or
not at all, references resolved in one query each, unchanged rows untouched (idempotent).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Stakeholder, Survey
from accounts.sync import files
from accounts.sync.records import (
    MISSING,
    SYNC_CHANGE_REASON,
    BatchChecker,
    SyncResult,
    UpsertTable,
    account_ids_by_external_id,
    record_changed,
)
from kam.core import limits

SURVEY_RECORD_FIELDS = files.FIELDS["surveys"]
SURVEY_CRM_FIELDS = (
    "account_id",
    "surveyed_on",
    "respondent_name",
    "stakeholder_id",
    "nps",
    "csat",
    "comment",
)
SURVEYS = UpsertTable(Survey, unique=("external_id",), update=(*SURVEY_CRM_FIELDS, "version"))


def _score(check: BatchChecker, name: str):
    """A whole-number answer: MISSING when left out, None when sent as null (or after an error).

    Its range is the model field's, with the model's message, as the browser and the admin say it."""
    value = check.record.get(name, MISSING)
    if value is MISSING or value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        check.add(name, _("Must be a whole number."))
        return None
    try:
        Survey._meta.get_field(name).run_validators(value)
    except ValidationError as error:
        check.add(name, " ".join(error.messages))
        return None
    return value


def _day(check: BatchChecker, name: str):
    """The day answered: MISSING when left out (an update keeps the stored one), None after an error."""
    text = check.text(name, max_length=10)
    if text is MISSING or text is None:
        return text
    if not text:
        check.add(name, _("This field may not be blank."))
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        check.add(name, _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text})
        return None
    if day > timezone.localdate():
        check.add(name, _("A survey is dated when it was answered: not in the future."))
        return None
    if not day >= limits.EARLIEST_DAY:
        check.add(name, limits.day_out_of_range_message())
        return None
    return day


def _blank(value) -> bool:
    return value is MISSING or value in ("", None)


@transaction.atomic
def surveys_upsert(*, records: list, by=None, reason: str = SYNC_CHANGE_REASON) -> SyncResult:
    """Create or update satisfaction answers by external id; NPS 0-10 and/or CSAT 1-5, never in the future.

    As on every sync endpoint, a field left out of an update is left as it is; an explicit null clears
    it (an answer, the comment, the link to a contact). A new survey needs its date, an answer and a
    respondent.
    """
    check = BatchChecker(records, SURVEY_RECORD_FIELDS)
    parsed: dict[str, tuple[int, dict, str | None, str]] = {}
    seen: dict = {}
    for index, record in enumerate(records):
        problems = len(check.errors)
        if not check.start(index, record):
            continue
        external_id = check.text("external_id", max_length=100, required=True)
        account_ref = check.text("account_external_id", max_length=100, required=True)
        person_ref = check.text("stakeholder_external_id", max_length=100)
        values = {
            "surveyed_on": _day(check, "surveyed_on"),
            "respondent_name": check.text("respondent_name", max_length=200),
            "nps": _score(check, "nps"),
            "csat": _score(check, "csat"),
            "comment": check.text("comment", max_length=limits.NOTE_MAX_LENGTH),
        }
        if (
            external_id
            and not check.duplicate(external_id, seen, "external_id")
            and len(check.errors) == problems
        ):
            parsed[external_id] = (index, values, person_ref, account_ref)
    # Not refused yet: the rules that need the stored survey are checked below, so that one answer
    # names every problem of the batch.

    account_ids = account_ids_by_external_id(a for _i, _v, _p, a in parsed.values())
    people = {
        s.external_id: s
        for s in Stakeholder.objects.filter(
            external_id__in={p for _i, _v, p, _a in parsed.values() if not _blank(p)}
        )
    }
    existing = {row["external_id"]: row for row in SURVEYS.existing(external_id__in=parsed)}
    created, updated = [], []
    for external_id, (index, values, person_ref, account_ref) in parsed.items():
        check.index, check.external_id = index, external_id
        account_id = account_ids.get(account_ref)
        if account_id is None:
            check.add("account_external_id", _("No account has this external id; sync the account first."))
            continue
        person = None if _blank(person_ref) else people.get(person_ref)
        if not _blank(person_ref) and (person is None or person.account_id != account_id):
            check.add("stakeholder_external_id", _("No contact with this external id works at this account."))
            continue
        survey = existing.get(external_id)
        row = _merged(survey, values, account_id=account_id, person_ref=person_ref, person=person)
        if row["surveyed_on"] is None:
            check.add("surveyed_on", _("This field is required."))
        if row["nps"] is None and row["csat"] is None:
            check.add("nps", _("Give an NPS answer (0-10), a CSAT (1-5), or both."))
        if not row["respondent_name"] and row["stakeholder_id"] is None:
            check.add("respondent_name", _("Name the respondent or give the stakeholder's external id."))
        if survey is None:
            created.append(SURVEYS.new_row({"external_id": external_id, **row}))
        elif record_changed(survey, row):
            updated.append({**survey, **row, "version": survey["version"] + 1})
    check.raise_if_any()
    created, updated = SURVEYS.upsert(created, updated)
    SURVEYS.record_history(created, updated, by=by, reason=reason)
    return SyncResult(len(created), len(updated), len(parsed) - len(created) - len(updated))


def _merged(survey: dict | None, values: dict, *, account_id: int, person_ref, person) -> dict:
    """The survey as it will be stored: the stored row (or nothing) with the fields the record sent."""
    row = {name: (survey or {}).get(name) for name in SURVEY_CRM_FIELDS}
    row["account_id"] = account_id
    row["comment"] = row["comment"] or ""
    row["respondent_name"] = row["respondent_name"] or ""
    for name in ("surveyed_on", "nps", "csat"):
        if values[name] is not MISSING:
            row[name] = values[name]
    if values["comment"] is not MISSING:
        row["comment"] = values["comment"] or ""
    if person_ref is not MISSING:
        row["stakeholder_id"] = person.pk if person else None
    name = values["respondent_name"]
    if not _blank(name):
        row["respondent_name"] = name
    elif name is not MISSING or survey is None or (person_ref is not MISSING and person is not None):
        # The respondent's name is kept with the answer, so that it survives the contact's removal.
        row["respondent_name"] = person.name if person else ""
    return row
