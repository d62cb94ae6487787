"""Admin of the indicators: scorecard weights can be added (a new version), never edited or deleted;
snapshot runs and kept periods are read-only; petitions, reviews and disclosures are entered on
/indicators/records/ (each writes the case's execution log), so here they are read-only too."""

from django.contrib import admin

from .models import ConductReview, Disclosure, Petition, ScorecardWeight, SnapshotPeriod, SnapshotRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScorecardWeight)
class ScorecardWeightAdmin(admin.ModelAdmin):
    list_display = ("court", "indicator", "weight", "full_at", "zero_at", "set_at", "set_by", "reason")
    list_filter = ("court", "indicator")
    readonly_fields = ("set_by",)

    def has_change_permission(self, request, obj=None):
        return obj is None  # a change is a new row: the history stays

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from django.utils import timezone

        obj.set_by, obj.set_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return ("set_at",)


@admin.register(SnapshotRun)
class SnapshotRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "kind", "as_of", "rows", "changed", "actor", "reason", "periods")
    list_filter = ("kind",)


@admin.register(SnapshotPeriod)
class SnapshotPeriodAdmin(ReadOnlyAdmin):
    list_display = ("grain", "start", "end", "as_of", "final", "computed_at")
    list_filter = ("grain", "final")


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "case", "court", "channel", "received_on", "closed_on", "summary")
    list_filter = ("court", "channel")
    search_fields = ("reference", "case__case_number")


@admin.register(ConductReview)
class ConductReviewAdmin(ReadOnlyAdmin):
    list_display = ("case", "court", "kind", "outcome", "decided_on", "document_number")
    list_filter = ("court", "kind", "outcome")
    search_fields = ("document_number", "case__case_number")


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("case", "court", "kind", "disclosed_on", "reference")
    list_filter = ("court", "kind")
    search_fields = ("case__case_number",)
