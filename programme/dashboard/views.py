"""The champion's portfolio dashboard and the league table's CSV export. Thin: ask, read, render."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import permissions
from kam.core.spreadsheets import cell, number_cell, text_cell
from programme.dashboard import selectors as portfolio


def _require_portfolio(user) -> None:
    if not permissions.can_view_portfolio(user):
        raise PermissionDenied(_("The portfolio dashboard is the KAM champion's."))


@login_required
@require_GET
def dashboard(request):
    _require_portfolio(request.user)
    if request.htmx and request.GET.get("partial") == "league":  # the filter form swaps only the table
        programme, query, rows = portfolio.league_table(params=request.GET)
        context = {
            "rows": rows,
            "query": query,
            "currency": programme.reporting_currency,
            "league_columns": portfolio.LEAGUE_COLUMNS,
        }
        response = render(request, "programme/dashboard.html#league", context)
        # The filters reach the address bar: a reload, a bookmark or a shared link shows the same rows.
        params = query.params()
        response["HX-Push-Url"] = reverse("portfolio:dashboard") + (f"?{params}" if params else "")
        return response
    if request.GET.get("partial") == "measures":  # loaded by the page after it is shown
        programme, measures = portfolio.dashboard_programme_measures()
        context = {"measures": measures, "currency": programme.reporting_currency}
        return render(request, "programme/dashboard.html#programme_measures", context)
    page = portfolio.portfolio_dashboard(user=request.user, params=request.GET)
    context = {
        "page": page,
        "rows": page.rows,
        "query": page.query,
        "currency": page.currency,
        "league_columns": portfolio.LEAGUE_COLUMNS,
    }
    return render(request, "programme/dashboard.html", context)


@login_required
@require_GET
def league_csv(request):
    """The league table as filtered and sorted on screen, as CSV for a spreadsheet."""
    _require_portfolio(request.user)
    programme, _query, rows = portfolio.league_table(params=request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"key-accounts-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    currency = programme.reporting_currency
    writer.writerow(
        [
            _("Account"), _("CRM id"), _("Industry"), _("Country"),
            _("CLV (%(currency)s)") % {"currency": currency},
            _("Margin after cost-to-serve (%(currency)s)") % {"currency": currency},
            _("Overall score"), _("Trend"), _("Quadrant"), _("Recommendation"),
            _("Key account manager"), _("Executive sponsor"), _("Plan status"),
            _("Last executive visit"), _("Relationship health"), _("Overdue actions"),
            _("NPS"), _("Share of wallet"), _("Relationship stage"), _("Return on investment"),
            _("Data warnings"),
        ]
    )  # fmt: skip
    for row in rows:
        account = row.account
        writer.writerow(
            [
                text_cell(account.name), text_cell(account.external_id), text_cell(account.industry),
                account.country,
                number_cell(row.clv), number_cell(row.margin_after_cost_to_serve),
                number_cell(row.overall, 1), number_cell(row.trend, 1),
                row.quadrant_label, row.score.get_recommendation_display() if row.score else "",
                text_cell(account.kam or ""), text_cell(account.executive_sponsor or ""),
                row.plan_status_label,
                cell(row.last_executive_visit), row.health_label, row.overdue_actions,
                number_cell(row.measures.nps, 1), number_cell(row.share_of_wallet, 4),
                row.measures.relationship_stage_label, number_cell(row.measures.return_on_investment, 4),
                " ".join(w.text for w in row.data_warnings),
            ]
        )  # fmt: skip
    return response
