"""Edits in the admin are version-checked like every other edit: nobody's save is silently lost."""

import pytest
from django.urls import reverse

from accounts.models import Account, Stakeholder
from tests.accounts.test_workspace import PERSON
from tests.factories import AccountFactory, StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(client):
    user = UserFactory(username="root", is_champion=True, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _opened(client, url) -> dict:
    """The change form's fields as the admin page was opened (what a browser would post back)."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else value
    return data


@pytest.mark.parametrize(
    ("factory", "model", "field"),
    [(AccountFactory, Account, "industry"), (StakeholderFactory, Stakeholder, "title")],
)
def test_a_second_admin_save_from_a_stale_page_is_refused_and_the_first_stays(
    client, admin_user, factory, model, field
):
    record = factory()
    url = reverse(f"admin:accounts_{model._meta.model_name}_change", args=[record.pk])
    opened = _opened(client, url)
    data = {k: v for k, v in opened.items() if not k.startswith(("_", "initial-"))}
    first = client.post(url, data | {field: "First"} | _inline_forms(client, url))
    assert first.status_code == 302, first.context["adminform"].form.errors if first.context else first
    second = client.post(url, data | {field: "Second"} | _inline_forms(client, url))
    assert second.status_code == 200
    assert "Someone else saved this" in second.content.decode()
    record.refresh_from_db()
    assert getattr(record, field) == "First" and record.version == 2


def _inline_forms(client, url) -> dict:
    """The management forms of the page's inlines (empty), which the admin requires on a post."""
    data = {}
    for formset in client.get(url).context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_a_browser_form_opened_before_an_admin_edit_is_told(client, admin_user):
    from django.test import Client

    kam = UserFactory(username="kam-x")
    person = StakeholderFactory(account=AccountFactory(kam=kam), name="Irena Zając")
    url = reverse("admin:accounts_stakeholder_change", args=[person.pk])
    data = {k: v for k, v in _opened(client, url).items() if not k.startswith(("_", "initial-"))}
    assert client.post(url, data | {"title": "CFO"} | _inline_forms(client, url)).status_code == 302
    person.refresh_from_db()
    assert person.version == 2  # the admin's save counts as a change for everyone else
    browser = Client()
    browser.force_login(kam)
    edit = reverse("accounts:stakeholder_edit", args=[person.account_id, person.pk])
    response = browser.post(edit, PERSON | {"title": "CEO", "version": 1})
    assert response.status_code == 409 and "Someone else changed Irena Zając" in response.content.decode()
    person.refresh_from_db()
    assert person.title == "CFO"


def _interaction():
    from tests.factories import InteractionFactory

    account = AccountFactory()
    return InteractionFactory(account=account, stakeholders=[StakeholderFactory(account=account)])


def _manual_score():
    from tests.programme.factories import CriterionFactory, ManualScoreFactory

    return ManualScoreFactory(account=AccountFactory(), criterion=CriterionFactory(by_hand=True))


def _criterion():
    from tests.programme.factories import CriterionFactory

    return CriterionFactory()


@pytest.mark.parametrize(
    "make", [AccountFactory, StakeholderFactory, _interaction, _manual_score, _criterion]
)
def test_each_versioned_record_saves_from_the_admin_and_counts_as_a_change(client, admin_user, make):
    record = make()
    meta = record._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    data = {k: v for k, v in _opened(client, url).items() if not k.startswith(("_", "initial-"))}
    response = client.post(url, data | _inline_forms(client, url))
    assert response.status_code == 302, response.context["adminform"].form.errors
    record.refresh_from_db()
    assert record.version == 2


def test_an_interaction_corrected_in_the_admin_is_kept_in_its_history_with_who(client, admin_user):
    record = _interaction()
    url = reverse("admin:accounts_interaction_change", args=[record.pk])
    data = {k: v for k, v in _opened(client, url).items() if not k.startswith(("_", "initial-"))}
    assert client.post(url, data | {"notes": "Corrected in the admin"}).status_code == 302
    last = record.history.latest("history_date")
    assert (last.notes, last.history_user) == ("Corrected in the admin", admin_user)
    assert client.get(reverse("admin:accounts_interaction_history", args=[record.pk])).status_code == 200
