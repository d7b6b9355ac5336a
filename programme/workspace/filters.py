"""The account list's sort orders: by the account's own fields, or by the trailing-12-month figures
the recompute stores on the score row in the reporting currency (programme/workspace/selectors.py
pages those through their indexes)."""

from django.utils.translation import gettext_lazy as _

from accounts.filters import AccountFilter, NullsLastOrderingFilter

# Sort parameter → the score row's field, in the programme's reporting currency.
FIGURE_SORTS = {
    "revenue": "score__t12m_revenue",
    "gross_margin": "score__clv_margin",
    "margin": "score__t12m_margin_after_cost_to_serve",
}


class AccountSort(NullsLastOrderingFilter):
    """Orders by the account's fields here; a sort by a figure is left to the selector, which reads
    it through the score row's index rather than sorting every account."""

    def filter(self, qs, value):
        if value and any(v.lstrip("-") in FIGURE_SORTS for v in value):
            return qs
        return super().filter(qs, value)


class AccountListFilter(AccountFilter):
    sort = AccountSort(
        label=_("Sort by"),
        fields=(
            ("name", "name"),
            ("status", "status"),
            ("industry", "industry"),
            ("country", "country"),
            ("kam__last_name", "kam"),
            ("score__t12m_revenue", "revenue"),
            ("score__clv_margin", "gross_margin"),
            ("score__t12m_margin_after_cost_to_serve", "margin"),
        ),
        field_labels={
            "score__t12m_revenue": _("Revenue, last 12 months"),
            "score__clv_margin": _("Gross margin, last 12 months"),
            "score__t12m_margin_after_cost_to_serve": _("Margin after cost-to-serve, last 12 months"),
        },
    )

    def figure_sort(self) -> tuple[str, bool] | None:
        """(the score row's field, descending) when the list is sorted by a figure."""
        chosen = (self.form.cleaned_data.get("sort") or [None])[0] if self.is_valid() else None
        if not chosen or chosen.lstrip("-") not in FIGURE_SORTS:
            return None
        return FIGURE_SORTS[chosen.lstrip("-")], chosen.startswith("-")
