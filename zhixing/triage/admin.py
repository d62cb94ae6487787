"""System administration of triage. A court's rules are added as a new version (with its rules
inline, checked like the rules page); a saved version is never changed. Decisions, tags, absences
and transfers are shown read-only: they change only through the services, which write the log."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Max

from .models import Absence, CaseTag, CaseTransfer, TriageDecision, TriagePolicy, TriageRule


class TriageRuleForm(forms.ModelForm):
    class Meta:
        model = TriageRule
        fields = ["position", "kind", "params", "track", "team_type", "reason", "citation"]

    def clean(self):
        from zhixing.cases.exceptions import FieldError

        from .services import _clean_rules

        data = super().clean()
        if not data.get("kind"):
            return data
        errors: list[FieldError] = []
        cleaned = _clean_rules([{k: data.get(k) for k in ("kind", "params", "track", "team_type", "reason", "citation")}],
                               errors)
        if errors:
            raise forms.ValidationError([e.message for e in errors])
        data["params"] = cleaned[0]["params"]
        return data


class TriageRuleInline(admin.TabularInline):
    model = TriageRule
    form = TriageRuleForm
    fields = ["position", "kind", "params", "track", "team_type", "reason", "citation"]
    extra = 3

    def has_change_permission(self, request, obj=None):
        return obj is None


@admin.register(TriagePolicy)
class TriagePolicyAdmin(admin.ModelAdmin):
    list_display = ["court", "version", "default_track", "weight_fast", "weight_ordinary", "weight_special", "created_by",
                    "created_at"]
    list_filter = ["court"]
    fields = ["court", "default_track", "weight_fast", "weight_ordinary", "weight_special", "note"]
    inlines = [TriageRuleInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:  # a new version after the court's latest
            latest = TriagePolicy.objects.filter(court=obj.court).aggregate(v=Max("version"))["v"] or 0
            obj.version, obj.created_by = latest + 1, request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        rules = formset.save(commit=False)
        for rule in rules:
            rule.court_id = form.instance.court_id
            rule.save()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TriageDecision)
class TriageDecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "track", "source", "decided_by", "decided_at"]
    list_filter = ["source", "track"]
    search_fields = ["case__case_number"]
    list_select_related = ["case", "decided_by"]


@admin.register(CaseTag)
class CaseTagAdmin(ReadOnlyAdmin):
    list_display = ["case", "tag", "added_by", "added_at", "removed_at"]
    list_filter = ["tag"]
    search_fields = ["case__case_number"]
    list_select_related = ["case", "added_by"]


@admin.register(Absence)
class AbsenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "starts_on", "ends_on", "reason", "recorded_by"]
    list_select_related = ["user", "recorded_by"]


@admin.register(CaseTransfer)
class CaseTransferAdmin(ReadOnlyAdmin):
    list_display = ["case", "court", "to_court", "status", "ordered_at", "new_case"]
    list_filter = ["status"]
    list_select_related = ["case", "court", "to_court", "new_case"]
