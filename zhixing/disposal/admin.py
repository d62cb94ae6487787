"""Admin: the court's lookup limits are edited here or on the price-table page (both audited); the price
tables and the lookup log are read-only — imported files and lookups are never edited by hand."""

from django.contrib import admin

from .models import DisposalSettings, PriceTable, Valuation


@admin.register(DisposalSettings)
class DisposalSettingsAdmin(admin.ModelAdmin):
    list_display = ("court", "daily_lookup_limit", "daily_batch_limit", "updated_at")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PriceTable)
class PriceTableAdmin(ReadOnly):
    list_display = ("court", "kind", "version", "effective_from", "source", "rows", "imported_at")
    list_filter = ("kind",)


@admin.register(Valuation)
class ValuationAdmin(ReadOnly):
    list_display = ("at", "user", "case", "asset", "outcome", "value_fen", "table")
    list_filter = ("outcome", "kind")
    list_select_related = ("user", "case", "asset", "table")
