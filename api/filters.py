"""List filters: `updated_since` for incremental sync, and the account's status, KAM, industry, country,
quadrant (on every list, reaching the account from the listed row)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Account,
    AccountPlan,
    FinancialPeriod,
    Interaction,
    LifecycleStatus,
    PlanStatus,
    Stakeholder,
    Survey,
)
from programme.models import AccountScore, Quadrant


class _UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time turned to UTC: PostgreSQL refuses offsets past ±16 hours that ISO allows."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(_("This time is out of range."), code="invalid") from None


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcIsoDateTimeField


def _account_filters(prefix: str) -> dict:
    """The account attributes every list filters on; `prefix` reaches the account from the listed row."""
    return {
        "status": django_filters.ChoiceFilter(
            field_name=f"{prefix}status",
            choices=LifecycleStatus.choices,
            help_text="Account lifecycle status.",
        ),
        "kam": django_filters.CharFilter(
            field_name=f"{prefix}kam__username", help_text="The key account manager's user name."
        ),
        "industry": django_filters.CharFilter(field_name=f"{prefix}industry"),
        "country": django_filters.CharFilter(
            field_name=f"{prefix}country", help_text="ISO 3166 code, e.g. PL."
        ),
        "quadrant": django_filters.ChoiceFilter(
            field_name=f"{prefix}score__quadrant", choices=Quadrant.choices, help_text="Portfolio quadrant."
        ),
        ("external_id" if not prefix else "account_external_id"): django_filters.CharFilter(
            field_name=f"{prefix}external_id", help_text="The account's CRM id."
        ),
    }


def _archived(queryset, name, value):
    return queryset.filter(**{f"{name}__isnull": not value})


def filterset(model, *, prefix: str, updated_field: str = "updated_at", archived: str | None = "archived_at"):
    attrs = {
        "updated_since": UpdatedSinceFilter(
            field_name=updated_field,
            lookup_expr="gte",
            help_text="Only records changed at or after this ISO 8601 time, for incremental sync.",
        ),
        **_account_filters(prefix),
        "Meta": type("Meta", (), {"model": model, "fields": []}),
    }
    if archived:
        attrs["archived"] = django_filters.BooleanFilter(field_name=archived, method=_archived)
    return type(f"{model.__name__}ApiFilter", (django_filters.FilterSet,), attrs)


AccountFilter = filterset(Account, prefix="")
ContactFilter = filterset(Stakeholder, prefix="account__")
ContactFilter.base_filters["external_id"] = django_filters.CharFilter(
    field_name="external_id", help_text="The contact's CRM id."
)
FinancialFilter = filterset(FinancialPeriod, prefix="account__", archived="account__archived_at")
InteractionFilter = filterset(Interaction, prefix="account__")
ScoreFilter = filterset(
    AccountScore, prefix="account__", updated_field="computed_at", archived="account__archived_at"
)
PlanFilter = filterset(AccountPlan, prefix="account__", archived=None)
PlanFilter.base_filters["plan_status"] = django_filters.ChoiceFilter(
    field_name="status", choices=PlanStatus.choices
)


def _survey_filter():
    return filterset(Survey, prefix="account__")


SurveyFilter = _survey_filter()
