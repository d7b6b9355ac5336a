"""The programme's screens for every role: criteria and the what-if, recompute runs, the score card."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.core.versions import StaleVersion
from programme import services as programme_services
from programme.models import AccountScore, Criterion, ManualScore, Programme, RecomputeRun, ScoreSnapshot
from programme.scoring import engine
from programme.scoring import services as scoring_services
from programme.scoring import what_if as scoring_what_if
from tests.conftest import ROLES
from tests.factories import AccountFactory
from tests.programme.factories import CriterionFactory, ManualScoreFactory, monthly_figures

pytestmark = pytest.mark.django_db

CHAMPION_ONLY = {"champion": 200, "kam": 403, "other_kam": 403, "sponsor": 403, "team_member": 403}
CHAMPION_ONLY |= {"outsider": 403, "anonymous": 302}


@pytest.fixture
def criteria(db):
    return {
        "revenue": CriterionFactory(name="Sales value", weight=Decimal("2")),
        "reference": CriterionFactory(name="Reference value", by_hand=True),
    }


def what_if(criteria, **overrides):
    data = {
        "entry_threshold": "65",
        "exit_threshold": "45",
        "attractiveness_cutoff": "50",
        "relationship_cutoff": "50",
        "attractiveness_share": "0.6",
        "programme_version": str(Programme.load().version),
    }
    for criterion in criteria.values():
        data[f"weight_{criterion.pk}"] = str(criterion.weight)
        data[f"version_{criterion.pk}"] = str(criterion.version)
    return data | overrides


# --- Who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["programme:criteria", "programme:recompute", "programme:criterion_create"])
def test_criteria_and_recompute_pages_are_the_champions(as_role, role, name, criteria):
    response = as_role(role).get(reverse(name))
    assert response.status_code == CHAMPION_ONLY[role]


@pytest.mark.parametrize("role", ROLES)
def test_what_if_and_saving_weights_are_the_champions(as_role, role, criteria, programme):
    client = as_role(role)
    preview = client.post(reverse("programme:criteria_preview"), what_if(criteria))
    save = client.post(reverse("programme:criteria_weights_save"), what_if(criteria))
    expected = CHAMPION_ONLY[role]
    assert preview.status_code == expected
    assert save.status_code == (302 if role in ("champion", "anonymous") else 403)


@pytest.mark.parametrize("role", ROLES)
def test_score_card_is_seen_by_whoever_sees_the_account(as_role, role, account, criteria):
    response = as_role(role).get(reverse("programme:score_card", args=[account.pk]))
    expected = {"champion": 200, "kam": 200, "sponsor": 200, "team_member": 200}
    assert response.status_code == expected.get(role, 302 if role == "anonymous" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_accounts_kam_or_the_champion_scores_by_hand(as_role, role, account, criteria):
    url = reverse("programme:manual_score", args=[account.pk, criteria["reference"].pk])
    client = as_role(role)
    expected = {"champion": 200, "kam": 200, "sponsor": 403, "team_member": 403, "anonymous": 302}
    assert client.get(url).status_code == expected.get(role, 404)
    response = client.post(url, {"score": "8", "justification": "Reference in Germany"})
    assert response.status_code == {"champion": 302, "kam": 302}.get(role, expected.get(role, 404))
    assert ManualScore.objects.filter(account=account).exists() == (role in ("champion", "kam"))


# --- The score card -----------------------------------------------------------------------------


def test_account_page_shows_the_score_card_with_clv_inputs_and_an_incomplete_flag(
    client, kam, account, criteria
):
    account.currency = "EUR"
    account.save()
    monthly_figures(account, until=timezone.localdate().replace(day=1))
    engine.recompute_scores()
    client.force_login(kam)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert 'id="score-card"' in html
    assert "Customer lifetime value" in html and "M₀" in html and "3,600 EUR" in html
    assert "incomplete-badge" not in html  # revenue scored: 60 % of the weight
    assert "Reference value" in html and "Score</a>" in html


def test_an_account_without_figures_shows_no_lifetime_value_and_is_incomplete(client, kam, account, criteria):
    engine.recompute_scores()
    client.force_login(kam)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "No lifetime value" in html
    assert "incomplete" in html


def test_a_manual_score_older_than_a_year_is_flagged_stale(client, kam, account, criteria):
    ManualScoreFactory(
        account=account, criterion=criteria["reference"], scored_on=timezone.localdate() - timedelta(days=400)
    )
    engine.recompute_scores()
    client.force_login(kam)
    html = client.get(reverse("programme:score_card", args=[account.pk])).content.decode()
    assert "stale" in html and "over a year old" in html


def test_kam_scores_by_hand_inline_and_gets_the_refreshed_card(client, kam, account, criteria):
    client.force_login(kam)
    url = reverse("programme:manual_score", args=[account.pk, criteria["reference"].pk])
    response = client.post(
        url, {"score": "9", "justification": "Opens the Nordic market"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#score-card"
    manual = ManualScore.objects.get(account=account)
    assert (manual.score, manual.scored_by, manual.scored_on) == (Decimal("9"), kam, timezone.localdate())
    assert 'id="score-card"' in response.content.decode()


def test_manual_score_needs_a_reason_and_a_score_from_0_to_10(client, kam, account, criteria):
    client.force_login(kam)
    url = reverse("programme:manual_score", args=[account.pk, criteria["reference"].pk])
    response = client.post(url, {"score": "11", "justification": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    html = response.content.decode()
    assert "id_score-error" in html and "id_justification-error" in html
    assert not ManualScore.objects.exists()


def test_a_second_kam_saving_over_a_newer_score_is_told_and_keeps_what_they_typed(
    client, kam, champion, account, criteria
):
    manual = ManualScoreFactory(account=account, criterion=criteria["reference"], scored_by=champion)
    scoring_services.manual_score_save(
        account=account, criterion=criteria["reference"], score=Decimal("3"), justification="Lost the tender",
        by=champion, expected_version=manual.version,
    )  # fmt: skip
    client.force_login(kam)
    url = reverse("programme:manual_score", args=[account.pk, criteria["reference"].pk])
    response = client.post(
        url, {"score": "9", "justification": "My view", "version": manual.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else scored this" in html and "Lost the tender" in html and "My view" in html
    assert ManualScore.objects.get().score == Decimal("3")


# --- Criteria and the what-if ---------------------------------------------------------------------


def test_what_if_shows_how_ranking_and_quadrants_would_move_and_saves_nothing(client, champion, criteria):
    leader, follower = AccountFactory(name="Leader"), AccountFactory(name="Follower")
    monthly_figures(leader, revenue="5000", until=timezone.localdate().replace(day=1))
    monthly_figures(follower, revenue="1000", until=timezone.localdate().replace(day=1))
    engine.recompute_scores()
    before = list(AccountScore.objects.values_list("overall", flat=True))
    client.force_login(champion)
    response = client.post(
        reverse("programme:criteria_preview"),
        what_if(criteria, entry_threshold="90", attractiveness_share="1"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Leader" in html and "Nothing is saved yet" in html
    assert list(AccountScore.objects.values_list("overall", flat=True)) == before
    assert Programme.load().entry_threshold == Decimal("65")


def test_what_if_names_the_field_when_exit_is_not_below_entry(client, champion, criteria):
    client.force_login(champion)
    response = client.post(
        reverse("programme:criteria_preview"), what_if(criteria, exit_threshold="70"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "id_exit_threshold-error" in response.content.decode()


def test_champion_saves_weights_and_thresholds_from_the_what_if(client, champion, criteria, programme):
    client.force_login(champion)
    data = what_if(criteria, entry_threshold="70")
    data[f"weight_{criteria['revenue'].pk}"] = "5"
    response = client.post(reverse("programme:criteria_weights_save"), data)
    assert response.status_code == 302
    assert Criterion.objects.get(pk=criteria["revenue"].pk).weight == Decimal("5")
    assert Programme.load().entry_threshold == Decimal("70")


def test_saving_weights_over_someone_elses_change_is_refused(client, champion, criteria, programme):
    client.force_login(champion)
    stale = what_if(criteria)
    programme_services.weights_save(weights={criteria["revenue"].pk: Decimal("4")}, by=champion, versions={
        criteria["revenue"].pk: criteria["revenue"].version})  # fmt: skip
    response = client.post(reverse("programme:criteria_weights_save"), stale)
    assert response.status_code == 409
    assert Criterion.objects.get(pk=criteria["revenue"].pk).weight == Decimal("4")


def test_the_second_of_two_threshold_saves_from_the_same_page_is_refused(
    client, champion, criteria, programme
):
    client.force_login(champion)
    first = what_if(criteria, entry_threshold="70", exit_threshold="40")
    second = what_if(criteria, entry_threshold="80", exit_threshold="50")  # opened at the same version
    assert client.post(reverse("programme:criteria_weights_save"), first).status_code == 302

    response = client.post(reverse("programme:criteria_weights_save"), second)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved the programme's thresholds after you opened this page." in page
    assert "Theirs: entry 70.00, exit 40.00" in page
    assert 'name="entry_threshold" value="80"' in page  # what the second champion typed is kept
    stored = Programme.load()
    assert (stored.entry_threshold, stored.exit_threshold) == (Decimal("70"), Decimal("40"))
    assert stored.version == programme.version + 1


def test_after_a_threshold_conflict_saving_again_knowingly_replaces_theirs(
    client, champion, criteria, programme
):
    client.force_login(champion)
    stale = what_if(criteria, entry_threshold="80", exit_threshold="50")
    programme_services.thresholds_save(
        by=champion, expected_version=programme.version, entry_threshold=Decimal("70"),
        exit_threshold=Decimal("40"), attractiveness_cutoff=Decimal("50"), relationship_cutoff=Decimal("50"),
        attractiveness_share=Decimal("0.6"),
    )  # fmt: skip
    conflict = client.post(reverse("programme:criteria_weights_save"), stale, HTTP_HX_REQUEST="true")
    assert conflict.status_code == 409
    assert f'name="programme_version" value="{programme.version + 1}"' in conflict.content.decode()

    again = client.post(
        reverse("programme:criteria_weights_save"), stale | {"programme_version": programme.version + 1}
    )

    assert again.status_code == 302
    assert Programme.load().entry_threshold == Decimal("80")


def test_a_refused_threshold_save_keeps_no_weight_either(client, champion, criteria, programme):
    client.force_login(champion)
    stale = what_if(criteria)
    stale[f"weight_{criteria['revenue'].pk}"] = "9"
    Programme.objects.update(version=programme.version + 1)  # someone saved the settings meanwhile
    response = client.post(reverse("programme:criteria_weights_save"), stale)
    assert response.status_code == 409
    assert Criterion.objects.get(pk=criteria["revenue"].pk).weight == Decimal("2")


def test_thresholds_save_refuses_a_stale_version(champion, programme):
    values = {
        "entry_threshold": Decimal("70"), "exit_threshold": Decimal("40"),
        "attractiveness_cutoff": Decimal("50"), "relationship_cutoff": Decimal("50"),
        "attractiveness_share": Decimal("0.6"),
    }  # fmt: skip
    programme_services.thresholds_save(by=champion, expected_version=programme.version, **values)
    with pytest.raises(StaleVersion) as refused:
        programme_services.thresholds_save(
            by=champion, expected_version=programme.version, **values | {"entry_threshold": Decimal("90")}
        )
    assert refused.value.current.entry_threshold == Decimal("70")
    assert Programme.load().entry_threshold == Decimal("70")


def test_programme_settings_in_the_admin_are_version_checked(client, programme):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", is_champion=True, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:programme_programme_change", args=[programme.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    first = client.post(url, data | {"sponsor_account_cap": "4"})
    assert first.status_code == 302

    second = client.post(url, data | {"sponsor_account_cap": "6"})

    assert second.status_code == 200
    assert "Someone else saved the programme" in second.content.decode()
    assert Programme.load().sponsor_account_cap == 4
    again = client.post(url, data | {"sponsor_account_cap": "6", "loaded_version": Programme.load().version})
    assert again.status_code == 302
    assert Programme.load().sponsor_account_cap == 6


def test_champion_adds_a_criterion_scored_by_bands(client, champion):
    client.force_login(champion)
    response = client.post(
        reverse("programme:criterion_create"),
        {
            "name": "Payment behaviour", "group": "attractiveness", "weight": "1", "source": "data",
            "metric": "days_to_pay", "mapping": "bands", "bands": "[[0, 10], [30, 6], [60, 2]]",
            "position": "1",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert Criterion.objects.get(name="Payment behaviour").bands == [[0, 10], [30, 6], [60, 2]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bands": "[[30, 6], [0, 10]]"}, "bands"),
        ({"bands": "not json"}, "bands"),
        ({"metric": ""}, "metric"),
        ({"weight": "-1"}, "weight"),
    ],
)
def test_bad_criterion_input_is_refused_naming_the_field(client, champion, changes, field):
    client.force_login(champion)
    data = {
        "name": "Payment behaviour", "group": "attractiveness", "weight": "1", "source": "data",
        "metric": "days_to_pay", "mapping": "bands", "bands": "[[0, 10]]", "position": "1",
    } | changes  # fmt: skip
    response = client.post(reverse("programme:criterion_create"), data)
    assert response.status_code == 422
    assert f"id_{field}-error" in response.content.decode()
    assert not Criterion.objects.exists()


def test_retiring_a_criterion_keeps_it_out_of_scoring(client, champion, criteria):
    client.force_login(champion)
    criterion = criteria["revenue"]
    client.post(
        reverse("programme:criterion_active", args=[criterion.pk]),
        {"version": criterion.version, "active": "0"},
    )
    assert not Criterion.objects.get(pk=criterion.pk).is_active


# --- Recompute from the browser ------------------------------------------------------------------


def test_champion_starts_a_recompute_and_watches_it(
    client, champion, account, criteria, django_capture_on_commit_callbacks
):
    client.force_login(champion)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("programme:recompute"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    run = RecomputeRun.objects.get()
    assert run.status == "succeeded" and run.started_by == champion
    assert AccountScore.objects.filter(account=account).exists()
    html = client.get(reverse("programme:recompute")).content.decode()
    assert "Last completed" in html


def test_a_running_recompute_is_polled_and_not_started_twice(client, champion):
    RecomputeRun.objects.create(started_at=timezone.now(), accounts_total=10, accounts_processed=4)
    client.force_login(champion)
    html = client.get(reverse("programme:recompute")).content.decode()
    assert 'hx-trigger="every 2s"' in html and "4 of 10" in html
    client.post(reverse("programme:recompute"))
    assert RecomputeRun.objects.count() == 1


# --- Database clamps --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 30])
def test_score_card_runs_a_fixed_number_of_queries(client, kam, account, size, django_assert_max_num_queries):
    for i in range(size):
        criterion = CriterionFactory(by_hand=True)
        ManualScoreFactory(account=account, criterion=criterion, scored_by=kam)
        CriterionFactory(metric="stakeholders")
        ScoreSnapshot.objects.create(account=account, taken_on=timezone.localdate() - timedelta(days=i + 1))
    engine.recompute_scores()
    client.force_login(kam)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("programme:score_card", args=[account.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_criteria_and_recompute_pages_run_a_fixed_number_of_queries(
    client, champion, size, django_assert_max_num_queries
):
    for _ in range(size):
        CriterionFactory()
        RecomputeRun.objects.create(started_at=timezone.now(), status="succeeded", started_by=champion)
    client.force_login(champion)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("programme:criteria")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("programme:recompute")).status_code == 200


def test_admin_refuses_a_criterion_from_data_without_a_metric(client, champion):
    champion.is_staff = champion.is_superuser = True
    champion.save()
    client.force_login(champion)
    data = {"name": "Odd", "group": "attractiveness", "weight": "1", "source": "data", "metric": "",
            "mapping": "percentile", "bands": "[]", "position": "0", "is_active": "on"}  # fmt: skip
    response = client.post(reverse("admin:programme_criterion_add"), data)
    assert response.status_code == 200 and "Pick the metric" in response.content.decode()
    assert not Criterion.objects.exists()


def test_a_run_left_running_for_hours_by_a_dead_worker_does_not_block_a_new_one(
    client, champion, django_capture_on_commit_callbacks
):
    dead = RecomputeRun.objects.create(started_at=timezone.now() - timedelta(hours=3))
    client.force_login(champion)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programme:recompute"))
    dead.refresh_from_db()
    assert dead.status == "failed" and RecomputeRun.objects.filter(status="succeeded").count() == 1


def test_what_if_with_unchanged_weights_matches_the_scores_the_recompute_published(criteria):
    """The what-if (scored in Python) with unchanged weights gives the scores the recompute (in SQL)
    published. The recompute leaves no gathered figures in the cache for it: a large pickled object."""
    for revenue in ("5000", "3000", "1000"):
        monthly_figures(AccountFactory(), revenue=revenue, until=timezone.localdate().replace(day=1))
    engine.recompute_scores()
    rules = [engine.criterion_rule(c) for c in Criterion.objects.all()]
    settings = engine.ScoringSettings.of(Programme.load())
    results = scoring_what_if.preview_scores(rules=rules, settings=settings)
    published = dict(AccountScore.objects.values_list("account_id", "overall"))
    assert {a: round(Decimal(r.overall.score), 2) for a, r in results.items()} == published
