"""Satisfaction surveys from the CRM: POST /api/v1/sync/surveys/ and GET /api/v1/surveys/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Survey
from accounts.sync.records import MAX_BATCH

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/v1/sync/accounts/"
CONTACTS = "/api/v1/sync/contacts/"
SURVEYS = "/api/v1/sync/surveys/"
LIST = "/api/v1/surveys/"


@pytest.fixture
def crm(api, sync_key):
    crm = api(sync_key)
    accounts = [{"external_id": f"SF-{i}", "name": f"Customer {i}", "currency": "EUR"} for i in range(2)]
    crm.post(ACCOUNTS, {"records": accounts})
    crm.post(
        CONTACTS, {"records": [{"external_id": "C-1", "account_external_id": "SF-0", "name": "Anna Nowak"}]}
    )
    return crm


def _survey(n, **extra):
    record = {"external_id": f"S-{n}", "account_external_id": "SF-0", "surveyed_on": "2026-09-01", "nps": 9}
    return record | {"respondent_name": "Head of Quality"} | extra


def test_surveys_are_created_then_left_alone_then_updated_by_external_id(crm):
    records = [_survey(1), _survey(2, nps=None, csat=4, respondent_name=None, stakeholder_external_id="C-1")]
    assert crm.post(SURVEYS, {"records": records}).json() == {"created": 2, "updated": 0, "unchanged": 0}
    anna = Survey.objects.get(external_id="S-2")
    assert (anna.stakeholder.name, anna.respondent_name, anna.csat, anna.nps) == (
        "Anna Nowak",
        "Anna Nowak",
        4,
        None,
    )
    stamp = Survey.objects.get(external_id="S-1").updated_at
    assert crm.post(SURVEYS, {"records": records}).json() == {"created": 0, "updated": 0, "unchanged": 2}
    assert Survey.objects.get(external_id="S-1").updated_at == stamp
    records[0]["nps"] = 6
    assert crm.post(SURVEYS, {"records": records}).json() == {"created": 0, "updated": 1, "unchanged": 1}
    changed = Survey.objects.get(external_id="S-1")
    assert (changed.nps, changed.version) == (6, 2)
    assert changed.history.count() == 2


def test_a_bad_batch_is_refused_whole_naming_each_record_and_field(crm):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    records = [
        _survey(1),
        _survey(2, nps=11),
        _survey(3, surveyed_on=tomorrow),
        _survey(4, nps=None),
        _survey(5, account_external_id="SF-404"),
        _survey(6, account_external_id="SF-1", stakeholder_external_id="C-1"),
        _survey(7, csat="5"),
    ]
    response = crm.post(SURVEYS, {"records": records})
    assert response.status_code == 400
    named = {(e["external_id"], e["field"]) for e in response.json()["errors"]}
    assert {("S-2", "nps"), ("S-3", "surveyed_on"), ("S-4", "nps"), ("S-7", "csat")} <= named
    assert not Survey.objects.exists()
    response = crm.post(SURVEYS, {"records": [records[0], records[4], records[5]]})
    named = {(e["external_id"], e["field"]) for e in response.json()["errors"]}
    assert named == {("S-5", "account_external_id"), ("S-6", "stakeholder_external_id")}
    assert not Survey.objects.exists()


def test_more_than_a_thousand_surveys_get_413(crm):
    response = crm.post(SURVEYS, {"records": [_survey(n) for n in range(MAX_BATCH + 1)]})
    assert response.status_code == 413


def test_a_read_key_lists_surveys_changed_since_a_time(crm, api, read_key):
    crm.post(SURVEYS, {"records": [_survey(1), _survey(2)]})
    later = timezone.now() + timedelta(seconds=1)
    reader = api(read_key)
    rows = reader.get(LIST).json()["results"]
    assert {r["external_id"] for r in rows} == {"S-1", "S-2"}
    assert rows[0]["account_external_id"] == "SF-0"
    assert reader.get(LIST, {"updated_since": later.isoformat()}).json()["results"] == []


def test_a_read_key_cannot_sync_surveys(api, read_key):
    assert api(read_key).post(SURVEYS, {"records": []}).status_code == 403
