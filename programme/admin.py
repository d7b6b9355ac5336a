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
