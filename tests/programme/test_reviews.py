"""Programme reviews: open (frozen), decide with rationale and overrides, assess the 7S, apply, close."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import LifecycleChange, LifecycleStatus
from programme.models import AlignmentElement, Quadrant, Recommendation, ReviewEntry, ReviewStatus
from programme.reviews import services
from tests.conftest import ROLES
from tests.factories import AccountFactory
from tests.programme.dashboard_factories import AccountScoreFactory, ReviewFactory

pytestmark = pytest.mark.django_db
ALL_SEVEN = {e.value: (4, "fine") for e in AlignmentElement}


@pytest.fixture
def portfolio(account, other_account):
    """Baltic Steel (key, proposed for exit), Lyon Chimie (key), Rising Star (candidate, proposed for entry),
    Golf Partner (candidate, nothing proposed)."""
    AccountScoreFactory(
        account=account,
        attractiveness=Decimal(30),
        relationship=Decimal(30),
        overall=Decimal(30),
        recommendation=Recommendation.REVIEW_FOR_EXIT,
    )
    AccountScoreFactory(account=other_account, overall=Decimal(70), recommendation=Recommendation.KEEP)
    rising = AccountFactory(name="Rising Star")
    AccountScoreFactory(account=rising, overall=Decimal(80), recommendation=Recommendation.ADD)
    golf = AccountFactory(name="Golf Partner")
    AccountScoreFactory(
        account=golf, overall=Decimal(40), attractiveness=Decimal(40), relationship=Decimal(40)
    )
    return {"baltic": account, "lyon": other_account, "rising": rising, "golf": golf}


def _open(champion, title="Q4 2026"):
    return services.review_open(
        title=title, period_start=date(2026, 10, 1), period_end=date(2026, 12, 31), by=champion
    )


def _entry(review, account):
    return review.entries.get(account=account)


def test_opening_freezes_key_accounts_and_leading_candidates_with_their_figures(champion, portfolio):
    review = _open(champion)
    names = set(review.entries.values_list("account_name", flat=True))
    assert names == {"Baltic Steel", "Lyon Chimie", "Rising Star", "Golf Partner"}
    baltic = _entry(review, portfolio["baltic"])
    assert baltic.lifecycle_status == LifecycleStatus.KEY
    assert baltic.overall == Decimal(30) and baltic.quadrant == Quadrant.STREAMLINE
    assert "below the exit threshold" in baltic.recommendation_reason
    # Later changes to the live score do not touch the frozen entry.
    portfolio["baltic"].score.overall = Decimal(99)
    portfolio["baltic"].score.save()
    baltic.refresh_from_db()
    assert baltic.overall == Decimal(30)


def test_a_second_review_cannot_be_opened_while_one_is_open(champion, portfolio):
    _open(champion)
    with pytest.raises(ValidationError, match="still open"):
        _open(champion, "again")


def test_only_the_champion_opens_a_review(kam, sponsor, portfolio):
    for user in (kam, sponsor):
        with pytest.raises(PermissionDenied):
            _open(user)


def test_a_decision_needs_its_rationale(champion, portfolio):
    review = _open(champion)
    with pytest.raises(ValidationError) as error:
        services.review_decide(
            review=review, entry=_entry(review, portfolio["lyon"]), decision="keep", rationale="", by=champion
        )
    assert "rationale" in error.value.error_dict


def test_adding_against_the_recommendation_is_an_override_and_needs_its_reason(champion, portfolio):
    review = _open(champion)
    golf = _entry(review, portfolio["golf"])
    with pytest.raises(ValidationError) as error:
        services.review_decide(review=review, entry=golf, decision="add", rationale="Strategic", by=champion)
    assert "override_reason" in error.value.error_dict
    decision = services.review_decide(
        review=review,
        entry=golf,
        decision="add",
        rationale="Strategic",
        override_reason="The CEO's golf partner",
        by=champion,
    )
    assert decision.is_override and decision.decided_by == champion


def test_keeping_an_account_proposed_for_exit_on_watch_is_an_override(champion, portfolio):
    review = _open(champion)
    baltic = _entry(review, portfolio["baltic"])
    assert services.is_override(baltic, "watch")
    assert not services.is_override(baltic, "remove")
    assert not services.is_override(_entry(review, portfolio["rising"]), "add")


def test_a_candidate_cannot_be_removed_nor_a_key_account_added(champion, portfolio):
    review = _open(champion)
    with pytest.raises(ValidationError) as error:
        services.review_decide(
            review=review,
            entry=_entry(review, portfolio["golf"]),
            decision="remove",
            rationale="x",
            by=champion,
        )
    assert "decision" in error.value.error_dict


def test_applying_waits_for_every_decision_and_the_alignment(champion, portfolio):
    review = _open(champion)
    with pytest.raises(ValidationError, match="wait for a decision"):
        services.review_apply(review=review, by=champion)


def _decide_all(review, portfolio, champion):
    decide = services.review_decide
    decide(
        review=review,
        entry=_entry(review, portfolio["baltic"]),
        decision="remove",
        rationale="Margin after cost-to-serve negative for four quarters",
        by=champion,
    )
    decide(
        review=review,
        entry=_entry(review, portfolio["lyon"]),
        decision="keep",
        rationale="Solid",
        by=champion,
    )
    decide(
        review=review,
        entry=_entry(review, portfolio["rising"]),
        decision="add",
        rationale="Above",
        by=champion,
    )
    decide(
        review=review,
        entry=_entry(review, portfolio["golf"]),
        decision="keep",
        rationale="Not yet",
        by=champion,
    )
    services.review_assess(
        review=review,
        scores=ALL_SEVEN,
        benchmark_notes="Siemens: board sponsors",
        by=champion,
        expected_version=review.version,
    )


def test_applying_changes_lifecycles_in_one_go_and_closes_the_review(champion, portfolio):
    review = _open(champion)
    _decide_all(review, portfolio, champion)
    services.review_apply(review=review, by=champion)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED and review.closed_by == champion
    portfolio["baltic"].refresh_from_db()
    portfolio["rising"].refresh_from_db()
    assert portfolio["baltic"].status == LifecycleStatus.EXITED
    assert "four quarters" in portfolio["baltic"].exit_reason
    assert portfolio["rising"].status == LifecycleStatus.KEY
    assert portfolio["rising"].key_since == timezone.localdate()
    assert LifecycleChange.objects.filter(changed_by=champion).count() == 2


def test_a_failing_lifecycle_change_leaves_nothing_half_applied(champion, portfolio):
    review = _open(champion)
    _decide_all(review, portfolio, champion)
    # Rising Star became key by another route meanwhile: adding it again fails, and so does the apply.
    portfolio["rising"].status, portfolio["rising"].key_since = LifecycleStatus.KEY, date(2026, 1, 1)
    portfolio["rising"].save()
    with pytest.raises(ValidationError):
        services.review_apply(review=review, by=champion)
    review.refresh_from_db()
    portfolio["baltic"].refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert portfolio["baltic"].status == LifecycleStatus.KEY


def test_a_closed_review_never_changes(champion, portfolio):
    review = _open(champion)
    _decide_all(review, portfolio, champion)
    services.review_apply(review=review, by=champion)
    with pytest.raises(ValidationError, match="closed"):
        services.review_decide(
            review=review,
            entry=_entry(review, portfolio["lyon"]),
            decision="watch",
            rationale="x",
            expected_version=1,
            by=champion,
        )
    with pytest.raises(ValidationError, match="closed"):
        services.review_assess(
            review=review, scores=ALL_SEVEN, benchmark_notes="", by=champion, expected_version=review.version
        )
    with pytest.raises(ValidationError, match="closed"):
        services.review_apply(review=review, by=champion)


def test_alignment_scores_must_be_one_to_five(champion, portfolio):
    review = _open(champion)
    with pytest.raises(ValidationError) as error:
        services.review_assess(
            review=review,
            scores={**ALL_SEVEN, "skills": (7, "")},
            benchmark_notes="",
            by=champion,
            expected_version=review.version,
        )
    assert "skills_score" in error.value.error_dict


def test_a_stale_decision_is_refused(champion, portfolio):
    from kam.core.versions import StaleVersion

    review = _open(champion)
    lyon = _entry(review, portfolio["lyon"])
    services.review_decide(review=review, entry=lyon, decision="keep", rationale="one", by=champion)
    services.review_decide(
        review=review, entry=lyon, decision="watch", rationale="two", expected_version=1, by=champion
    )
    with pytest.raises(StaleVersion):
        services.review_decide(
            review=review, entry=lyon, decision="keep", rationale="three", expected_version=1, by=champion
        )


def test_the_review_page_compares_with_the_previous_review(client, champion, portfolio):
    first = _open(champion, "Q3 2026")
    _decide_all(first, portfolio, champion)
    services.review_apply(review=first, by=champion)
    portfolio["lyon"].score.quadrant = Quadrant.STAR
    portfolio["lyon"].score.save()
    second = _open(champion, "Q4 2026")
    client.force_login(champion)
    page = client.get(reverse("portfolio:review_detail", args=[second.pk])).context["page"]
    comparison = page.comparison
    assert comparison.previous == first
    assert [(e.account_name, before) for e, before in comparison.movers] == [
        ("Lyon Chimie", Quadrant.STRATEGIC)
    ]
    assert comparison.totals.key_accounts == 2  # Lyon and the new Rising Star
    assert comparison.previous_totals.key_accounts == 2  # Baltic and Lyon
    first_page = client.get(reverse("portfolio:review_detail", args=[first.pk])).context["page"]
    assert [e.account_name for e in first_page.comparison.entries] == ["Rising Star"]
    assert [e.account_name for e in first_page.comparison.exits] == ["Baltic Steel"]


def test_deciding_through_htmx_answers_the_row_with_field_messages(client, champion, portfolio):
    review = _open(champion)
    golf = _entry(review, portfolio["golf"])
    client.force_login(champion)
    url = reverse("portfolio:review_decide", args=[review.pk, golf.pk])
    response = client.post(url, {"decision": "add", "rationale": "Strategic"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    content = response.content.decode()
    assert content.startswith("<tr") and "record the override reason" in content
    response = client.post(
        url,
        {"decision": "add", "rationale": "Strategic", "override_reason": "The CEO's golf partner"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "The CEO&#x27;s golf partner" in response.content.decode()


def test_the_review_csv_lists_entries_with_decisions(client, champion, portfolio):
    review = _open(champion)
    _decide_all(review, portfolio, champion)
    client.force_login(champion)
    response = client.get(reverse("portfolio:review_csv", args=[review.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Baltic Steel"][12] == "Remove"
    assert len(rows) == 5


def test_the_closed_review_page_is_read_only(client, champion, portfolio):
    review = _open(champion)
    _decide_all(review, portfolio, champion)
    services.review_apply(review=review, by=champion)
    client.force_login(champion)
    content = client.get(reverse("portfolio:review_detail", args=[review.pk])).content.decode()
    assert "can be read, never changed" in content
    assert "<form" not in content.split('id="main"')[1]
    response = client.post(reverse("portfolio:review_apply", args=[review.pk]), follow=True)
    assert response.redirect_chain == [(review.get_absolute_url(), 302)]
    assert "This review is closed" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_every_review_page_and_action_is_the_champions(as_role, role, champion, portfolio):
    review = _open(champion)
    entry = _entry(review, portfolio["lyon"])
    client = as_role(role)
    gets = [
        reverse("portfolio:review_list"),
        reverse("portfolio:review_detail", args=[review.pk]),
        reverse("portfolio:review_csv", args=[review.pk]),
    ]
    posts = [
        (
            reverse("portfolio:review_list"),
            {"title": "X", "period_start": "2026-01-01", "period_end": "2026-03-31"},
        ),
        (
            reverse("portfolio:review_decide", args=[review.pk, entry.pk]),
            {"decision": "keep", "rationale": "x"},
        ),
        (reverse("portfolio:review_alignment", args=[review.pk]), {}),
        (reverse("portfolio:review_accept", args=[review.pk]), {"entry": [entry.pk]}),
        (reverse("portfolio:review_apply", args=[review.pk]), {}),
    ]
    for url in gets:
        status = client.get(url).status_code
        assert status == {"champion": 200, "anonymous": 302}.get(role, 403), url
    for url, data in posts:
        status = client.post(url, data).status_code
        if role == "champion":
            assert status in (200, 302, 422), url
        else:
            assert status == (302 if role == "anonymous" else 403), url
    if role != "champion":
        assert not review.decisions.exists()


def test_review_page_query_count_does_not_grow_with_entries(
    client, champion, programme, django_assert_max_num_queries
):
    for i in range(5):
        AccountScoreFactory(account=AccountFactory(key=True), overall=Decimal(50 + i))
    review = _open(champion)
    client.force_login(champion)
    url = reverse("portfolio:review_detail", args=[review.pk])
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    review.entries.all().delete()
    ProgrammeReviewEntries = review.entries.model
    for i in range(60):
        a = AccountFactory(key=True)
        ProgrammeReviewEntries.objects.create(
            review=review, account=a, account_name=a.name, lifecycle_status="key", overall=Decimal(i)
        )
    with django_assert_max_num_queries(20) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_accepting_the_recommendations_decides_every_undecided_entry_then_exceptions_change_one_by_one(
    client, champion, portfolio
):
    review = _open(champion)
    lyon = _entry(review, portfolio["lyon"])
    services.review_decide(
        review=review, entry=lyon, decision="watch", rationale="Margin slipping", by=champion
    )
    client.force_login(champion)
    html = client.get(review.get_absolute_url()).content.decode()
    assert "Accept the recommendations for the 3 undecided accounts" in html
    ids = [e.pk for e in review.entries.all()]
    response = client.post(reverse("portfolio:review_accept", args=[review.pk]), {"entry": ids}, follow=True)
    assert response.redirect_chain == [(review.get_absolute_url(), 302)]
    assert (
        "Recommendations accepted for 3 accounts: change the exceptions below." in response.content.decode()
    )
    decided = {d.entry.account_name: d for d in review.decisions.select_related("entry")}
    assert {name: d.decision for name, d in decided.items()} == {
        "Baltic Steel": "remove",  # proposed for exit
        "Lyon Chimie": "watch",  # decided before: kept as it was
        "Rising Star": "add",  # proposed for entry
        "Golf Partner": "keep",  # nothing proposed
    }
    assert not any(d.is_override for d in decided.values())
    assert decided["Baltic Steel"].rationale.startswith("Recommendation accepted")
    assert decided["Baltic Steel"].history.get().history_user == champion
    # The exception: the champion keeps Baltic Steel after all, against the recommendation.
    baltic = decided["Baltic Steel"]
    services.review_decide(
        review=review, entry=baltic.entry, decision="keep", rationale="New CEO",
        override_reason="Board asked", expected_version=baltic.version, by=champion,
    )  # fmt: skip
    baltic.refresh_from_db()
    assert (baltic.decision, baltic.version, baltic.is_override) == ("keep", 2, True)
    assert [h.decision for h in baltic.history.order_by("history_date")] == ["remove", "keep"]
    assert "Accept the recommendations" not in client.get(review.get_absolute_url()).content.decode()


def test_accepting_decides_only_the_entries_the_champion_saw(client, champion, portfolio):
    review = _open(champion)
    client.force_login(champion)
    golf = _entry(review, portfolio["golf"])
    client.post(reverse("portfolio:review_accept", args=[review.pk]), {"entry": [golf.pk]})
    assert list(review.decisions.values_list("entry__account_name", flat=True)) == ["Golf Partner"]


def test_applying_an_unfinished_review_says_why_at_the_top_of_the_reviews_own_page(
    client, champion, portfolio
):
    review = _open(champion)
    client.force_login(champion)
    response = client.post(reverse("portfolio:review_apply", args=[review.pk]), follow=True)
    assert response.redirect_chain == [(review.get_absolute_url(), 302)]
    html = response.content.decode()
    error = html.index("4 accounts still wait for a decision.")
    assert error < html.index('id="compare-title"') and error < html.index('id="key-title"')
    assert review.status == ReviewStatus.OPEN


def test_a_new_review_starts_the_day_after_the_last_closed_one(client, champion, portfolio):
    today = timezone.localdate()
    client.force_login(champion)
    form = client.get(reverse("portfolio:review_list")).context["form"]
    assert form["period_end"].initial == today and form["period_start"].initial < today
    ReviewFactory(
        status=ReviewStatus.CLOSED,
        closed_at=timezone.now(),
        period_start=today - timedelta(days=100),
        period_end=today - timedelta(days=40),
    )
    form = client.get(reverse("portfolio:review_list")).context["form"]
    assert (form["period_start"].initial, form["period_end"].initial) == (today - timedelta(days=39), today)


def test_the_comparison_shows_a_dash_where_the_previous_review_has_no_figure(client, champion, portfolio):
    previous = ReviewFactory(
        status=ReviewStatus.CLOSED, closed_at=timezone.now(), title="Q3 2026", period_end=date(2026, 9, 30)
    )
    ReviewEntry.objects.create(
        review=previous, account=portfolio["lyon"], account_name="Lyon Chimie", lifecycle_status="key"
    )  # frozen before lifetime value and margin were computed: no figures
    review = services.review_open(
        title="Q4 2026", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31), by=champion
    )
    client.force_login(champion)
    response = client.get(review.get_absolute_url())
    comparison = response.context["page"].comparison
    assert comparison.previous == previous
    assert (comparison.previous_totals.key_clv, comparison.previous_totals.key_margin) == (None, None)
    html = response.content.decode()
    row = html[html.index("lifetime value</th>") :].split("</tr>")[0]
    assert row.endswith('<td class="num">—</td>')
