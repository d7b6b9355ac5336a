"""Corrections and removals of logged interactions are kept with who made them, and the account page's
History shows them (old → new) to exactly the people who may already see the account."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Interaction, InteractionKind
from accounts.stakeholders import selectors, services
from api.models import ApiKey, ApiScope
from kam.core.versions import StaleVersion
from tests.conftest import ROLES
from tests.factories import InteractionFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
READ = (200, 200, 404, 200, 200, 404, 302)  # the account page's own answer per role (test_workspace.py)


@pytest.fixture
def logged_by_tomasz(account, team_member, coo):
    """A phone call Tomasz from operations logged through the app last week."""
    return services.interaction_log(
        account=account, kind=InteractionKind.PHONE_CONSULTATION,
        occurred_on=timezone.localdate() - timedelta(days=7), stakeholders=[coo], participants=[team_member],
        notes="Delivery delays", by=team_member,
    )  # fmt: skip


def _history_html(client, account) -> str:
    response = client.get(reverse("accounts:detail", args=[account.pk]), {"section": "history"}, **HX)
    assert response.status_code == 200
    return response.content.decode()


def test_a_kams_correction_of_a_team_members_interaction_shows_who_and_old_and_new(
    client, account, kam, team_member, coo, quality, logged_by_tomasz
):
    meeting = logged_by_tomasz
    old_day, new_day = meeting.occurred_on, meeting.occurred_on - timedelta(days=1)
    client.force_login(kam)
    response = client.post(
        reverse("accounts:interaction_change", args=[account.pk, meeting.pk]),
        {"kind": InteractionKind.OFFICE_MEETING, "occurred_on": new_day.isoformat(),
         "stakeholders": [coo.pk, quality.pk], "participants": [team_member.pk, kam.pk],
         "notes": "Delivery delays; quality joined", "version": meeting.version},
        **HX,
    )  # fmt: skip
    assert response.status_code == 200
    assert 'id="history"' in response.content.decode()  # the History section came back out of band

    [entry] = selectors.interaction_history(account=account)
    assert entry.who == kam and entry.kind == "~" and entry.subject == "interaction"
    changes = {str(label): (old, new) for label, old, new in entry.changes}
    assert changes == {
        "type": ("Phone consultation", "Office meeting"),
        "date": (date_format(old_day), date_format(new_day)),
        "notes": ("Delivery delays", "Delivery delays; quality joined"),
        "their people": ("Adam Nowak", "Adam Nowak, Ola Kwiatkowska"),
        "our people": (str(team_member), ", ".join(sorted([str(team_member), str(kam)]))),
    }
    html = _history_html(client, account)
    assert f"{kam} ·" in html and "corrected the office meeting of" in html
    assert "<del>Phone consultation</del> → <ins>Office meeting</ins>" in html
    assert "<del>Adam Nowak</del> → <ins>Adam Nowak, Ola Kwiatkowska</ins>" in html
    # Logging is not a change: the log itself says who logged it.
    history = Interaction.history.filter(id=meeting.pk).order_by("history_id")
    assert [(h.history_type, h.history_user) for h in history] == [("+", team_member), ("~", kam)]


def test_a_removal_shows_who_removed_which_contact(client, account, kam, champion, logged_by_tomasz):
    services.interaction_remove(interaction=logged_by_tomasz, by=champion)
    [entry] = selectors.interaction_history(account=account)
    assert (entry.who, entry.kind) == (champion, "-")
    client.force_login(kam)
    html = _history_html(client, account)
    assert (
        f"{champion} ·" in html
        and "removed the phone consultation of" in html
        and "from the interaction log" in html
    )


def test_a_seeded_interaction_without_history_still_shows_its_old_values_when_corrected(account, kam, coo):
    # The seeds bulk-create contacts (no history rows): the first correction records the state before it.
    [seeded] = Interaction.objects.bulk_create(
        [Interaction(account=account, kind=InteractionKind.EMAIL_LETTER, occurred_on=date(2026, 3, 2),
                     notes="Offer sent", logged_by=kam)]
    )  # fmt: skip
    seeded.stakeholders.set([coo])
    assert not Interaction.history.filter(id=seeded.pk).exists()
    services.interaction_update(
        interaction=seeded, by=kam, expected_version=1, kind=InteractionKind.EMAIL_LETTER,
        occurred_on=date(2026, 3, 2), stakeholders=[coo], notes="Offer and price list sent",
    )  # fmt: skip
    [entry] = selectors.interaction_history(account=account)
    assert [(str(label), old, new) for label, old, new in entry.changes] == [
        ("notes", "Offer sent", "Offer and price list sent")
    ]


def test_a_stale_correction_writes_no_history(account, kam, champion, coo, logged_by_tomasz):
    services.interaction_update(
        interaction=logged_by_tomasz, by=champion, expected_version=1, kind=logged_by_tomasz.kind,
        occurred_on=logged_by_tomasz.occurred_on, stakeholders=[coo], notes="First",
    )  # fmt: skip
    stale = Interaction.objects.get(pk=logged_by_tomasz.pk)
    with pytest.raises(StaleVersion):
        services.interaction_update(
            interaction=stale, by=kam, expected_version=1, kind=stale.kind, occurred_on=stale.occurred_on,
            stakeholders=[coo], notes="Second",
        )  # fmt: skip
    assert Interaction.history.filter(id=stale.pk).count() == 2  # logged, corrected once


def test_the_history_stays_readable_after_a_person_is_removed_from_the_map(account, kam, coo, quality):
    meeting = services.interaction_log(
        account=account, kind=InteractionKind.OFFICE_MEETING, occurred_on=date(2026, 3, 2),
        stakeholders=[coo], by=kam,
    )  # fmt: skip
    services.interaction_update(
        interaction=meeting, by=kam, expected_version=1, kind=meeting.kind, occurred_on=meeting.occurred_on,
        stakeholders=[coo, quality],
    )  # fmt: skip
    services.stakeholder_remove(stakeholder=quality, expected_version=quality.version, by=kam)
    [entry] = selectors.interaction_history(account=account)
    assert ("their people", "Adam Nowak", "Adam Nowak, Ola Kwiatkowska") in [
        (str(label), old, new) for label, old, new in entry.changes
    ]


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, READ, strict=True)))
def test_each_role_sees_interaction_history_only_where_it_sees_the_account(
    as_role, account, other_account, kam, logged_by_tomasz, role, expected
):
    services.interaction_update(
        interaction=logged_by_tomasz, by=kam, expected_version=1, kind=logged_by_tomasz.kind,
        occurred_on=logged_by_tomasz.occurred_on, stakeholders=list(logged_by_tomasz.stakeholders.all()),
        notes="Corrected by the KAM",
    )  # fmt: skip
    client = as_role(role)
    for params in ({"section": "history"}, {}):
        response = client.get(reverse("accounts:detail", args=[account.pk]), params, **HX)
        assert response.status_code == expected
        assert ("Corrected by the KAM</ins>" in response.content.decode()) == (expected == 200)


def test_the_api_shows_interactions_without_history_fields(client, account, kam, logged_by_tomasz):
    services.interaction_update(
        interaction=logged_by_tomasz, by=kam, expected_version=1, kind=logged_by_tomasz.kind,
        occurred_on=logged_by_tomasz.occurred_on, stakeholders=list(logged_by_tomasz.stakeholders.all()),
        notes="Corrected",
    )  # fmt: skip
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiKey.issue(name='CRM', scope=ApiScope.READ)[1]}"}
    [row] = client.get("/api/v1/interactions/", **headers).json()["results"]
    assert set(row) == {
        "id", "account", "account_external_id", "kind", "occurred_on", "contacts", "notes", "archived",
        "version", "created_at", "updated_at",
    }  # fmt: skip
    assert (row["notes"], row["version"]) == ("Corrected", 2)


def test_interactions_the_factories_make_need_no_history_to_be_corrected(account, kam, coo):
    # Created by a plain save (as the admin does): the first row has no people, so none are compared.
    made = InteractionFactory(account=account, stakeholders=[coo], logged_by=UserFactory())
    services.interaction_update(
        interaction=made, by=kam, expected_version=1, kind=made.kind, occurred_on=made.occurred_on,
        stakeholders=[coo], notes="Now with notes",
    )  # fmt: skip
    [entry] = selectors.interaction_history(account=account)
    assert [str(label) for label, _, _ in entry.changes] == ["notes"]
