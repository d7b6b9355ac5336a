"""People at Magda's account that the interaction tests (editing, history) meet with."""

import pytest

from tests.factories import StakeholderFactory


@pytest.fixture
def coo(account):
    return StakeholderFactory(account=account, name="Adam Nowak", title="COO")


@pytest.fixture
def quality(account):
    return StakeholderFactory(account=account, name="Ola Kwiatkowska", title="Head of Quality")
