"""The audit's lost updates, as the people involved would live them: each second save is told, never lost."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AccountInvestment, AccountPlan, PlanStatus, Stakeholder, Survey
from accounts.plans import services as plan_services
from programme.models import AlignmentElement
from tests.accounts.measures_factories import InvestmentFactory, SurveyFactory
from tests.accounts.plan_factories import ObjectiveFactory, PlanFactory
from tests.factories import StakeholderFactory, UserFactory
from tests.programme.dashboard_factories import ReviewFactory

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _opened_form(browser, url) -> dict:
    """What the browser posts back: the form's fields as the page showed them."""
    form = browser.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def test_two_people_editing_an_account_the_second_is_told_and_the_first_change_stays(champion, account):
    magda = UserFactory(username="magda-champion", is_champion=True)
    jan, magda_browser = _browser(champion), _browser(magda)
    url = reverse("accounts:edit", args=[account.pk])
    jans, magdas = _opened_form(jan, url), _opened_form(magda_browser, url)
    assert jan.post(url, jans | {"industry": "Steel"}).status_code == 302
    response = magda_browser.post(url, magdas | {"industry": "Mining"})
    assert response.status_code == 409
    content = response.content.decode()
    assert 'value="Mining"' in content  # what Magda typed is kept
    assert "Steel" in content  # and Jan's value is shown to her
    account.refresh_from_db()
    assert (account.industry, account.version) == ("Steel", 2)
    assert account.history.latest("history_date").history_user == champion


@pytest.fixture
def submitted_plan(account, kam):
    plan = PlanFactory(account=account)
    ObjectiveFactory(plan=plan)
    plan_services.plan_transition(plan=plan, name="submit", by=kam, expected_version=plan.version)
    return AccountPlan.objects.get(pk=plan.pk)


def _reopened_and_resubmitted(plan, kam):
    plan_services.plan_transition(
        plan=plan, name="reopen", by=kam, comment="New figures", expected_version=plan.version
    )
    plan_services.plan_transition(plan=plan, name="submit", by=kam, expected_version=plan.version)


def test_a_sponsor_cannot_endorse_a_plan_that_changed_after_she_opened_it(
    sponsor, kam, account, submitted_plan
):
    ewa = _browser(sponsor)
    brief = ewa.get(reverse("portfolio:sponsor_brief", args=[account.pk])).content.decode()
    assert f'name="version" value="{submitted_plan.version}"' in brief
    seen = submitted_plan.version
    _reopened_and_resubmitted(submitted_plan, kam)
    response = ewa.post(
        reverse("portfolio:sponsor_endorse", args=[account.pk, submitted_plan.pk]), {"version": seen}
    )
    assert response.status_code == 409
    assert "changed after you opened it" in response.content.decode()
    assert AccountPlan.objects.get(pk=submitted_plan.pk).status == PlanStatus.SUBMITTED


def test_the_champion_cannot_approve_a_plan_that_changed_after_he_opened_it(champion, kam, submitted_plan):
    jan = _browser(champion)
    url = reverse("accounts:plan_step", args=[submitted_plan.account_id, submitted_plan.pk, "approve"])
    detail = jan.get(submitted_plan.get_absolute_url()).content.decode()
    assert f'name="version" value="{submitted_plan.version}"' in detail
    seen = submitted_plan.version
    _reopened_and_resubmitted(submitted_plan, kam)
    response = jan.post(url, {"version": seen})
    assert response.status_code == 409
    assert "changed after you opened it" in response.content.decode()
    plan = AccountPlan.objects.get(pk=submitted_plan.pk)
    assert plan.status == PlanStatus.SUBMITTED and plan.status_changes.count() == 3


@pytest.fixture
def admin_browser(db):
    return _browser(UserFactory(username="root", is_champion=True, is_staff=True, is_superuser=True))


def _admin_opened(browser, url) -> dict:
    form = browser.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


@pytest.mark.parametrize(
    ("make", "field", "first", "second"),
    [
        (lambda account: InvestmentFactory(account=account), "note", "First", "Second"),
        (lambda account: SurveyFactory(account=account), "comment", "First", "Second"),
    ],
    ids=["investment", "survey"],
)
def test_an_admin_save_from_a_stale_page_is_refused_for_investments_and_surveys(
    admin_browser, account, make, field, first, second
):
    record = make(account)
    meta = record._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    opened = _admin_opened(admin_browser, url)
    assert admin_browser.post(url, opened | {field: first}).status_code == 302
    response = admin_browser.post(url, opened | {field: second})
    assert response.status_code == 200 and "Someone else saved this" in response.content.decode()
    record.refresh_from_db()
    assert (getattr(record, field), record.version) == (first, 2)
    assert record.history.latest("history_date").history_user.username == "root"


@pytest.mark.parametrize("version", [None, 0])
def test_the_full_page_stakeholder_form_refuses_an_edit_without_the_version_it_was_opened_at(
    kam, account, version
):
    person = StakeholderFactory(account=account, name="Irena Zając", title="CFO")
    browser = _browser(kam)
    url = reverse("accounts:stakeholder_edit", args=[account.pk, person.pk])
    data = {k: v for k, v in _opened_form(browser, url).items() if k != "version"} | {"title": "CEO"}
    if version is not None:
        data["version"] = version
    response = browser.post(url, data)
    assert response.status_code in (400, 409)
    assert Stakeholder.objects.get(pk=person.pk).title == "CFO"


def test_two_champions_scoring_the_alignment_the_second_is_told(champion):
    other = UserFactory(username="second-champion", is_champion=True)
    review = ReviewFactory()
    url = reverse("portfolio:review_alignment", args=[review.pk])
    jan, piotr = _browser(champion), _browser(other)
    page = piotr.get(review.get_absolute_url()).content.decode()
    assert f'name="version" value="{review.version}"' in page
    scores = {f"{e}_score": "3" for e in AlignmentElement.values}
    assert jan.post(url, scores | {"version": review.version, "benchmark_notes": "Jan's"}).status_code == 302
    response = piotr.post(url, scores | {"version": review.version, "benchmark_notes": "Piotr's"})
    assert response.status_code == 409
    content = response.content.decode()
    assert "Piotr&#x27;s" in content and "Jan&#x27;s" in content
    review.refresh_from_db()
    assert review.benchmark_notes == "Jan's"


def test_investment_and_survey_saved_in_the_admin_keep_their_history(admin_browser, account):
    investment = InvestmentFactory(account=account)
    url = reverse("admin:accounts_accountinvestment_change", args=[investment.pk])
    assert admin_browser.post(url, _admin_opened(admin_browser, url) | {"note": "Checked"}).status_code == 302
    assert AccountInvestment.objects.get(pk=investment.pk).version == 2
    survey = SurveyFactory(account=account)
    url = reverse("admin:accounts_survey_change", args=[survey.pk])
    assert (
        admin_browser.post(url, _admin_opened(admin_browser, url) | {"comment": "Checked"}).status_code == 302
    )
    assert Survey.objects.get(pk=survey.pk).version == 2
