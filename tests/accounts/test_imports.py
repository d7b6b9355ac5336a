"""Importing CRM exports in the browser: through the sync's services, with its rules and counts."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.imports import selectors, services
from accounts.models import Account, FinancialPeriod, ImportRun, ImportStatus, SavedMapping, Stakeholder
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "import_files"


def _upload(user, name, kind="accounts", data=None):
    data = (FILES / name).read_bytes() if data is None else data
    return services.import_upload(by=user, kind=kind, file_name=name, data=data)


def _import(user, run, strict=False) -> ImportRun:
    services.import_queue(run=run, by=user, strict=strict)
    return services.import_file(run_id=run.pk)


def _counts(run):
    return {
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
    }


def test_the_champion_imports_a_salesforce_report_as_it_comes(champion):
    run = _upload(champion, "salesforce_accounts.csv")
    assert run.mapping_name == "Salesforce" and run.total_rows == 5
    assert len(run.skipped_rows) == 6  # two blank rows and the report's four lines of footer

    run = _import(champion, run)

    assert run.status == ImportStatus.DONE
    assert _counts(run) == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 0}
    accounts = {a.external_id: a for a in Account.objects.all()}
    assert accounts["001A000001"].name == "Huta Łódź S.A." and accounts["001A000001"].country == "PL"
    assert accounts["001A000002"].name == "شرکت فولاد مبارکه" and accounts["001A000002"].country == "IR"
    assert accounts["001A000003"].name == "宝山钢铁股份有限公司" and accounts["001A000003"].currency == "CNY"
    assert accounts["001A000005"].country == "DE"
    history = accounts["001A000001"].history.latest()
    assert history.history_user == champion and history.history_change_reason == services.IMPORT_CHANGE_REASON


def test_importing_the_same_file_again_changes_nothing(champion):
    _import(champion, _upload(champion, "salesforce_accounts.csv"))
    versions = dict(Account.objects.values_list("external_id", "version"))

    again = _import(champion, _upload(champion, "salesforce_accounts.csv"))

    assert _counts(again) == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0}
    assert dict(Account.objects.values_list("external_id", "version")) == versions


def test_a_cp1252_file_imports_its_accented_names(champion):
    run = _import(champion, _upload(champion, "accounts_cp1252.csv"))
    assert run.created == 3
    assert set(Account.objects.values_list("name", "country")) == {
        ("Müller Präzisionstechnik AG", "CH"),
        ("Société Générale d'Ingénierie", "FR"),
        ("Café Colón S.L. \u2013 “Señor”", "ES"),
    }


def test_a_semicolon_file_of_monthly_figures_imports_local_numbers(champion):
    AccountFactory(external_id="001A000001", currency="PLN")
    AccountFactory(external_id="001A000005")
    run = _import(champion, _upload(champion, "financials_semicolon.csv", kind="financials"))
    assert _counts(run) == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    january = FinancialPeriod.objects.get(account__external_id="001A000001", period="2026-01-01")
    assert str(january.revenue) == "1234567.89" and january.days_to_pay == 45 and january.order_count == 12


def test_the_preview_names_every_problem_by_row_and_field_and_writes_nothing(champion):
    AccountFactory(external_id="EXISTING", name="Kept as it is")
    data = (
        b"Account ID,Account Name,Billing Country,Currency ISO Code\r\n"
        b"N1,Good One,Poland,PLN\r\n"
        b"N2,,Narnia,PLN\r\n"
        b"N3,Bad Money,Germany,XYZ\r\n"
    )
    run = _upload(champion, "problems.csv", data=data)

    preview = services.import_preview(run=run, by=champion)

    problems = {row.line: row.problems for row in preview.rows}
    assert problems[2] == {}
    assert "Narnia" in problems[3]["country"][0]
    assert problems[3]["name"] == ["This field is required."]
    assert "XYZ" in problems[4]["currency"][0]
    assert preview.counts is None
    assert Account.objects.count() == 1


def test_refused_rows_are_set_aside_with_their_reasons_and_the_rest_imported(champion):
    data = b"Account ID,Account Name,Currency ISO Code\nA1,Alpha,EUR\nA2,Beta,EURO\nA3,Gamma,EUR\n"
    run = _import(champion, _upload(champion, "mixed.csv", data=data))

    assert _counts(run) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    rejected = list(csv.reader(io.StringIO(services.rejected_rows_csv(run).lstrip("\ufeff"))))
    assert rejected[0] == [
        "Account ID",
        "Account Name",
        "Currency ISO Code",
        "Line in the file",
        "Why it was refused",
    ]
    assert rejected[1][:4] == ["A2", "Beta", "EURO", "3"]
    assert "currency" in rejected[1][4]


def test_a_strict_import_keeps_a_batch_with_a_refused_row_out(champion):
    data = b"Account ID,Account Name,Currency ISO Code\nA1,Alpha,EUR\nA2,Beta,EURO\n"
    run = _import(champion, _upload(champion, "strict.csv", data=data), strict=True)
    assert _counts(run) == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 2}
    assert not Account.objects.exists()


def test_a_kam_imports_contacts_of_their_own_accounts_only(kam, account, other_account):
    account.external_id, other_account.external_id = "MINE", "THEIRS"
    Account.objects.bulk_update([account, other_account], ["external_id"])
    data = (
        b"Contact ID,Account ID,First Name,Last Name,Title,Email\n"
        b"C1,MINE,Anna,Kowalska,CFO,anna@example.com\n"
        b"C2,THEIRS,Jean,Dupont,CEO,jean@example.com\n"
    )
    run = _upload(kam, "contacts.csv", kind="contacts", data=data)
    run = _import(kam, run)

    assert _counts(run) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert list(Stakeholder.objects.values_list("name", "account_id")) == [("Anna Kowalska", account.pk)]
    assert "Not one of your accounts" in run.rejected_rows[0]["reasons"][0]


def test_a_kam_cannot_create_accounts_by_import(kam, account):
    data = f"Account ID,Account Name,Currency ISO Code\n{account.external_id},Renamed,PLN\nNEW1,New Co,EUR\n"
    data = data.encode()
    run = _import(kam, _upload(kam, "accounts.csv", data=data))
    assert _counts(run) == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 1}
    assert not Account.objects.filter(external_id="NEW1").exists()


def test_a_saved_mapping_is_offered_for_the_next_file(champion):
    data = b"Firma,Nummer,Waehrung\nAlpha,X1,EUR\n"
    run = _upload(champion, "de.csv", data=data)
    assert services.missing_fields(run) == ["external_id", "name", "currency"]
    services.import_map(
        run=run,
        by=champion,
        mapping={"Firma": "name", "Nummer": "external_id", "Waehrung": "currency"},
        save_as="German ERP",
    )
    saved = SavedMapping.objects.get(name="German ERP")

    second = _upload(champion, "de2.csv", data=data)
    mapping, _date_format, name = services.mapping_named(run=second, choice=f"saved:{saved.pk}")
    assert name == "German ERP" and mapping == {
        "Firma": "name",
        "Nummer": "external_id",
        "Waehrung": "currency",
    }


# --- The pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("champion", 200),
        ("kam", 200),
        ("other_kam", 200),
        ("sponsor", 403),
        ("team_member", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_open_the_import_pages(as_role, role, status, account, other_account):
    client = as_role(role)
    for name in ("accounts:import_upload", "accounts:import_history"):
        assert client.get(reverse(name)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("champion", 200),
        ("kam", 200),
        ("other_kam", 404),
        ("sponsor", 403),
        ("team_member", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_an_import_is_its_importers_and_the_champions(as_role, role, status, kam, account, other_account):
    data = f"Account ID,Account Name,Currency ISO Code\n{account.external_id},Baltic Steel,PLN\nX,Y,EURO\n"
    data = data.encode()
    run = _import(kam, _upload(kam, "mine.csv", data=data))
    client = as_role(role)
    for name in ("accounts:import_run", "accounts:import_rejected"):
        assert client.get(reverse(name, args=[run.pk])).status_code == status


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00\x00" * 50, "not a text file"),
        (b"a,b\n" + b"1,2\n" * (5 * 1024 * 1024), "at most 10 MB"),
        (b"Account ID,Account Name\n", "no records"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_not_an_error(client, champion, data, message):
    client.force_login(champion)
    response = client.post(
        reverse("accounts:import_upload"),
        {"kind": "accounts", "file": SimpleUploadedFile("export.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_upload_map_preview_and_import_through_the_pages(
    client, champion, django_capture_on_commit_callbacks
):
    client.force_login(champion)
    data = (FILES / "salesforce_accounts_custom.csv").read_bytes()
    response = client.post(
        reverse("accounts:import_upload"),
        {"kind": "accounts", "file": SimpleUploadedFile("Accounts report.csv", data)},
    )
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("accounts:import_mapping", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "No column is mapped to these required fields" in page
    assert "Confidential Information" in page  # reported as skipped

    mapping = {f"column_{i}": run.mapping.get(h, "") for i, h in enumerate(run.headers)}
    mapping["column_4"] = "currency"
    response = client.post(response["Location"], {"action": "map", **mapping, "save_as": "Salesforce custom"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "5 would be created" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:import_start", args=[run.pk]))
    run.refresh_from_db()
    assert response["Location"] == reverse("accounts:import_run", args=[run.pk])
    assert (run.status, run.created, run.mapping_name) == (ImportStatus.DONE, 5, "Salesforce custom")
    progress = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="count-created">5<' in progress and "hx-trigger" not in progress


def test_the_history_page_reads_in_a_fixed_number_of_queries(client, champion, django_assert_num_queries):
    client.force_login(champion)
    data = b"Account ID,Account Name,Currency ISO Code\nA1,Alpha,EUR\n"
    _upload(champion, "one.csv", data=data)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:import_history"))
    assert len(few) <= 4  # session, user, roles for the navigation, the imports with who made them
    for n in range(12):
        _upload(UserFactory(is_champion=True), f"file{n}.csv", data=data)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accounts:import_history"))
    assert response.content.decode().count("file") >= 12


def test_the_account_list_links_to_the_import_for_those_who_may_import(as_role, account):
    link = reverse("accounts:import_upload")
    assert link in as_role("kam").get(reverse("accounts:list")).content.decode()
    assert link not in as_role("team_member").get(reverse("accounts:list")).content.decode()


@pytest.mark.parametrize(
    ("role", "mapping", "start"),
    [
        ("champion", 200, 302),
        ("kam", 200, 302),
        ("other_kam", 404, 404),
        ("sponsor", 403, 403),
        ("team_member", 403, 403),
        ("outsider", 403, 403),
        ("anonymous", 302, 302),
    ],
)
def test_an_upload_is_mapped_and_started_by_its_importer_or_the_champion(
    as_role, role, mapping, start, kam, account, other_account
):
    data = f"Account ID,Account Name,Currency ISO Code\n{account.external_id},Baltic Steel,PLN\n".encode()
    run = _upload(kam, "mine.csv", data=data)
    client = as_role(role)
    assert client.get(reverse("accounts:import_mapping", args=[run.pk])).status_code == mapping
    assert client.post(reverse("accounts:import_start", args=[run.pk])).status_code == start
    run.refresh_from_db()
    assert (run.status != ImportStatus.MAPPING) == (role in ("champion", "kam"))


def test_an_import_records_a_heartbeat_as_it_goes(champion):
    before = timezone.now()
    run = _import(champion, _upload(champion, "accounts_cp1252.csv"))
    assert run.status == ImportStatus.DONE and run.heartbeat_at >= before


@pytest.mark.parametrize(
    ("silent_for", "shown", "polled"),
    [
        (selectors.STALLED_AFTER + timedelta(seconds=1), "Failed", False),
        (timedelta(minutes=1), "Importing", True),
    ],
)
def test_an_import_whose_worker_died_shows_as_failed_not_importing_forever(
    client, champion, silent_for, shown, polled
):
    run = _upload(champion, "accounts_cp1252.csv")
    services.import_queue(run=run, by=champion)
    # What a worker that died after its first batch leaves behind: running, no news since.
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, processed_rows=1, heartbeat_at=timezone.now() - silent_for
    )
    client.force_login(champion)

    page = client.get(reverse("accounts:import_run", args=[run.pk])).content.decode()
    history = client.get(reverse("accounts:import_history")).content.decode()

    assert f'id="status">{shown}<' in page
    assert (f"<td>{shown}</td>" in history) or (f">{shown}</td>" in history)
    stopped = "stopped without finishing; import the file again"
    assert (stopped in page) is (not polled) and (stopped in history) is (not polled)
    assert ("hx-trigger" in page) is polled
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.RUNNING  # a read writes nothing


def test_applying_no_mapping_from_the_list_says_to_choose_one(client, champion):
    run = _upload(champion, "salesforce_accounts_custom.csv")
    client.force_login(champion)

    response = client.post(
        reverse("accounts:import_mapping", args=[run.pk]), {"action": "preset", "preset": ""}
    )

    assert response.status_code == 422
    assert "Choose a mapping in the list, then press Apply." in response.content.decode()
    run.refresh_from_db()
    assert run.mapping_name == "Salesforce"  # the mapping as it was
