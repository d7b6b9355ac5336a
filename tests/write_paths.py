"""The write-path registry: every way each versioned record can change, and how to make that request.

It lives with the tests, not in kam/core: an entry builds its record with the factories and speaks
HTTP the way a browser, the admin, an API client or the CRM does, which production code never needs
(and kam.core may import no app). tests/test_write_paths.py runs one parametrised test over it; a
new write path is a new entry here, not a new test.

Each entry names the model, the path, how to make a record, which field it changes (a good value,
and another that a second person types from the same version), and the bad value every path of that
model must refuse with the same message (MODEL_RULES).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.imports.tasks import import_file_task
from accounts.models import (
    AccountPlan,
    ImportRun,
    LifecycleStatus,
    PlanStatus,
)
from programme.models import (
    AlignmentAssessment,
    AlignmentElement,
    Programme,
    ReviewDecision,
    ReviewEntry,
)
from tests.accounts.measures_factories import InvestmentFactory, SurveyFactory
from tests.accounts.plan_factories import (
    ActionFactory,
    ObjectiveFactory,
    OfferingFactory,
    OpportunityFactory,
    PlanFactory,
    ResourceRequestFactory,
    RiskFactory,
)
from tests.factories import AccountFactory, InteractionFactory, StakeholderFactory
from tests.programme.dashboard_factories import ReviewFactory, SkillsProfileFactory
from tests.programme.factories import CriterionFactory, ManualScoreFactory

# How each kind of caller is told: the browser page, the admin, the API, the CRM's batch sync.
BROWSER, ADMIN, API, SYNC = "browser", "admin", "api", "sync"

# The paths a record can be written by.
PAGE_FORM, HTMX_EDITOR, API_PATCH, CRM_SYNC = "page form", "htmx editor", "API PATCH", "CRM sync"
DJANGO_ADMIN, REVIEW_APPLY, PLAN_TRANSITION = "Django admin", "review apply", "plan transition"
FILE_IMPORT = "file import"


def _more_than(limit) -> str:
    return f"Ensure this value is less than or equal to {limit}."


def _not_a_choice(value) -> str:
    return f"Select a valid choice. {value} is not one of the available choices."


# One rule per model: the same bad value must get the same message on every path of that model.
MODEL_RULES: dict[str, tuple[str, Any, str]] = {
    "account": ("currency", "ZZZ", "“ZZZ” is not an ISO 4217 currency code"),
    "stakeholder": ("influence", 9, _more_than(5)),
    "interaction": ("kind", "telepathy", _not_a_choice("telepathy")),
    "objective": ("strategy", "conquer", _not_a_choice("conquer")),
    "action": ("status", "someday", _not_a_choice("someday")),
    "resource request": ("status", "maybe", _not_a_choice("maybe")),
    "opportunity": ("status", "maybe", _not_a_choice("maybe")),
    "manual score": ("score", "11", _more_than(10)),
    "survey": ("nps", 11, _more_than(10)),
    "investment": ("kam_time_cost", "-5", "A cost cannot be negative."),
    "skills profile": ("financial", "9", _more_than(5)),
    "review alignment": ("strategy_score", "9", _not_a_choice("9")),
    "review decision": ("rationale", "", "Say why: the rationale stays with the review."),
}


@dataclass
class World:
    """The people and clients a write path needs: the champion (also an admin), the KAM, the CRM."""

    champion: Any
    kam: Any
    sync_key: str
    clients: dict = field(default_factory=dict)

    def browser(self, user) -> Client:
        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            self.clients[user.pk] = client
        return self.clients[user.pk]


@dataclass(frozen=True)
class WritePath:
    model: str
    path: str
    channel: str  # BROWSER, ADMIN, API or SYNC: how a refusal reads
    make: Callable[[World], Any]
    send: Callable[..., Any]  # (world, record, *, version, changes) -> response
    field: str
    good: Any
    typed: Any  # what a second person types from the same version
    read: Callable[[Any], Any] | None = None  # the stored value to compare with `good`
    stale: bool = True  # whether the path carries a version (the CRM's batch sync does not)
    history: bool = True  # the model keeps simple-history rows
    author: str | None = "champion"  # who history names (None: the CRM, a machine)
    rule: bool = True  # the path can send the model's bad value
    marks: tuple = ()
    rule_marks: tuple = ()  # marks for the bad-value test only

    def rule_param(self):
        return pytest.param(self, id=self.id, marks=(*self.marks, *self.rule_marks))

    @property
    def id(self) -> str:
        return f"{self.model} by {self.path}"

    def stored(self, record):
        value = self.read(record) if self.read else getattr(record, self.field)
        return str(value)

    def param(self):
        return pytest.param(self, id=self.id, marks=self.marks)


# --- how each kind of path is requested ------------------------------------------------------------


def _values(form, *, hidden_version: str = "version") -> dict:
    """A bound-looking copy of what a form shows: what the browser would post back untouched."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[form.add_prefix(name)] = (
            [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
        )
    return data


def page(
    url: Callable[[Any], str],
    *,
    who: str = "champion",
    form: Callable[[Any, Any], Any] = lambda context, record: context["form"],
    htmx: bool = False,
    version_field: str = "version",
    extra: Callable[[Any], dict] | None = None,
    opened_at: Callable[[Any], str] | None = None,
):
    """A browser form: open it (at `opened_at`, else at `url`), change what the entry changes, post it
    back with `version`."""

    def send(world: World, record, *, version: int, changes: dict):
        client = world.browser(getattr(world, who))
        headers = {"HX-Request": "true"} if htmx else {}
        opened = client.get((opened_at or url)(record))  # the whole page: its context holds the form
        assert opened.status_code == 200, opened.content[:500]
        data = _values(form(opened.context, record)) | (extra(record) if extra else {})
        data |= {name: str(value) for name, value in changes.items()} | {version_field: version}
        return client.post(url(record), data, headers=headers)

    return send


def admin(world: World, record, *, version: int, changes: dict):
    """The Django admin's change form, posted back with the version it was opened at."""
    meta = record._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    client = world.browser(world.champion)
    opened = client.get(url)
    data = _values(opened.context["adminform"].form)
    for formset in opened.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {management.add_prefix(name): management[name].value() for name in management.fields}
    data |= {name: str(value) for name, value in changes.items()} | {"loaded_version": version}
    return client.post(url, data)


def api_patch(resource: str):
    """PATCH /api/v1/<resource>/<id>/ with If-Match, as the champion signed in."""

    def send(world: World, record, *, version: int, changes: dict):
        client = world.browser(world.champion)
        return client.patch(
            f"/api/v1/{resource}/{record.pk}/",
            changes,
            content_type="application/json",
            headers={"If-Match": f'"{version}"'},
        )

    return send


def crm_sync(kind: str, record_of: Callable[[Any], dict]):
    """POST /api/v1/sync/<kind>/ with the CRM's key: no version, the record's external id decides."""

    def send(world: World, record, *, version: int, changes: dict):
        body = {"records": [record_of(record) | changes]}
        return Client().post(
            f"/api/v1/sync/{kind}/",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {world.sync_key}"},
        )

    return send


def file_import(kind: str, record_of: Callable[[Any], dict]):
    """A CSV export uploaded on the import page by the champion, its columns named as kam's fields,
    imported; the answer is the import's page. No version: the external id decides, as in the sync."""

    def send(world: World, record, *, version: int, changes: dict):
        values = record_of(record) | changes
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerows([list(values), ["" if v is None else v for v in values.values()]])
        client = world.browser(world.champion)
        upload = SimpleUploadedFile("export.csv", out.getvalue().encode())
        response = client.post(reverse("accounts:import_upload"), {"kind": kind, "file": upload})
        assert response.status_code == 302, response.content[:2000]
        run = ImportRun.objects.latest("pk")
        client.post(reverse("accounts:import_start", args=[run.pk]))
        import_file_task(run.pk)  # the test's transaction never commits: run it as the worker would
        return client.get(reverse("accounts:import_run", args=[run.pk]))

    return send


# --- the records ---------------------------------------------------------------------------------


def _account(world: World):
    return AccountFactory(key=True, kam=world.kam, external_id="CRM-1", currency="PLN")


def _stakeholder(world: World):
    return StakeholderFactory(account=_account(world), external_id="P-1", influence=3)


def _interaction(world: World):
    account = _account(world)
    return InteractionFactory(account=account, stakeholders=[StakeholderFactory(account=account)])


def _plan(world: World):
    plan = PlanFactory(account=_account(world))
    ObjectiveFactory(plan=plan)
    return plan


def _part(factory):
    return lambda world: factory(plan=PlanFactory(account=_account(world)))


def _opportunity(world: World):
    account = _account(world)
    cell = OpportunityFactory(buying_centre__account=account)
    return cell


def _manual_score(world: World):
    return ManualScoreFactory(account=_account(world), criterion=CriterionFactory(by_hand=True))


def _survey(world: World):
    return SurveyFactory(account=_account(world), external_id="S-1")


def _investment(world: World):
    quarter = timezone.localdate().replace(day=1)
    quarter = quarter.replace(month=(quarter.month - 1) // 3 * 3 + 1)
    return InvestmentFactory(account=_account(world), period_start=quarter)


def _review(world: World):
    return ReviewFactory()


def _decision(world: World):
    account = _account(world)
    review = ReviewFactory()
    entry = ReviewEntry.objects.create(
        review=review, account=account, account_name=account.name, lifecycle_status=LifecycleStatus.KEY
    )
    return ReviewDecision.objects.create(
        review=review, entry=entry, decision="keep", rationale="Still strategic", decided_by=world.champion
    )


def _candidate_decided_for_entry(world: World):
    """A candidate the open review decides to add; the review is ready to apply."""
    account = AccountFactory(external_id="CRM-2")
    review = ReviewFactory()
    entry = ReviewEntry.objects.create(
        review=review, account=account, account_name=account.name, lifecycle_status=LifecycleStatus.CANDIDATE
    )
    ReviewDecision.objects.create(
        review=review, entry=entry, decision="add", rationale="Opens the Nordic market",
        override_reason="The board wants the Nordic market", decided_by=world.champion,
    )  # fmt: skip
    AlignmentAssessment.objects.bulk_create(
        [AlignmentAssessment(review=review, element=e, score=3) for e in AlignmentElement.values]
    )
    account.review = review
    return account


def _skills(world: World):
    return SkillsProfileFactory(user=world.kam, financial=3)


# --- the registry --------------------------------------------------------------------------------


def _account_record(account) -> dict:
    return {"external_id": account.external_id, "name": account.name, "currency": account.currency}


def _contact_record(person) -> dict:
    return {"external_id": person.external_id, "account_external_id": "CRM-1", "name": person.name}


def _survey_record(survey) -> dict:
    return {
        "external_id": survey.external_id, "account_external_id": "CRM-1",
        "surveyed_on": survey.surveyed_on.isoformat(), "respondent_name": survey.respondent_name,
        "nps": survey.nps,
    }  # fmt: skip


def _plan_url(name, part=None):
    def url(record):
        plan = record if isinstance(record, AccountPlan) else record.plan
        args = [plan.account_id, plan.pk] + ([record.pk] if part else [])
        return reverse(f"accounts:{name}", args=args)

    return url


def _apply_review(world: World, account, *, version: int, changes: dict):
    client = world.browser(world.champion)
    return client.post(reverse("portfolio:review_apply", args=[account.review.pk]))


def _plan_step(world: World, plan, *, version: int, changes: dict):
    client = world.browser(world.kam)
    url = reverse("accounts:plan_step", args=[plan.account_id, plan.pk, "submit"])
    # The step's only input is its comment: a second person's step carries what they wrote.
    comment = "" if changes.get("status") == PlanStatus.SUBMITTED else changes.get("status", "")
    return client.post(url, {"version": version, "comment": comment})


def _investment_url(investment):
    return (
        reverse("accounts:measures_investment", args=[investment.account_id])
        + f"?quarter={investment.period_start.isoformat()}"
    )


def _opportunity_url(cell):
    return reverse(
        "accounts:opportunity_edit",
        args=[cell.buying_centre.account_id, cell.buying_centre_id, cell.offering_id],
    )


def _editor_form(context, record):
    return context["editor"]["form"]


def _interaction_form(context, record):
    return context["interaction_editor"]["form"]


def _decision_form(context, decision):
    entries = [*context["page"].key_entries, *context["page"].candidate_entries]
    return next(entry.form for entry in entries if entry.pk == decision.entry_id)


WRITE_PATHS: list[WritePath] = [
    # The account
    WritePath(
        "account",
        PAGE_FORM,
        BROWSER,
        _account,
        page(lambda a: reverse("accounts:edit", args=[a.pk])),
        "industry",
        "Rail freight",
        "Shipbuilding",
    ),
    WritePath(
        "account",
        "page form (retention estimate)",
        BROWSER,
        _account,
        page(
            lambda a: reverse("accounts:measures_retention", args=[a.pk]), extra=lambda a: {"reason": "Audit"}
        ),
        "retention_estimate",
        "0.900",
        "0.800",
        rule=False,
    ),
    WritePath(
        "account", API_PATCH, API, _account, api_patch("accounts"), "industry", "Rail freight", "Shipbuilding"
    ),
    WritePath(
        "account",
        CRM_SYNC,
        SYNC,
        _account,
        crm_sync("accounts", _account_record),
        "industry",
        "Rail freight",
        "Shipbuilding",
        stale=False,
        author=None,
    ),
    WritePath(
        "account",
        FILE_IMPORT,
        BROWSER,
        _account,
        file_import("accounts", _account_record),
        "industry",
        "Rail freight",
        "Shipbuilding",
        stale=False,
        rule=False,  # a refused row is listed on the import's page, not answered with 422
    ),
    WritePath("account", DJANGO_ADMIN, ADMIN, _account, admin, "industry", "Rail freight", "Shipbuilding"),
    WritePath(
        "account",
        REVIEW_APPLY,
        BROWSER,
        _candidate_decided_for_entry,
        _apply_review,
        "status",
        LifecycleStatus.KEY,
        LifecycleStatus.KEY,
        stale=False,
        rule=False,
    ),
    # The customer's people and the contacts with them
    WritePath(
        "stakeholder",
        PAGE_FORM,
        BROWSER,
        _stakeholder,
        page(lambda s: reverse("accounts:stakeholder_edit", args=[s.account_id, s.pk]), who="kam"),
        "title",
        "CFO",
        "CEO",
        author="kam",
    ),
    WritePath(
        "stakeholder",
        HTMX_EDITOR,
        BROWSER,
        _stakeholder,
        page(
            lambda s: reverse("accounts:map_stakeholder_change", args=[s.account_id, s.pk]),
            who="kam",
            form=_editor_form,
            htmx=True,
        ),
        "title",
        "CFO",
        "CEO",
        author="kam",
    ),
    WritePath(
        "stakeholder",
        API_PATCH,
        API,
        _stakeholder,
        api_patch("contacts"),
        "title",
        "CFO",
        "CEO",
    ),
    WritePath(
        "stakeholder",
        CRM_SYNC,
        SYNC,
        _stakeholder,
        crm_sync("contacts", _contact_record),
        "title",
        "CFO",
        "CEO",
        stale=False,
        author=None,
        rule=False,
    ),
    WritePath(
        "stakeholder",
        FILE_IMPORT,
        BROWSER,
        _stakeholder,
        file_import("contacts", _contact_record),
        "title",
        "CFO",
        "CEO",
        stale=False,
        rule=False,
    ),
    WritePath("stakeholder", DJANGO_ADMIN, ADMIN, _stakeholder, admin, "title", "CFO", "CEO"),
    WritePath(
        "interaction",
        HTMX_EDITOR,
        BROWSER,
        _interaction,
        page(
            lambda i: reverse("accounts:interaction_change", args=[i.account_id, i.pk]),
            who="kam",
            form=_interaction_form,
            htmx=True,
        ),
        "notes",
        "Agreed the pilot",
        "Asked for a discount",
        author="kam",
    ),
    WritePath(
        "interaction", DJANGO_ADMIN, ADMIN, _interaction, admin, "notes", "Agreed the pilot", "Discount"
    ),
    # The account plan and its parts
    WritePath(
        "account plan",
        PAGE_FORM,
        BROWSER,
        _plan,
        page(_plan_url("plan_sections"), who="kam"),
        "value_terms",
        "Net 60 for two years",
        "Net 45",
        author="kam",
        rule=False,
    ),
    WritePath(
        "account plan",
        PLAN_TRANSITION,
        BROWSER,
        _plan,
        _plan_step,
        "status",
        PlanStatus.SUBMITTED,
        "Please approve",
        author="kam",
        rule=False,
    ),
    WritePath(
        "objective",
        PAGE_FORM,
        BROWSER,
        _part(ObjectiveFactory),
        page(_plan_url("objective_edit", part=True), who="kam"),
        "title",
        "Grow 10%",
        "Grow 20%",
        author="kam",
    ),
    WritePath(
        "action",
        PAGE_FORM,
        BROWSER,
        _part(ActionFactory),
        page(_plan_url("action_edit", part=True), who="kam"),
        "description",
        "Visit the plant",
        "Call the CFO",
        author="kam",
    ),
    WritePath(
        "action",
        HTMX_EDITOR,
        BROWSER,
        _part(ActionFactory),
        page(_plan_url("action_edit", part=True), who="kam", htmx=True),
        "description",
        "Run the line trial together",
        "Book the audit",
        author="kam",
        rule=False,
    ),
    WritePath(
        "resource request",
        PAGE_FORM,
        BROWSER,
        _part(ResourceRequestFactory),
        page(_plan_url("resource_request_edit", part=True), who="kam"),
        "request",
        "Two engineers",
        "One engineer",
        author="kam",
    ),
    WritePath(
        "risk",
        PAGE_FORM,
        BROWSER,
        _part(RiskFactory),
        page(_plan_url("risk_edit", part=True), who="kam"),
        "description",
        "A competitor undercuts",
        "The buyer leaves",
        author="kam",
        rule=False,
    ),
    WritePath(
        "offering",
        PAGE_FORM,
        BROWSER,
        lambda world: OfferingFactory(),
        page(lambda o: reverse("accounts:offering_edit", args=[o.pk])),
        "name",
        "Coating",
        "Painting",
        rule=False,
    ),
    WritePath(
        "opportunity",
        HTMX_EDITOR,
        BROWSER,
        _opportunity,
        page(_opportunity_url, who="kam", htmx=True),
        "note",
        "Asked for a quote",
        "Not this year",
        author="kam",
    ),
    # Scores and measures
    WritePath(
        "manual score",
        HTMX_EDITOR,
        BROWSER,
        _manual_score,
        page(
            lambda m: reverse("programme:manual_score", args=[m.account_id, m.criterion_id]),
            who="kam",
            htmx=True,
        ),
        "justification",
        "Opens the Nordic market",
        "Reference customer",
        author="kam",
    ),
    WritePath(
        "manual score",
        DJANGO_ADMIN,
        ADMIN,
        _manual_score,
        admin,
        "justification",
        "Opens the Nordic market",
        "Reference customer",
    ),
    WritePath("survey", DJANGO_ADMIN, ADMIN, _survey, admin, "comment", "Happy with delivery", "Unhappy"),
    WritePath(
        "survey",
        CRM_SYNC,
        SYNC,
        _survey,
        crm_sync("surveys", _survey_record),
        "comment",
        "Happy",
        "Unhappy",
        stale=False,
        author=None,
    ),
    WritePath(
        "survey",
        FILE_IMPORT,
        BROWSER,
        _survey,
        file_import("surveys", _survey_record),
        "comment",
        "Happy",
        "Unhappy",
        stale=False,
        rule=False,
    ),
    WritePath(
        "investment",
        PAGE_FORM,
        BROWSER,
        _investment,
        page(_investment_url, who="kam"),
        "note",
        "Pilot line",
        "Trade fair",
        author="kam",
    ),
    WritePath("investment", DJANGO_ADMIN, ADMIN, _investment, admin, "note", "Pilot line", "Trade fair"),
    # The programme
    WritePath(
        "programme settings",
        PAGE_FORM,
        BROWSER,
        lambda world: Programme.load(),
        page(
            lambda p: reverse("programme:criteria_weights_save"),
            opened_at=lambda p: reverse("programme:criteria"),
            version_field="programme_version",
        ),
        "attractiveness_share",
        "0.60",
        "0.40",
        read=lambda p: p.attractiveness_share,
        history=False,
        rule=False,
    ),
    WritePath(
        "programme settings",
        DJANGO_ADMIN,
        ADMIN,
        lambda world: Programme.load(),
        admin,
        "key_account_limit",
        "30",
        "20",
        history=False,
        rule=False,
    ),
    WritePath(
        "criterion",
        PAGE_FORM,
        BROWSER,
        lambda world: CriterionFactory(),
        page(lambda c: reverse("programme:criterion_edit", args=[c.pk])),
        "name",
        "Profit",
        "Margin",
        rule=False,
    ),
    WritePath(
        "criterion",
        DJANGO_ADMIN,
        ADMIN,
        lambda world: CriterionFactory(),
        admin,
        "name",
        "Profit",
        "Margin",
        rule=False,
    ),
    WritePath(
        "review alignment",
        PAGE_FORM,
        BROWSER,
        _review,
        page(
            lambda r: reverse("portfolio:review_alignment", args=[r.pk]),
            opened_at=lambda r: r.get_absolute_url(),
            form=lambda context, record: context["alignment_form"],
            extra=lambda r: {f"{e}_score": "3" for e in AlignmentElement.values},
        ),
        "benchmark_notes",
        "Siemens' board sponsors",
        "Xerox's account teams",
        history=False,
    ),
    WritePath(
        "review decision",
        HTMX_EDITOR,
        BROWSER,
        _decision,
        page(
            lambda d: reverse("portfolio:review_decide", args=[d.review_id, d.entry_id]),
            opened_at=lambda d: d.review.get_absolute_url(),
            form=_decision_form,
        ),
        "rationale",
        "Still our best reference",
        "Watch the margin",
        history=False,
    ),
    WritePath(
        "skills profile",
        PAGE_FORM,
        BROWSER,
        _skills,
        page(lambda s: reverse("portfolio:kam_skills", args=[s.user_id])),
        "financial",
        "4",
        "2",
        history=False,
    ),
    WritePath("skills profile", DJANGO_ADMIN, ADMIN, _skills, admin, "financial", "4", "2", history=False),
]

VERSIONED_MODELS = {
    "account", "stakeholder", "interaction", "account plan", "objective", "action", "risk",
    "resource request", "offering", "opportunity", "manual score", "survey", "investment",
    "programme settings", "criterion", "review alignment", "review decision", "skills profile",
}  # fmt: skip
