"""System administration of case money: the ledger is read-only here. Journals and postings are
append-only (the database refuses UPDATE and DELETE); a mistake is corrected by a reversing journal
on the money pages (冲正), and settings change on /money/settings/, which validates and keeps the
history that this admin shows under 历史."""

from __future__ import annotations

from django.contrib import admin

from zhixing.cases.admin import ReadOnlyAdmin

from .models import Account, Approval, Journal, MoneySettings, PayoutOrder, Posting, Receipt


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ["account", "amount_fen", "value_on"]


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = ["step", "role", "approver", "approved", "note", "at"]


@admin.register(MoneySettings)
class MoneySettingsAdmin(ReadOnlyAdmin):
    list_display = ["court", "bank_name", "account_number", "sub_account_prefix", "updated_by", "updated_at"]
    list_select_related = ["court", "updated_by"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "kind", "court", "balance_fen", "opened_at"]
    list_filter = ["kind", "court"]
    search_fields = ["number", "name"]
    list_select_related = ["court"]
    show_full_result_count = False


@admin.register(Journal)
class JournalAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "court", "case", "value_on", "memo", "actor_name", "posted_at", "reverses"]
    list_filter = ["kind", "court"]
    search_fields = ["memo", "case__case_number"]
    list_select_related = ["court", "case", "reverses"]
    date_hierarchy = "value_on"
    inlines = [PostingInline]
    show_full_result_count = False


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ["id", "journal", "account", "amount_fen", "value_on"]
    list_filter = ["court"]
    list_select_related = ["journal", "account"]
    show_full_result_count = False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["id", "court", "case", "status", "amount_fen", "received_on", "payer_name", "bank_reference", "assign_due"]
    list_filter = ["status", "channel", "court"]
    search_fields = ["payer_name", "bank_reference", "case__case_number"]
    list_select_related = ["court", "case"]
    show_full_result_count = False


@admin.register(PayoutOrder)
class PayoutOrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "court", "case", "kind", "status", "amount_fen", "payee_name", "ordered_by", "ordered_at", "paid_on"]
    list_filter = ["status", "kind", "court"]
    search_fields = ["payee_name", "case__case_number", "bank_reference"]
    list_select_related = ["court", "case", "ordered_by"]
    inlines = [ApprovalInline]
    show_full_result_count = False
