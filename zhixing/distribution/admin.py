"""Distribution plans in the admin: read-only, because every change to a plan belongs in its case's
execution log and only the services write that."""

from __future__ import annotations

from django.contrib import admin

from zhixing.cases.admin import ReadOnlyAdmin

from .models import DistributionLine, DistributionObjection, DistributionPlan


class LineInline(admin.TabularInline):
    model = DistributionLine
    extra = 0
    can_delete = False
    fields = ["position", "tier", "priority_kind", "rank", "creditor_name", "creditor_case_number", "claim_fen",
              "share_fen", "seized_on", "retained", "order", "withheld_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DistributionPlan)
class DistributionPlanAdmin(ReadOnlyAdmin):
    list_display = ["case", "version", "status", "proceeds_fen", "distributed_fen", "served_on", "objection_due", "court"]
    list_filter = ["status", "method", "court"]
    search_fields = ["case__case_number"]
    list_select_related = ["case", "court"]
    inlines = [LineInline]
    show_full_result_count = False


@admin.register(DistributionObjection)
class DistributionObjectionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "objector_name", "lodged_on", "status", "opposition_due", "suit_due", "decided_on"]
    list_filter = ["status"]
    search_fields = ["plan__case__case_number", "objector_name"]
    list_select_related = ["plan", "plan__case"]
