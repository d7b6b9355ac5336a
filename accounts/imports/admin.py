from django.contrib import admin

from accounts.imports.models import ImportRun, SavedMapping


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """A record of what was imported: read here, made on the import pages."""

    list_display = (
        "file_name",
        "kind",
        "created_by",
        "created_at",
        "status",
        "created",
        "updated",
        "unchanged",
        "rejected",
    )
    list_filter = ("kind", "status")
    list_select_related = ("created_by",)
    search_fields = ("file_name", "created_by__username")
    exclude = ("file_data",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "created_by", "updated_at")
    list_filter = ("kind",)
    list_select_related = ("created_by",)
