"""The KAM team page: managers' load, skills profiles (version-checked) and training records."""

import pytest
from django.urls import reverse

from programme.models import SkillsProfile, TrainingRecord
from tests.conftest import ROLES
from tests.factories import AccountFactory
from tests.programme.dashboard_factories import SkillsProfileFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
URL = reverse("portfolio:kam_team")


def test_the_team_page_shows_each_managers_load_skills_and_training(client, champion, kam, account):
    AccountFactory(kam=kam)
    SkillsProfileFactory(user=kam, financial=2, influencing=5)
    TrainingRecordFactory(user=kam, course="Finance for KAMs", skill="financial")
    client.force_login(champion)
    response = client.get(URL)
    (member,) = response.context["members"]
    assert (member.user, member.key_accounts, member.candidates) == (kam, 1, 1)
    assert [str(n) for n in member.training_needs] == ["Financial"]
    assert "Finance for KAMs" in response.content.decode()


def test_the_champion_records_a_skills_profile(client, champion, kam):
    client.force_login(champion)
    url = reverse("portfolio:kam_skills", args=[kam.pk])
    data = {"financial": 2, "consulting": 3, "planning": 4, "interpersonal": 5, "influencing": 1}
    assert client.post(url, data).status_code == 302
    profile = SkillsProfile.objects.get(user=kam)
    assert (profile.financial, profile.influencing, profile.assessed_by) == (2, 1, champion)


def test_a_skill_outside_one_to_five_is_refused_by_field(client, champion, kam):
    client.force_login(champion)
    url = reverse("portfolio:kam_skills", args=[kam.pk])
    data = {"financial": 7, "consulting": 3, "planning": 4, "interpersonal": 5, "influencing": 1}
    response = client.post(url, data)
    assert response.status_code == 422 and "financial" in response.context["form"].errors


def test_a_second_editor_of_a_skills_profile_is_told_and_keeps_what_they_typed(client, champion, kam):
    profile = SkillsProfileFactory(user=kam)
    client.force_login(champion)
    url = reverse("portfolio:kam_skills", args=[kam.pk])
    first = {
        "financial": 4,
        "consulting": 3,
        "planning": 3,
        "interpersonal": 3,
        "influencing": 3,
        "version": 1,
    }
    assert client.post(url, first).status_code == 302
    second = {**first, "financial": 1}
    response = client.post(url, second)
    assert response.status_code == 409
    assert response.context["form"]["financial"].value() in (1, "1")
    profile.refresh_from_db()
    assert profile.financial == 4


def test_the_champion_adds_a_training_record_and_a_missing_course_is_named(client, champion, kam):
    AccountFactory(kam=kam)
    client.force_login(champion)
    url = reverse("portfolio:kam_training", args=[kam.pk])
    assert client.post(url, {"course": "", "skill": "planning"}).status_code == 422
    assert client.post(url, {"course": "Account planning", "skill": "planning"}).status_code == 302
    assert TrainingRecord.objects.get(user=kam).course == "Account planning"


@pytest.mark.parametrize("role", ROLES)
def test_team_pages_are_the_champions(as_role, role, kam, account):
    client = as_role(role)
    expected = {"champion": 200, "anonymous": 302}.get(role, 403)
    assert client.get(URL).status_code == expected
    assert client.get(reverse("portfolio:kam_skills", args=[kam.pk])).status_code == expected
    response = client.post(
        reverse("portfolio:kam_training", args=[kam.pk]), {"course": "X", "skill": "planning"}
    )
    assert response.status_code == (302 if role in ("champion", "anonymous") else 403)
    assert TrainingRecord.objects.exists() == (role == "champion")


def test_the_team_page_runs_a_fixed_number_of_queries(client, champion, django_assert_max_num_queries):
    from tests.factories import UserFactory

    def add(n):
        for _ in range(n):
            user = UserFactory()
            AccountFactory(kam=user, key=True)
            SkillsProfileFactory(user=user)
            TrainingRecordFactory(user=user)

    client.force_login(champion)
    add(2)
    with django_assert_max_num_queries(10) as small:
        client.get(URL)
    add(15)
    with django_assert_max_num_queries(10) as large:
        client.get(URL)
    assert len(small.captured_queries) == len(large.captured_queries)
