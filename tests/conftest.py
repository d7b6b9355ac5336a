"""Fixtures per role: a world with a champion, two KAMs, a sponsor, a team member and an outsider."""

import pytest
from django.core.cache import cache
from django.utils import translation

from accounts.models import TeamFunction
from kam.core import catalogues
from programme.models import Programme
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language_between_tests():
    # A request leaves its reader's language active in the thread: the next test starts in English.
    yield
    translation.deactivate()


@pytest.fixture
def programme(db):
    return Programme.load()


@pytest.fixture
def champion(db):
    return UserFactory(username="jan", is_champion=True)


@pytest.fixture
def kam(db):
    return UserFactory(username="magda")


@pytest.fixture
def other_kam(db):
    return UserFactory(username="oliver")


@pytest.fixture
def sponsor(db):
    return UserFactory(username="ewa", function=TeamFunction.OTHER)


@pytest.fixture
def team_member(db):
    return UserFactory(username="tomasz", function=TeamFunction.OPERATIONS)


@pytest.fixture
def outsider(db):
    """A colleague with no part in any account."""
    return UserFactory(username="nobody")


@pytest.fixture
def account(db, kam, sponsor, team_member):
    """Magda's key account, sponsored by Ewa, with Tomasz from operations on the team."""
    account = AccountFactory(
        name="Baltic Steel", key=True, kam=kam, executive_sponsor=sponsor, currency="PLN"
    )
    TeamMemberFactory(account=account, user=team_member)
    return account


@pytest.fixture
def other_account(db, other_kam):
    return AccountFactory(name="Lyon Chimie", key=True, kam=other_kam, country="FR")


ROLES = ["champion", "kam", "other_kam", "sponsor", "team_member", "outsider", "anonymous"]


@pytest.fixture
def as_role(client, request):
    """Log the test client in as the named role fixture ('anonymous' stays logged out)."""

    def login(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


def pytest_sessionstart(session):
    # Pages are tested in every language: compile what changed in locale/ (as bin/setup does).
    catalogues.compile_all()
