from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import (
    Account,
    AccountTeamMember,
    ExchangeRate,
    FinancialPeriod,
    Interaction,
    LifecycleChange,
    Stakeholder,
    User,
)
from kam.core.admin import VersionCheckedAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "function",
        "is_champion",
        "is_active",
    )
    list_filter = ("is_champion", "function", "is_active", "is_staff")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Programme"), {"fields": ("function", "is_champion", "receives_weekly_digest", "language")}),
    )


class AccountTeamMemberInline(admin.TabularInline):
    model = AccountTeamMember
    extra = 0
    autocomplete_fields = ("user",)


class LifecycleChangeInline(admin.TabularInline):
    model = LifecycleChange
    extra = 0
    readonly_fields = (
        "from_status",
        "to_status",
        "effective_on",
        "reason",
        "override_reason",
        "changed_by",
    )
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Lifecycle steps go through the lifecycle service, which keeps account and history in step.
        return False


@admin.register(Account)
class AccountAdmin(VersionCheckedAdmin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "status",
        "industry",
        "country",
        "currency",
        "kam",
        "executive_sponsor",
        "key_since",
    )
    list_filter = ("status", "industry", "country", "currency")
    search_fields = ("name", "external_id")
    autocomplete_fields = ("kam", "executive_sponsor")
    list_select_related = ("kam", "executive_sponsor")
    readonly_fields = ("created_at", "updated_at")
    inlines = [AccountTeamMemberInline, LifecycleChangeInline]
    date_hierarchy = "key_since"


@admin.register(Stakeholder)
class StakeholderAdmin(VersionCheckedAdmin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "title",
        "account",
        "buying_role",
        "influence",
        "attitude",
        "relationship_strength",
        "left_on",
    )
    list_filter = ("buying_role", "attitude", "influence", "relationship_strength")
    search_fields = ("name", "title", "email", "external_id", "account__name")
    autocomplete_fields = ("account", "reports_to", "relationship_owner")
    list_select_related = ("account",)


@admin.register(Interaction)
class InteractionAdmin(VersionCheckedAdmin, SimpleHistoryAdmin):
    list_display = ("occurred_on", "kind", "account", "logged_by")
    list_filter = ("kind",)
    search_fields = ("account__name", "notes")
    autocomplete_fields = ("account", "stakeholders", "participants")
    list_select_related = ("account", "logged_by")
    date_hierarchy = "occurred_on"


@admin.register(FinancialPeriod)
class FinancialPeriodAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "period",
        "revenue",
        "gross_margin",
        "cost_to_serve",
        "days_to_pay",
        "currency",
    )
    list_filter = ("currency",)
    search_fields = ("account__name", "account__external_id")
    autocomplete_fields = ("account",)
    list_select_related = ("account",)
    date_hierarchy = "period"


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "valid_from", "rate")
    list_filter = ("currency",)


@admin.register(LifecycleChange)
class LifecycleChangeAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "from_status",
        "to_status",
        "effective_on",
        "changed_by",
        "override_reason",
    )
    list_filter = ("to_status",)
    search_fields = ("account__name", "reason", "override_reason")
    list_select_related = ("account", "changed_by")

    def has_change_permission(self, request, obj=None):
        return False  # history is kept, not edited

    def has_add_permission(self, request):
        return False


# Each domain package registers its own admin; importing it here is what Django's autodiscovery sees.
from accounts.imports import admin as imports_admin  # noqa: E402, F401
from accounts.measures import admin as measures_admin  # noqa: E402, F401
