from django.contrib import admin

from .models import DataAccessLog, EnforcementCase, ImportBatch, LogEntry, Party


class ReadOnlyAdmin(admin.ModelAdmin):
    """Cases change only through their services, so that every change is in the execution log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EnforcementCase)
class EnforcementCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "court", "filed_on", "stage", "status", "closing_type", "handler"]
    list_filter = ["status", "stage", "closing_type", "court"]
    search_fields = ["case_number", "applicant_names", "respondent_names"]
    list_select_related = ["court", "handler"]
    show_full_result_count = False


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "kind", "case"]
    search_fields = ["name", "id_number", "credit_code"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["case", "seq", "at", "actor_name", "action", "summary"]
    list_filter = ["action"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "court", "case_count", "imported_at", "imported_by"]


@admin.register(DataAccessLog)
class DataAccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "case", "query"]
    list_filter = ["kind"]
    show_full_result_count = False
