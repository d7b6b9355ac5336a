from django.contrib import admin

from .models import Programme


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
