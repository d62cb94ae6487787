"""System administration of property investigation. A court's own 5+X+Y list is edited here; what
the services write (queries, batches, imports, assets, measures, clues…) is read-only, because each
of those changes belongs in a case's execution log and only the services write that."""

from __future__ import annotations

from django.contrib import admin

from zhixing.cases.admin import ReadOnlyAdmin

from .models import (
    Asset,
    AuditInvestigation,
    CaseAsset,
    ChecklistSetting,
    Clue,
    ControlMeasure,
    LawyerOrder,
    PersonLead,
    PropertyQuery,
    QueryBatch,
    ReplyImport,
)


@admin.register(ChecklistSetting)
class ChecklistSettingAdmin(admin.ModelAdmin):
    list_display = ("court", "position", "name", "code", "group", "agency_kind", "network", "enabled")
    list_filter = ("court", "group", "enabled")
    list_editable = ("position", "enabled")
    ordering = ("court", "position")


@admin.register(QueryBatch)
class QueryBatchAdmin(ReadOnlyAdmin):
    list_display = ("number", "court", "agency_kind", "item_code", "requests", "replied", "created_by", "created_at")
    list_filter = ("court", "agency_kind")
    search_fields = ("number",)


@admin.register(PropertyQuery)
class PropertyQueryAdmin(ReadOnlyAdmin):
    list_display = ("case", "item_code", "name", "state", "sent_on", "replied_on", "batch")
    list_filter = ("court", "item_code", "state")
    search_fields = ("case__case_number", "identity_number")
    raw_id_fields = ("case", "party", "batch")


@admin.register(ReplyImport)
class ReplyImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "court", "rows", "queries_answered", "assets_found", "imported_by", "imported_at")
    list_filter = ("court",)


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ("description", "kind", "owner_name", "value_fen", "value_on")
    list_filter = ("kind",)
    search_fields = ("identity_key", "owner_identity", "owner_name")


@admin.register(CaseAsset)
class CaseAssetAdmin(ReadOnlyAdmin):
    list_display = ("case", "asset", "found_on", "found_via")
    list_filter = ("court", "found_via")
    search_fields = ("case__case_number",)
    raw_id_fields = ("case", "asset")


@admin.register(ControlMeasure)
class ControlMeasureAdmin(ReadOnlyAdmin):
    list_display = ("case", "asset", "kind", "started_on", "ends_on", "status", "queue_rank")
    list_filter = ("court", "kind", "status", "period_class")
    search_fields = ("case__case_number", "document_number")
    raw_id_fields = ("case", "asset", "renewal_of")


for model in (Clue, LawyerOrder, AuditInvestigation, PersonLead):
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {
        "list_display": ("case", "__str__"), "list_filter": ("court",), "search_fields": ("case__case_number",),
        "raw_id_fields": ("case",),
    }))
