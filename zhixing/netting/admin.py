"""Netting proposals in the admin: read-only, because every change belongs to the services (versions,
consents, the cases' execution logs and case money)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.cases.admin import ReadOnlyAdmin

from .models import Consent, CounterClaim, NettingProposal


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = ["party_name", "party_key", "method", "document_reference", "given_on", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CounterClaimInline(admin.TabularInline):
    model = CounterClaim
    extra = 0
    can_delete = False
    fields = ["position", "creditor_name", "debtor_name", "amount_fen", "due_on", "document_number", "set_off_fen"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(NettingProposal)
class NettingProposalAdmin(ReadOnlyAdmin):
    # Lines are not inlined: a proposal may cover thousands of cases; the proposal page lists them.
    list_display = ["__str__", "status", "case_count", "set_off_total_fen", "residual_total_fen", "created_by",
                    "created_at", "court"]
    list_filter = ["status", "court"]
    search_fields = ["number"]
    list_select_related = ["court", "created_by"]
    inlines = [CounterClaimInline, ConsentInline]
    show_full_result_count = False
