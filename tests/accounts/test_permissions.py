"""Every role against every account page: allowed, refused (403/404), never a 500, no leaks into lists."""

import pytest
from django.urls import reverse

from tests.conftest import ROLES
from tests.factories import InteractionFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, HIDDEN = 200, 302, 403, 404

# page -> expected status per role, in the order of ROLES:
#            champion kam  other_kam sponsor team_member outsider anonymous
MATRIX = {
    "list": (OK, OK, OK, OK, OK, OK, LOGIN),
    "create": (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "detail": (OK, OK, HIDDEN, OK, OK, HIDDEN, LOGIN),
    "edit": (OK, OK, HIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    "lifecycle": (OK, FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    "stakeholder_create": (OK, OK, HIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    "stakeholder_edit": (OK, OK, HIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    "interaction_create": (OK, OK, HIDDEN, OK, OK, HIDDEN, LOGIN),
    # a contact the KAM logged: its author, the KAM, or the champion corrects it
    "interaction_change": (OK, OK, HIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    "financial_create": (OK, OK, HIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    "team_member_add": (OK, OK, HIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
}
CASES = [(page, role, MATRIX[page][i]) for page in MATRIX for i, role in enumerate(ROLES)]


def _url(page, account):
    if page in ("list", "create"):
        return reverse(f"accounts:{page}")
    if page == "stakeholder_edit":
        person = StakeholderFactory(account=account)
        return reverse("accounts:stakeholder_edit", args=[account.pk, person.pk])
    if page == "interaction_change":
        person = StakeholderFactory(account=account)
        contact = InteractionFactory(account=account, stakeholders=[person], logged_by=account.kam)
        return reverse("accounts:interaction_change", args=[account.pk, contact.pk])
    return reverse(f"accounts:{page}", args=[account.pk])


@pytest.mark.parametrize(("page", "role", "expected"), CASES, ids=[f"{p}-{r}" for p, r, _ in CASES])
def test_role_against_page(as_role, account, other_account, page, role, expected):
    client = as_role(role)
    response = client.get(_url(page, account))
    assert response.status_code == expected
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("page", "role"),
    [
        (p, r)
        for p in MATRIX
        if p not in ("list", "create", "detail")
        for r in ROLES
        if MATRIX[p][ROLES.index(r)] in (403, 404)
    ],
)
def test_refused_roles_cannot_post_either(as_role, account, page, role):
    client = as_role(role)
    response = client.post(_url(page, account), {"name": "Hijacked"})
    assert response.status_code in (FORBIDDEN, HIDDEN)
    account.refresh_from_db()
    assert account.name == "Baltic Steel"


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("champion", {"Baltic Steel", "Lyon Chimie"}),
        ("kam", {"Baltic Steel"}),
        ("other_kam", {"Lyon Chimie"}),
        ("sponsor", {"Baltic Steel"}),
        ("team_member", {"Baltic Steel"}),
        ("outsider", set()),
    ],
)
def test_account_list_shows_exactly_what_detail_pages_allow(as_role, account, other_account, role, sees):
    response = as_role(role).get(reverse("accounts:list"))
    listed = {a.name for a in response.context["page"].object_list}
    assert listed == sees


def test_list_filter_choices_do_not_name_people_of_hidden_accounts(as_role, account, other_account):
    response = as_role("kam").get(reverse("accounts:list"))
    kam_choices = {str(u) for u in response.context["filter"].filters["kam"].queryset}
    assert str(other_account.kam) not in kam_choices
