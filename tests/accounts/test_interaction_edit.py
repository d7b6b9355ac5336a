"""Correcting a logged interaction inline: the fields change, the author and time stay, a stale save is
refused and told, bad input names the field, and only those who may remove a contact may correct it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountTeamMember, Interaction, InteractionKind
from accounts.stakeholders import services
from api.models import ApiKey, ApiScope
from kam.core.versions import StaleVersion
from tests.factories import InteractionFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _edit_url(interaction):
    return reverse("accounts:interaction_change", args=[interaction.account_id, interaction.pk])


@pytest.fixture
def meeting(account, kam, coo):
    """Last week's meeting with the COO, logged by Magda, the account's KAM."""
    interaction = InteractionFactory(
        account=account, stakeholders=[coo], logged_by=kam, notes="Quality review",
        occurred_on=timezone.localdate() - timedelta(days=7),
    )  # fmt: skip
    interaction.participants.set([kam])
    return interaction


def _typed(interaction, **changes):
    """The edit form as the browser posts it, from the interaction's current values plus `changes`."""
    data = {
        "kind": interaction.kind,
        "occurred_on": interaction.occurred_on.isoformat(),
        "stakeholders": [s.pk for s in interaction.stakeholders.all()],
        "participants": [u.pk for u in interaction.participants.all()],
        "notes": interaction.notes,
        "version": interaction.version,
    }
    return data | changes


# --- Editing ------------------------------------------------------------------------------------------


def test_kam_corrects_the_date_kind_people_and_notes_and_the_author_and_time_stay(
    client, kam, team_member, account, meeting, coo, quality
):
    created_at = meeting.created_at
    day = timezone.localdate() - timedelta(days=3)
    client.force_login(kam)
    data = _typed(meeting, kind=InteractionKind.PRESENTATION, occurred_on=day.isoformat(),
                  stakeholders=[coo.pk, quality.pk], participants=[kam.pk, team_member.pk],
                  notes="  Quality review, with the new head of quality  ")  # fmt: skip
    response = client.post(_edit_url(meeting), data, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="interactions"' in html and "Quality review, with the new head of quality" in html
    assert 'id="stakeholders" aria-labelledby="stakeholders-title" hx-swap-oob="true"' in html
    assert html.count("contact-fresh") == 2  # both marks follow the corrected date and people
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.occurred_on, meeting.notes) == (
        InteractionKind.PRESENTATION, day, "Quality review, with the new head of quality"
    )  # fmt: skip
    assert set(meeting.stakeholders.all()) == {coo, quality}
    assert set(meeting.participants.all()) == {kam, team_member}
    assert (meeting.logged_by, meeting.created_at, meeting.version) == (kam, created_at, 2)
    assert Interaction.objects.count() == 1


def test_the_editor_opens_in_place_of_its_line_filled_in_with_the_version(client, kam, account, meeting):
    other = InteractionFactory(account=account, stakeholders=list(meeting.stakeholders.all()),
                               logged_by=kam, notes="Another call")  # fmt: skip
    client.force_login(kam)
    response = client.get(_edit_url(meeting), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'class="editing"' in html and 'id="interaction-editor-title"' in html
    assert f'hx-post="{_edit_url(meeting)}"' in html
    assert 'name="version" value="1"' in html and 'id="id_edit_notes"' in html
    assert ">\nQuality review</textarea>" in html and f'value="{meeting.occurred_on:%Y-%m-%d}"' in html
    assert "Another call" in html and _edit_url(other) in html  # the rest of the log stays as it was


def test_each_line_offers_edit_only_to_who_may_change_it(client, kam, team_member, account, meeting):
    own = InteractionFactory(account=account, stakeholders=list(meeting.stakeholders.all()),
                             logged_by=team_member)  # fmt: skip
    client.force_login(team_member)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert _edit_url(own) in html and _edit_url(meeting) not in html
    client.force_login(kam)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert _edit_url(own) in html and _edit_url(meeting) in html


def test_without_htmx_the_editor_opens_on_the_full_page_and_saving_redirects(client, kam, meeting):
    client.force_login(kam)
    html = client.get(_edit_url(meeting)).content.decode()
    assert "<html" in html and 'id="interaction-editor-title"' in html
    response = client.post(_edit_url(meeting), _typed(meeting, notes="Corrected"))
    assert response.status_code == 302 and response["Location"].endswith("#interactions")
    meeting.refresh_from_db()
    assert meeting.notes == "Corrected"


def test_people_who_have_since_left_stay_on_the_contact_when_the_date_is_corrected(
    client, kam, account, meeting, coo
):
    coo.left_on = timezone.localdate() - timedelta(days=1)
    coo.save()
    client.force_login(kam)
    assert f'value="{coo.pk}" selected' in client.get(_edit_url(meeting), **HX).content.decode()
    day = timezone.localdate() - timedelta(days=10)
    response = client.post(_edit_url(meeting), _typed(meeting, occurred_on=day.isoformat()), **HX)
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.occurred_on == day and list(meeting.stakeholders.all()) == [coo]


def test_a_removed_interaction_is_not_opened_for_editing(client, kam, meeting):
    services.interaction_remove(interaction=meeting, by=kam)
    client.force_login(kam)
    assert client.get(_edit_url(meeting), **HX).status_code == 404


# --- Two editors --------------------------------------------------------------------------------------


def test_second_editor_is_told_sees_the_other_change_and_keeps_what_they_typed(
    client, kam, champion, meeting
):
    url = _edit_url(meeting)
    client.force_login(champion)
    assert client.post(url, _typed(meeting, notes="Champion's wording"), **HX).status_code == 200
    client.force_login(kam)
    response = client.post(url, _typed(meeting, notes="Magda's wording", version=1), **HX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this interaction after you opened it." in html
    assert "<dd>Champion&#x27;s wording</dd>" in html  # their change, in the notice
    assert ">\nMagda&#x27;s wording</textarea>" in html  # what this editor typed
    assert 'name="version" value="2"' in html
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.version) == ("Champion's wording", 2)
    # Saving again is deliberate and goes through.
    assert client.post(url, _typed(meeting, notes="Magda's wording", version=2), **HX).status_code == 200
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.version) == ("Magda's wording", 3)


def test_an_interaction_removed_while_being_edited_is_told_and_can_be_logged_again(
    client, kam, champion, account, meeting
):
    services.interaction_remove(interaction=meeting, by=champion)
    client.force_login(kam)
    response = client.post(_edit_url(meeting), _typed(meeting, notes="Typed meanwhile", version=1), **HX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone removed this interaction from the log after you opened it." in html
    assert ">\nTyped meanwhile</textarea>" in html and "Log it again" in html
    assert f'hx-post="{reverse("accounts:interaction_quick_add", args=[account.pk])}"' in html
    meeting.refresh_from_db()
    assert meeting.archived_at is not None and meeting.notes == "Quality review"
    # "Log it again" posts what was typed as a new contact, logged by whoever typed it.
    again = client.post(
        reverse("accounts:interaction_quick_add", args=[account.pk]),
        _typed(meeting, notes="Typed meanwhile", version=1), **HX,
    )  # fmt: skip
    assert again.status_code == 200
    relogged = Interaction.objects.get(archived_at__isnull=True)
    assert (relogged.notes, relogged.logged_by, relogged.version) == ("Typed meanwhile", kam, 1)


def test_the_service_refuses_a_stale_version_and_the_first_edit_stays(kam, champion, meeting, coo):
    first = Interaction.objects.get(pk=meeting.pk)
    second = Interaction.objects.get(pk=meeting.pk)
    common = {"kind": meeting.kind, "occurred_on": meeting.occurred_on, "stakeholders": [coo]}
    services.interaction_update(interaction=first, by=champion, expected_version=1, notes="First", **common)
    with pytest.raises(StaleVersion) as stale:
        services.interaction_update(interaction=second, by=kam, expected_version=1, notes="Second", **common)
    assert stale.value.current.notes == "First"
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.version) == ("First", 2)


# --- Bad input ----------------------------------------------------------------------------------------


def _future():
    return (timezone.localdate() + timedelta(days=1)).isoformat()


BAD_INPUT = {
    "date in the future": ("occurred_on", lambda m, other: {"occurred_on": _future()}),
    "not a date": ("occurred_on", lambda m, other: {"occurred_on": "last Thursday"}),
    "nobody of theirs": ("stakeholders", lambda m, other: {"stakeholders": []}),
    "someone of another account": ("stakeholders", lambda m, other: {"stakeholders": [other.pk]}),
    "an unknown type": ("kind", lambda m, other: {"kind": "carrier_pigeon"}),
    "no version": ("version", lambda m, other: {"version": ""}),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_names_the_field_keeps_what_was_typed_and_changes_nothing(
    client, kam, other_account, meeting, case
):
    field, change = BAD_INPUT[case]
    stranger = StakeholderFactory(account=other_account, name="Someone Else")
    client.force_login(kam)
    response = client.post(
        _edit_url(meeting), _typed(meeting, notes="Typed", **change(meeting, stranger)), **HX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="id_edit_{field}-error"' in html and ">\nTyped</textarea>" in html
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.version) == ("Quality review", 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_on": date(2999, 1, 1)}, "occurred_on"),
        ({"stakeholders": []}, "stakeholders"),
        ({"kind": "carrier_pigeon"}, "kind"),
    ],
)
def test_the_service_validates_before_writing(kam, meeting, coo, changes, field):
    values = {"kind": meeting.kind, "occurred_on": meeting.occurred_on, "stakeholders": [coo]} | changes
    with pytest.raises(ValidationError) as error:
        services.interaction_update(interaction=meeting, by=kam, expected_version=1, notes="Nope", **values)
    assert field in error.value.message_dict
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.version) == ("Quality review", 1)


def test_the_service_refuses_people_of_another_account(kam, other_account, meeting):
    stranger = StakeholderFactory(account=other_account)
    with pytest.raises(ValidationError) as error:
        services.interaction_update(
            interaction=meeting, by=kam, expected_version=1, kind=meeting.kind,
            occurred_on=meeting.occurred_on, stakeholders=[stranger],
        )  # fmt: skip
    assert "Every stakeholder must work at Baltic Steel." in error.value.message_dict["stakeholders"]
    assert list(meeting.stakeholders.all()) != [stranger]


# --- Who may correct a contact ------------------------------------------------------------------------
# The matrix of every role against a contact the KAM logged is in test_workspace.py with the other
# workspace views; here: the authors, people taken off the account, and machines.


@pytest.mark.parametrize("author", ["team_member", "sponsor"])
def test_whoever_logged_a_contact_corrects_it(request, client, account, coo, author):
    user = request.getfixturevalue(author)
    kind = InteractionKind.EXECUTIVE_VISIT if author == "sponsor" else InteractionKind.PHONE_CONSULTATION
    own = InteractionFactory(account=account, stakeholders=[coo], logged_by=user, kind=kind)
    client.force_login(user)
    assert client.get(_edit_url(own), **HX).status_code == 200
    day = timezone.localdate() - timedelta(days=1)
    response = client.post(_edit_url(own), _typed(own, occurred_on=day.isoformat()), **HX)
    assert response.status_code == 200
    own.refresh_from_db()
    assert (own.occurred_on, own.kind, own.version) == (day, kind, 2)


def test_the_sponsor_does_not_correct_a_visit_someone_else_logged(client, sponsor, kam, account, coo):
    visit = InteractionFactory(account=account, stakeholders=[coo], logged_by=kam,
                               kind=InteractionKind.EXECUTIVE_VISIT)  # fmt: skip
    client.force_login(sponsor)
    assert client.post(_edit_url(visit), _typed(visit, notes="Mine now"), **HX).status_code == 403
    visit.refresh_from_db()
    assert (visit.notes, visit.version) == ("", 1)


def test_someone_taken_off_the_team_no_longer_corrects_what_they_logged(client, team_member, account, coo):
    own = InteractionFactory(account=account, stakeholders=[coo], logged_by=team_member)
    AccountTeamMember.objects.filter(account=account, user=team_member).delete()
    client.force_login(team_member)
    assert client.post(_edit_url(own), _typed(own, notes="After leaving"), **HX).status_code == 404
    own.refresh_from_db()  # the account is not theirs to see any more; the service says no on its own too
    with pytest.raises(PermissionDenied):
        services.interaction_update(
            interaction=own, by=team_member, expected_version=1, kind=own.kind,
            occurred_on=own.occurred_on, stakeholders=[coo], notes="After leaving",
        )  # fmt: skip
    own.refresh_from_db()
    assert (own.notes, own.version) == ("", 1)


def test_an_interaction_of_another_account_is_not_found_under_this_one(client, kam, account, other_account):
    elsewhere = InteractionFactory(
        account=other_account, stakeholders=[StakeholderFactory(account=other_account)]
    )
    client.force_login(kam)
    url = reverse("accounts:interaction_change", args=[account.pk, elsewhere.pk])
    assert client.get(url, **HX).status_code == 404


@pytest.fixture(params=[ApiScope.SYNC, ApiScope.READ])
def key_headers(request):
    """`Authorization: Bearer <key>` for an integration key of each scope (the CRM, a BI tool)."""
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiKey.issue(name='CRM', scope=request.param)[1]}"}


def test_an_integration_key_cannot_use_the_edit_view(client, meeting, key_headers):
    response = client.post(_edit_url(meeting), _typed(meeting, notes="From the CRM"), **key_headers, **HX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.version) == ("Quality review", 1)


def test_the_api_keeps_interactions_read_only_with_the_version_as_etag(client, meeting, key_headers):
    url = f"/api/v1/interactions/{meeting.pk}/"
    read = client.get(url, **key_headers)
    assert read.status_code == 200 and read["ETag"] == '"1"'
    body = {"notes": "From the CRM"}
    for method, target in ((client.patch, url), (client.put, url), (client.post, "/api/v1/interactions/")):
        response = method(target, body, content_type="application/json", HTTP_IF_MATCH='"1"', **key_headers)
        assert response.status_code == 405
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.version) == ("Quality review", 1)


# --- Queries ------------------------------------------------------------------------------------------


def _busy(account, owner, n: int) -> Interaction:
    """n people, n contacts with up to three of them each; the latest contact is returned."""
    people = [StakeholderFactory(account=account, name=f"Person {i:03d}") for i in range(n)]
    today = timezone.localdate()
    for i in range(n):
        interaction = InteractionFactory(
            account=account, stakeholders=people[max(0, i - 2) : i + 1], logged_by=owner,
            occurred_on=today - timedelta(days=i),
        )  # fmt: skip
        interaction.participants.set([owner])
    return account.interactions.order_by("-occurred_on").first()


@pytest.mark.parametrize("n", [10, 150])
def test_the_editor_runs_a_fixed_number_of_queries_with_10_and_150_people_and_contacts(
    client, kam, account, n, django_assert_max_num_queries
):
    interaction = _busy(account, kam, n)
    client.force_login(kam)
    # Measured at 29, 44 and 41 with both sizes: the workspace section, plus the editor's few, and the
    # History's names as they were (accounts/history.py: managers' and owners' names, 2). The save
    # pays for history: the state before it once (a factory-made contact has none with its people: 5),
    # the correction (1), and the History section that now comes back with it (4 more when it has rows).
    with django_assert_max_num_queries(30):
        response = client.get(_edit_url(interaction), **HX)
    assert response.status_code == 200
    with django_assert_max_num_queries(46):
        response = client.post(_edit_url(interaction), _typed(interaction, notes="Corrected"), **HX)
    assert response.status_code == 200
    with django_assert_max_num_queries(43):
        response = client.post(_edit_url(interaction), _typed(interaction, notes="Stale", version=1), **HX)
    assert response.status_code == 409
