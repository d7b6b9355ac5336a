from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from kam.core.admin import VersionCheckedAdmin, VersionCheckedAdminForm
from programme import services
from programme.models import (
    Criterion,
    ManualScore,
    Programme,
    ProgrammeReview,
    RecomputeRun,
    SkillsProfile,
    TrainingRecord,
)


class ProgrammeAdminForm(VersionCheckedAdminForm):
    """The programme's settings (size limit, sponsor cap, review cadence, CLV…), version-checked."""

    class Meta:
        model = Programme
        fields = [
            "name", "reporting_currency", "key_account_limit", "entry_threshold", "exit_threshold",
            "attractiveness_cutoff", "relationship_cutoff", "attractiveness_share",
            "recommendation_window_days", "clv_discount_rate", "clv_horizon_years", "default_retention",
            "review_cadence", "sponsor_account_cap",
        ]  # fmt: skip

    def stale_message(self, current) -> str:
        return _(
            "Someone else saved the programme's settings after you opened this page "
            "(theirs: entry threshold %(entry)s, exit threshold %(exit)s, size limit %(limit)s, "
            "sponsor cap %(cap)s, review cadence %(cadence)s). "
            "What you typed is still in the form: save again to replace theirs, "
            "or reload the page to keep them."
        ) % {
            "entry": current.entry_threshold,
            "exit": current.exit_threshold,
            "limit": current.key_account_limit,
            "cap": current.sponsor_account_cap,
            "cadence": current.get_review_cadence_display(),
        }


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeAdminForm
    list_display = (
        "name",
        "reporting_currency",
        "key_account_limit",
        "entry_threshold",
        "exit_threshold",
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()
            return
        fields = [name for name in form.fields if name != "loaded_version"]
        services.programme_settings_save(
            programme=obj, fields=fields, expected_version=form.cleaned_data["loaded_version"]
        )

    def has_add_permission(self, request):
        return not Programme.objects.exists()  # there is one programme

    def has_delete_permission(self, request, obj=None):
        return False


# --- Programme reviews and the KAM team ----------------------------------------------------------
# Reviews are read here, never edited: the review pages' services hold the rules (a closed one never changes).


@admin.register(ProgrammeReview)
class ProgrammeReviewAdmin(admin.ModelAdmin):
    list_display = ("title", "period_start", "period_end", "status", "closed_at")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SkillsProfile)
class SkillsProfileAdmin(VersionCheckedAdmin, admin.ModelAdmin):
    list_display = (
        "user",
        "financial",
        "consulting",
        "planning",
        "interpersonal",
        "influencing",
        "assessed_on",
    )
    readonly_fields = ("version",)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "skill", "completed_on")
    list_filter = ("skill",)


# --- Qualification criteria and scores ------------------------------------------------------


class CriterionAdminForm(VersionCheckedAdminForm):
    class Meta:
        model = Criterion
        fields = [
            "name", "description", "group", "weight", "source", "metric", "mapping", "bands",
            "position", "is_active",
        ]  # fmt: skip

    def clean(self):

        cleaned = super().clean()
        try:
            services.check_criterion(self.instance)  # the form has set the instance's fields by now
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(Criterion)
class CriterionAdmin(SimpleHistoryAdmin):
    form = CriterionAdminForm
    list_display = ("name", "group", "weight", "source", "metric", "mapping", "is_active")
    list_filter = ("group", "source", "is_active")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):

        # Through the service: the same checks (metric, bands) and history as the browser's form,
        # and the version this page was opened at (its form's clean() refused a stale one).
        version = form.cleaned_data["loaded_version"] if change else None
        services.criterion_save(criterion=obj, by=request.user, expected_version=version)


@admin.register(ManualScore)
class ManualScoreAdmin(VersionCheckedAdmin, SimpleHistoryAdmin):
    list_display = ("account", "criterion", "score", "scored_by", "scored_on")
    list_select_related = ("account", "criterion", "scored_by")
    raw_id_fields = ("account",)


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "status", "accounts_processed", "started_by")
    readonly_fields = [f.name for f in RecomputeRun._meta.fields]

    def has_add_permission(self, request):
        return False
