"""Admin for the measures; imported by admin.py. History rows are read, not edited here: the services
keep each account's current wallet estimate and stage in step with its history. Surveys and
investments are corrected here through the same services, version-checked, as everywhere else."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.measures import services
from accounts.models import (
    AccountInvestment,
    RelationshipStageChange,
    RetentionEstimateChange,
    Survey,
    WalletEstimate,
)
from kam.core.admin import VersionCheckedAdmin


class ReadOnlyHistoryAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(VersionCheckedAdmin, SimpleHistoryAdmin):
    list_display = ("account", "surveyed_on", "respondent_name", "stakeholder", "nps", "csat", "archived_at")
    list_filter = ("nps", "csat")
    search_fields = ("account__name", "respondent_name", "external_id", "comment")
    autocomplete_fields = ("account", "stakeholder", "entered_by")
    list_select_related = ("account", "stakeholder")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "surveyed_on"

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        services.survey_save(
            survey=obj, expected_version=form.cleaned_data["loaded_version"], by=request.user
        )


@admin.register(AccountInvestment)
class AccountInvestmentAdmin(VersionCheckedAdmin, SimpleHistoryAdmin):
    list_display = (
        "account",
        "period_start",
        "kam_time_cost",
        "team_time_cost",
        "dedicated_resources_cost",
        "special_terms_cost",
        "currency",
    )
    search_fields = ("account__name",)
    autocomplete_fields = ("account", "entered_by")
    list_select_related = ("account",)
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "period_start"

    def get_readonly_fields(self, request, obj=None):
        # The service finds a quarter's record by account and quarter: those identify it, not edited.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "account", "period_start") if obj else fields

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        services.investment_save(
            account=obj.account, period_start=obj.period_start, currency=obj.currency, note=obj.note,
            expected_version=form.cleaned_data["loaded_version"], by=request.user,
            **{name: getattr(obj, name) for name in AccountInvestment.COST_FIELDS},
        )  # fmt: skip


@admin.register(WalletEstimate)
class WalletEstimateAdmin(ReadOnlyHistoryAdmin):
    list_display = ("account", "estimated_on", "amount", "currency", "source", "is_current", "entered_by")
    list_filter = ("source", "is_current")
    search_fields = ("account__name",)
    list_select_related = ("account", "entered_by")


@admin.register(RelationshipStageChange)
class RelationshipStageChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("account", "stage", "effective_on", "is_current", "set_by")
    list_filter = ("stage", "is_current")
    search_fields = ("account__name", "note")
    list_select_related = ("account", "set_by")


@admin.register(RetentionEstimateChange)
class RetentionEstimateChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("account", "from_estimate", "to_estimate", "reason", "changed_by", "changed_at")
    search_fields = ("account__name", "reason")
    list_select_related = ("account", "changed_by")
