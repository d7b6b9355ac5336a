from django.contrib import admin

from .models import Programme, ProgrammeReview, SkillsProfile, TrainingRecord


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "reporting_currency",
        "key_account_limit",
        "entry_threshold",
        "exit_threshold",
    )

    def has_add_permission(self, request):
        return not Programme.objects.exists()  # there is one programme

    def has_delete_permission(self, request, obj=None):
        return False


# --- Programme reviews and the KAM team (issue 6) --------------------------------------------------
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
class SkillsProfileAdmin(admin.ModelAdmin):
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


# --- Qualification criteria and scores (issue 3) ------------------------------------------------------
from django import forms  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from simple_history.admin import SimpleHistoryAdmin  # noqa: E402

from .models import Criterion, ManualScore, RecomputeRun  # noqa: E402


class CriterionAdminForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "name", "description", "group", "weight", "source", "metric", "mapping", "bands",
            "position", "is_active",
        ]  # fmt: skip

    def clean(self):
        from . import services

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
        from . import services

        # Through the service: the same checks (metric, bands) and history as the browser's form.
        version = obj.version if change else None
        services.criterion_save(criterion=obj, by=request.user, expected_version=version)


@admin.register(ManualScore)
class ManualScoreAdmin(SimpleHistoryAdmin):
    list_display = ("account", "criterion", "score", "scored_by", "scored_on")
    list_select_related = ("account", "criterion", "scored_by")
    raw_id_fields = ("account",)


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "status", "accounts_processed", "started_by")
    readonly_fields = [f.name for f in RecomputeRun._meta.fields]

    def has_add_permission(self, request):
        return False
