"""System administration of the closing app. What the services write (findings, pool rounds, proposals,
reviews, transfers) is read-only here: each of those belongs in a case's execution log, which only
the services write. A court's 执转破 thresholds are set on the 执转破 page (each save is a new row)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.cases.admin import ReadOnlyAdmin

from .models import (
    ArchiveExplanation,
    BankruptcyThreshold,
    BankruptcyTransfer,
    ConditionFinding,
    PoolEntry,
    PoolRound,
    RestorationProposal,
    SampleItem,
    SampleReview,
    TransferCase,
    TransferDocument,
)


@admin.register(PoolEntry)
class PoolEntryAdmin(ReadOnlyAdmin):
    list_display = ("case", "court", "status", "entered_on", "rounds_done", "next_query_due", "ends_on")
    list_filter = ("court", "status")
    search_fields = ("case__case_number",)


@admin.register(RestorationProposal)
class RestorationProposalAdmin(ReadOnlyAdmin):
    list_display = ("case", "court", "source", "status", "detected_on", "restore_due", "restored_case")
    list_filter = ("court", "status", "source")
    search_fields = ("case__case_number",)


@admin.register(BankruptcyTransfer)
class BankruptcyTransferAdmin(ReadOnlyAdmin):
    list_display = ("respondent_name", "credit_code", "court", "status", "proposed_on", "decided_on", "outcome_on")
    list_filter = ("court", "status")
    search_fields = ("respondent_name", "credit_code")


@admin.register(SampleReview)
class SampleReviewAdmin(ReadOnlyAdmin):
    list_display = ("court", "period_start", "period_end", "population", "size", "seed", "drawn_by")
    list_filter = ("court",)


for model in (ConditionFinding, PoolRound, SampleItem, TransferCase, TransferDocument, ArchiveExplanation,
              BankruptcyThreshold):
    admin.site.register(model, ReadOnlyAdmin)
