"""The CRM sync keeps the org chart inside one account, leaves out what is left out, and counts honestly."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from accounts.models import Account, Interaction, Stakeholder, Survey
from accounts.stakeholders.pictures import org_chart
from accounts.sync import records as sync
from tests.factories import InteractionFactory

ACCOUNTS = "/api/v1/sync/accounts/"
CONTACTS = "/api/v1/sync/contacts/"
SURVEYS = "/api/v1/sync/surveys/"


# --- A contact moving to another account --------------------------------------------------------------


@pytest.fixture
def two_customers(api, sync_key):
    crm = api(sync_key)
    accounts = [{"external_id": ref, "name": f"{ref} Co", "currency": "EUR"} for ref in ("OLD", "NEW")]
    crm.post(ACCOUNTS, {"records": accounts})
    crm.post(CONTACTS, {"records": [
        {"external_id": "BOSS", "account_external_id": "OLD", "name": "Barbara Boss"},
        {"external_id": "MOVER", "account_external_id": "OLD", "name": "Marek Mover",
         "reports_to_external_id": "BOSS"},
        {"external_id": "REPORT", "account_external_id": "OLD", "name": "Rita Report",
         "reports_to_external_id": "MOVER"},
    ]})  # fmt: skip
    return crm


def _chart_of(account_ref: str):
    people = Stakeholder.objects.filter(account__external_id=account_ref).select_related("reports_to")
    return org_chart(people)


@pytest.mark.django_db
def test_a_contact_moving_account_leaves_no_stranger_on_the_old_org_chart(two_customers, champion, client):
    old = Account.objects.get(external_id="OLD")
    mover = Stakeholder.objects.get(external_id="MOVER")
    rita = Stakeholder.objects.get(external_id="REPORT")
    meeting = InteractionFactory(account=old, stakeholders=[mover, rita])
    lunch = InteractionFactory(account=old, stakeholders=[mover])

    response = two_customers.post(
        CONTACTS, {"records": [{"external_id": "MOVER", "account_external_id": "NEW", "name": "Marek Mover"}]}
    )
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}

    mover.refresh_from_db()
    rita.refresh_from_db()
    assert mover.account.external_id == "NEW"
    assert mover.reports_to is None  # his old boss works elsewhere now
    assert rita.reports_to is None
    assert rita.version == 2
    assert rita.history.order_by("-history_id").first().reports_to_id is None
    # The old account's chart holds only its own people, none hanging from a stranger.
    chart = _chart_of("OLD")
    assert {box.person.name for box in chart.boxes} == {"Barbara Boss", "Rita Report"}
    assert all(
        box.person.reports_to is None or box.person.reports_to.account_id == old.pk for box in chart.boxes
    )
    # The contacts stay in the old account's log, without him.
    assert list(meeting.stakeholders.all()) == [rita]
    assert list(lunch.stakeholders.all()) == []
    assert Interaction.objects.filter(account=old).count() == 2
    assert not Stakeholder.objects.filter(interactions__account=old, account__external_id="NEW").exists()
    meeting.refresh_from_db()
    assert meeting.version == 2
    client.force_login(champion)
    for section in ("stakeholders", "interactions"):  # the history section rightly tells of the change
        page = client.get(f"/accounts/{old.pk}/", {"section": section}, headers={"HX-Request": "true"})
        assert "Marek Mover" not in page.content.decode()


@pytest.mark.django_db
def test_a_contact_moving_with_their_reports_keeps_them(two_customers):
    response = two_customers.post(CONTACTS, {"records": [
        {"external_id": "MOVER", "account_external_id": "NEW", "name": "Marek Mover"},
        {"external_id": "REPORT", "account_external_id": "NEW", "name": "Rita Report"},
    ]})  # fmt: skip
    assert response.json() == {"created": 0, "updated": 2, "unchanged": 0}
    rita = Stakeholder.objects.get(external_id="REPORT")
    assert rita.reports_to.external_id == "MOVER"
    assert rita.version == 2


# --- Surveys: what is left out is left as it is ---------------------------------------------------------


@pytest.mark.django_db
def test_a_survey_resent_with_only_csat_keeps_its_nps_and_comment(api, sync_key):
    crm = api(sync_key)
    crm.post(ACCOUNTS, {"records": [{"external_id": "SF-0", "name": "Customer", "currency": "EUR"}]})
    first = {"external_id": "S-1", "account_external_id": "SF-0", "surveyed_on": "2025-09-01",
             "respondent_name": "Quality", "nps": 9, "csat": 4, "comment": "Fast delivery"}  # fmt: skip
    assert crm.post(SURVEYS, {"records": [first]}).status_code == 200
    response = crm.post(SURVEYS, {"records": [{"external_id": "S-1", "account_external_id": "SF-0",
                                               "csat": 5}]})  # fmt: skip
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}, response.content
    survey = Survey.objects.get(external_id="S-1")
    kept = (survey.nps, survey.csat, survey.comment, survey.respondent_name)
    assert kept == (9, 5, "Fast delivery", "Quality")
    assert survey.surveyed_on.isoformat() == "2025-09-01"
    # An explicit null still clears.
    response = crm.post(SURVEYS, {"records": [{"external_id": "S-1", "account_external_id": "SF-0",
                                               "nps": None, "comment": None}]})  # fmt: skip
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    survey.refresh_from_db()
    assert (survey.nps, survey.csat, survey.comment) == (None, 5, "")
    # Clearing both answers is still refused.
    response = crm.post(SURVEYS, {"records": [{"external_id": "S-1", "account_external_id": "SF-0",
                                               "csat": None}]})  # fmt: skip
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"nps"}


@pytest.mark.django_db
def test_a_new_survey_still_needs_its_date_and_an_answer(api, sync_key):
    crm = api(sync_key)
    crm.post(ACCOUNTS, {"records": [{"external_id": "SF-0", "name": "Customer", "currency": "EUR"}]})
    response = crm.post(SURVEYS, {"records": [{"external_id": "S-9", "account_external_id": "SF-0",
                                               "respondent_name": "Someone"}]})  # fmt: skip
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"surveyed_on", "nps"}


# --- Honest counts when two syncs race --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_synced_change_of_name_bumps_the_version_and_is_kept_once(api, sync_key):
    crm = api(sync_key)
    record = {"external_id": "SF-0", "name": "Customer", "currency": "EUR"}
    assert crm.post(ACCOUNTS, {"records": [record]}).json()["created"] == 1
    assert crm.post(ACCOUNTS, {"records": [record]}).json()["unchanged"] == 1
    assert crm.post(ACCOUNTS, {"records": [record | {"name": "Customer SA"}]}).json()["updated"] == 1
    account = Account.objects.get(external_id="SF-0")
    assert account.version == 2
    assert Counter(account.history.values_list("history_type", flat=True)) == {"+": 1, "~": 1}


SYNCS = 6
RECORDS = 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_syncs_of_the_same_new_accounts_count_each_creation_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    barrier = threading.Barrier(SYNCS)
    results, failures = [None] * SYNCS, []

    def run(n: int):
        # Each sync sends its own name: after the first insert, every later write is a real change.
        records = [{"external_id": f"RACE-{i}", "name": f"Customer {i} ({n})", "currency": "EUR"}
                   for i in range(RECORDS)]  # fmt: skip
        try:
            barrier.wait()
            results[n] = sync.accounts_upsert(records=records)
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(SYNCS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sum(r.created for r in results) == RECORDS
    assert sum(r.updated for r in results) == RECORDS * (SYNCS - 1)
    assert all(r.created + r.updated + r.unchanged == RECORDS for r in results)
    for account in Account.objects.filter(external_id__startswith="RACE-"):
        kinds = Counter(account.history.values_list("history_type", flat=True))
        assert kinds == {"+": 1, "~": SYNCS - 1}
        assert account.version == SYNCS
        versions = sorted(account.history.values_list("version", flat=True))
        assert versions == list(range(1, SYNCS + 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_syncs_create_once_and_leave_the_rest_unchanged():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    barrier = threading.Barrier(SYNCS)
    results, failures = [None] * SYNCS, []
    records = [
        {"external_id": f"SAME-{i}", "name": f"Customer {i}", "currency": "EUR"} for i in range(RECORDS)
    ]

    def run(n: int):
        try:
            barrier.wait()
            results[n] = sync.accounts_upsert(records=records)
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(SYNCS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sum(r.created for r in results) == RECORDS
    assert sum(r.unchanged for r in results) == RECORDS * (SYNCS - 1)
    assert set(Account.objects.filter(external_id__startswith="SAME-").values_list("version", flat=True)) == {
        1
    }
    assert Account.history.filter(external_id__startswith="SAME-").count() == RECORDS
