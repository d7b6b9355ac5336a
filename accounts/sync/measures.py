"""Satisfaction surveys from the CRM: the same contract as the other sync endpoints.

External id as the key, at most 1,000 records, validated whole and written in one transaction or
not at all, references resolved in one query each, unchanged rows untouched (idempotent).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Stakeholder, Survey
from accounts.sync.records import MISSING, SyncResult, _account_ids, _changed, _Checker, _Table

SURVEY_RECORD_FIELDS = (
    "external_id",
    "account_external_id",
    "surveyed_on",
    "respondent_name",
    "stakeholder_external_id",
    "nps",
    "csat",
    "comment",
)
SURVEY_CRM_FIELDS = (
    "account_id",
    "surveyed_on",
    "respondent_name",
    "stakeholder_id",
    "nps",
    "csat",
    "comment",
)
SURVEYS = _Table(Survey, unique=("external_id",), update=(*SURVEY_CRM_FIELDS, "version"))


def _score(check: _Checker, name: str, low: int, high: int):
    value = check.record.get(name, MISSING)
    if value is MISSING or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        check.add(name, _("Must be a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        return MISSING
    return value


def _day(check: _Checker, name: str):
    text = check.text(name, max_length=10, required=True)
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        check.add(name, _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text})
        return None
    if day > timezone.localdate():
        check.add(name, _("A survey is dated when it was answered: not in the future."))
        return None
    return day


@transaction.atomic
def surveys_upsert(*, records: list) -> SyncResult:
    """Create or update satisfaction answers by external id; NPS 0-10 and/or CSAT 1-5, never in the future."""
    check = _Checker(records, SURVEY_RECORD_FIELDS)
    parsed: dict[str, tuple[int, dict, str | None, str]] = {}
    seen: dict = {}
    for index, record in enumerate(records):
        if not check.start(index, record):
            continue
        external_id = check.text("external_id", max_length=100, required=True)
        account_ref = check.text("account_external_id", max_length=100, required=True)
        person_ref = check.text("stakeholder_external_id", max_length=100)
        values = {
            "surveyed_on": _day(check, "surveyed_on"),
            "respondent_name": check.text("respondent_name", max_length=200),
            "nps": _score(check, "nps", 0, 10),
            "csat": _score(check, "csat", 1, 5),
            "comment": check.text("comment", max_length=10_000),
        }
        if values["nps"] is None and values["csat"] is None:
            check.add("nps", _("Give an NPS answer (0-10), a CSAT (1-5), or both."))
        if values["respondent_name"] in (MISSING, "", None) and person_ref in (MISSING, "", None):
            check.add("respondent_name", _("Name the respondent or give the stakeholder's external id."))
        if external_id and not check.duplicate(external_id, seen, "external_id"):
            parsed[external_id] = (index, values, person_ref, account_ref)
    check.raise_if_any()

    account_ids = _account_ids(a for _i, _v, _p, a in parsed.values())
    people = {
        s.external_id: s
        for s in Stakeholder.objects.filter(
            external_id__in={p for _i, _v, p, _a in parsed.values() if p not in (MISSING, "", None)}
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
        person = people.get(person_ref) if person_ref not in (MISSING, "", None) else None
        if person_ref not in (MISSING, "", None) and (person is None or person.account_id != account_id):
            check.add("stakeholder_external_id", _("No contact with this external id works at this account."))
            continue
        row = {
            "account_id": account_id,
            "surveyed_on": values["surveyed_on"],
            "stakeholder_id": person.pk if person else None,
            # The respondent's name is kept with the answer, so that it survives the contact's removal.
            "respondent_name": values["respondent_name"]
            if values["respondent_name"] not in (MISSING, None, "")
            else (person.name if person else ""),
            "nps": values["nps"],
            "csat": values["csat"],
            "comment": values["comment"] if values["comment"] not in (MISSING, None) else "",
        }
        survey = existing.get(external_id)
        if survey is None:
            created.append(SURVEYS.new_row({"external_id": external_id, **row}))
        elif _changed(survey, row):
            updated.append({**survey, **row, "version": survey["version"] + 1})
    check.raise_if_any()
    SURVEYS.upsert(created + updated)
    SURVEYS.record_history(created, updated)
    return SyncResult(len(created), len(updated), len(parsed) - len(created) - len(updated))
