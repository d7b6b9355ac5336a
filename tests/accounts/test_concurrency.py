"""Two people edit the same stakeholder: the second is told, not silently overwriting the first."""

import pytest

from accounts.models import Stakeholder
from kam.core.versions import StaleVersion, save_if_unchanged
from tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def test_second_save_from_the_same_version_is_refused_and_shows_the_first():
    person = StakeholderFactory(title="COO", influence=3)
    first, second = Stakeholder.objects.get(pk=person.pk), Stakeholder.objects.get(pk=person.pk)
    first.influence = 5
    save_if_unchanged(first, expected_version=1, fields=["influence"])
    second.title = "Chief Operating Officer"
    with pytest.raises(StaleVersion) as stale:
        save_if_unchanged(second, expected_version=1, fields=["title"])
    assert stale.value.current.influence == 5
    person.refresh_from_db()
    assert (person.influence, person.title, person.version) == (5, "COO", 2)
