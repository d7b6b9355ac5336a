"""Programme review screens: list and open, the review page, decide, assess, apply, CSV. Thin.

Every view asks accounts.permissions (through the services and selectors in programme/reviews/, which
refuse anyone but the champion), fragments included. Field errors answer 422, a stale decision 409.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core import conflicts
from kam.core.spreadsheets import number_cell, text_cell
from programme.models import AlignmentElement, Programme, ProgrammeReview, ReviewEntry
from programme.reviews import selectors, services
from programme.reviews.forms import AlignmentForm, DecisionForm, ReviewOpenForm
from programme.reviews.services import require_reviews

PAGE = "programme/review_detail.html"


@login_required
@require_http_methods(["GET", "POST"])
def review_list(request):
    require_reviews(request.user)
    period = selectors.new_review_period(timezone.localdate())
    form = ReviewOpenForm(request.POST if request.method == "POST" else None, period=period)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_open(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            conflicts.attach_errors(form, error)
        else:
            messages.success(request, _("Review opened: the portfolio is frozen as it stands today."))
            return redirect(review)
    context = {"reviews": selectors.review_list(user=request.user), "form": form}
    return render(request, "programme/review_list.html", context, status=422 if form.errors else 200)


def _page_context(request, review_id: int, **extra) -> dict:
    page = selectors.review_page(user=request.user, review_id=review_id)
    forms = {}
    if page.can_change:
        for entry in [*page.key_entries, *page.candidate_entries]:
            entry.form = _decision_form(entry)
        forms["alignment_form"] = AlignmentForm(review=page.review)
    return {"page": page, "review": page.review, "currency": page.currency, **forms, **extra}


def _decision_form(entry: ReviewEntry, data=None) -> DecisionForm:
    decision = getattr(entry, "decision_or_none", None)
    initial = {}
    if decision:
        initial = {
            "decision": decision.decision,
            "rationale": decision.rationale,
            "override_reason": decision.override_reason,
            "version": decision.version,
        }
    return DecisionForm(data, entry=entry, initial=initial)


@login_required
@require_GET
def review_detail(request, review_id: int):
    require_reviews(request.user)
    return render(request, PAGE, _page_context(request, review_id))


@login_required
@require_POST
def review_decide(request, review_id: int, entry_id: int):
    """Record one entry's decision; htmx gets the entry's row back, with field messages on 422."""
    require_reviews(request.user)
    review = get_object_or_404(ProgrammeReview, pk=review_id)
    entry = get_object_or_404(ReviewEntry.objects.select_related("decision"), pk=entry_id, review=review)
    entry.decision_or_none = getattr(
        entry, "decision", None
    )  # the reverse one-to-one's miss is an AttributeError
    form = DecisionForm(request.POST, entry=entry)
    submission = conflicts.submit(
        form,
        lambda f: services.review_decide(
            review=review, entry=entry, by=request.user, expected_version=f.expected_version,
            **{name: f.cleaned_data[name] for name in ("decision", "rationale", "override_reason")},
        ),
    )  # fmt: skip
    status, conflict = submission.status, submission.current
    if submission.saved:
        if not request.htmx:
            messages.success(request, _("Decision recorded."))
            return redirect(f"{review.get_absolute_url()}#entry-{entry.pk}")
        entry.decision_or_none = submission.result
        form = _decision_form(entry)
    entry.form, entry.conflict = form, conflict
    context = {"entry": entry, "review": review, "currency": Programme.load().reporting_currency}
    if request.htmx:
        return render(request, "programme/_review_entry_row.html", context, status=status)
    page_context = _page_context(request, review_id)
    for e in [*page_context["page"].key_entries, *page_context["page"].candidate_entries]:
        if e.pk == entry.pk:
            e.form, e.conflict = form, conflict
    return render(request, PAGE, page_context, status=status)


@login_required
@require_POST
def review_alignment(request, review_id: int):
    require_reviews(request.user)
    review = get_object_or_404(ProgrammeReview, pk=review_id)
    form = AlignmentForm(request.POST, review=review)
    submission = conflicts.submit(
        form,
        lambda f: services.review_assess(
            review=review, scores=f.scores(), benchmark_notes=f.cleaned_data["benchmark_notes"],
            expected_version=f.expected_version, by=request.user,
        ),
        describe=_their_alignment,
    )  # fmt: skip
    if submission.saved:
        messages.success(request, _("Alignment assessment and benchmark notes saved."))
        return redirect(f"{review.get_absolute_url()}#alignment")
    context = _page_context(request, review_id)
    context |= {"alignment_form": form, "alignment_conflict": submission.their_values}
    return render(request, PAGE, context, status=submission.status)


def _their_alignment(form, current: ProgrammeReview) -> list[tuple[str, str]]:
    """The assessment as the other champion saved it, element by element."""
    scores = {a.element: a for a in current.alignment.all()}
    values = []
    for element in AlignmentElement:
        assessment = scores.get(element.value)
        text = f"{assessment.score} — {assessment.note}".rstrip(" —") if assessment else ""
        values.append((str(element.label), text))
    values.append((str(form.fields["benchmark_notes"].label), current.benchmark_notes))
    return values


@login_required
@require_POST
def review_accept(request, review_id: int):
    """Decide every undecided entry the champion saw as recommended; the exceptions are changed after."""
    require_reviews(request.user)
    review = get_object_or_404(ProgrammeReview, pk=review_id)
    entry_ids = [int(pk) for pk in request.POST.getlist("entry") if pk.isdigit()]
    try:
        count = services.review_accept_recommendations(review=review, entry_ids=entry_ids, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(review)
    messages.success(
        request,
        ngettext(
            "Recommendation accepted for %(count)s account: change any exception below.",
            "Recommendations accepted for %(count)s accounts: change the exceptions below.",
            count,
        )
        % {"count": count},
    )
    return redirect(review)


@login_required
@require_POST
def review_apply(request, review_id: int):
    """Apply every decision to the lifecycles and close the review, in one transaction.

    What stops it is said at the top of the review's own page (its URL, not /apply/): the page is long,
    and a message at its foot is never seen.
    """
    require_reviews(request.user)
    review = get_object_or_404(ProgrammeReview, pk=review_id)
    try:
        services.review_apply(review=review, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(review)
    messages.success(request, _("Review applied and closed: the lifecycles have changed."))
    return redirect(review)


@login_required
@require_GET
def review_csv(request, review_id: int):
    page = selectors.review_page(user=request.user, review_id=review_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="programme-review-{page.review.pk}.csv"'
    writer = csv.writer(response)
    currency = Programme.load().reporting_currency  # the frozen figures are in it
    writer.writerow(
        [
            _("Account"), _("Status at review"), _("Overall score"), _("Trend"), _("Attractiveness"),
            _("Relationship strength"), _("CLV (%(currency)s)") % {"currency": currency},
            _("Margin after cost-to-serve (%(currency)s)") % {"currency": currency}, _("Quadrant"),
            _("Recommendation"), _("Why"), _("Plan status"), _("Decision"), _("Rationale"), _("Override"),
            _("Override reason"), _("Decided by"),
        ]
    )  # fmt: skip
    for entry in [*page.key_entries, *page.candidate_entries]:
        decision = entry.decision_or_none
        writer.writerow(
            [
                text_cell(entry.account_name), entry.lifecycle_status,
                number_cell(entry.overall, 1), number_cell(entry.overall_trend, 1),
                number_cell(entry.attractiveness, 1), number_cell(entry.relationship, 1),
                number_cell(entry.clv), number_cell(entry.margin_after_cost_to_serve),
                entry.get_quadrant_display(), entry.get_recommendation_display(), entry.recommendation_reason,
                entry.plan_status,
                decision.get_decision_display() if decision else "",
                text_cell(decision.rationale if decision else ""),
                _("yes") if decision and decision.is_override else "",
                text_cell(decision.override_reason if decision else ""),
                text_cell(decision.decided_by if decision and decision.decided_by else ""),
            ]
        )  # fmt: skip
    return response
